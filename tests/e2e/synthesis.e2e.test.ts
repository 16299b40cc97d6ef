/**
 * The Synthesis page in Chromium against browser mode (demo knowledge base): edit a plan and watch the
 * allocation follow, run it as a job, see the results and a question's provenance. Screenshots go to
 * test-results/screenshots/.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { needShared, sharedPath } from '../helpers/shared.js';
import { createApp } from '../../main/app/index.js';
import { createReviewFixture } from '../main/review/fixture.js';
import { needChromium, screenshotPath, startBrowserMode, watchPageErrors, type BrowserMode } from './browser.js';

describe('Synthesis page in browser mode', { skip: needChromium() }, () => {
  let mode: BrowserMode;
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    mode = await startBrowserMode({
      prefix: 'medssr-e2e-synth-',
      // The template generator rejects nothing on the demo set: a checked dataset with rejected questions (long
      // reasons included) makes the rejected-row checks below always run.
      prepare: async (dataDir) => {
        const app = await createApp({ dataDir, transport: 'http', seedDemo: true });
        createReviewFixture(app.context.db, { name: 'checked-fixture', count: 12, rejectedEvery: 3 });
        // Registered, so the labelling form can size max tokens to its context.
        if (!needShared('models', 'stories260K.gguf')) await app.handlers['models.add']({ path: sharedPath('models', 'stories260K.gguf'), copy: false });
        return { services: app };
      },
    });
    page = await mode.browser.newPage({ viewport: { width: 1440, height: 1000 } });
    watchPageErrors(page, pageErrors, { console: false });
  });

  after(() => mode?.close());

  test('edit a plan, see the allocation, run it, see the results', { timeout: 120_000 }, async () => {
    await page.goto(`${mode.server.url}#/synthesis`);
    await page.getByTestId('synthesis-page').waitFor();
    const summary = page.getByTestId('allocation-summary');
    await summary.waitFor();
    assert.match((await summary.textContent()) ?? '', /Planned 1000/);

    // Edit: 24 questions, diagnosis only (the other question types set to 0).
    await page.getByTestId('plan-count').fill('24');
    for (const t of ['gene', 'inheritance']) await page.getByTestId(`weight-questionType-${t}`).fill('0');
    await page.getByTestId('allocation-summary').filter({ hasText: /Planned 24\b/ }).waitFor();
    const bars = await page.locator('[data-testid="allocation-chart"] .recharts-bar-rectangle').count();
    assert.ok(bars > 0, 'the chart draws bars for the planned cells');
    await page.screenshot({ path: screenshotPath('synthesis-01-plan.png'), fullPage: true });

    await page.getByTestId('dataset-name').fill('demo-questions');
    await page.getByTestId('synthesis-start').click();
    await page.locator('[data-testid="synthesis-progress"][data-state="completed"]').waitFor({ timeout: 60_000 });
    await page.getByTestId('question-row').first().waitFor();
    const rows = await page.getByTestId('question-row').count();
    assert.ok(rows > 0 && rows <= 24, `${rows} result rows`);
    const types = await page.locator('[data-testid="question-row"] td:nth-child(2)').allTextContents();
    assert.ok(types.every((t) => t === 'diagnosis'), `only diagnosis questions: ${[...new Set(types)]}`);
    assert.match((await page.getByTestId('dataset-summary').textContent()) ?? '', /accepted/);
    assert.match((await summary.textContent()) ?? '', /achieved \d+/);

    await page.getByTestId('question-row').first().click();
    const detail = page.getByTestId('question-detail').first();
    await detail.waitFor();
    const text = (await detail.textContent()) ?? '';
    assert.match(text, /A\. /);
    assert.match(text, /ORPHA \d+/);
    await page.screenshot({ path: screenshotPath('synthesis-02-results.png'), fullPage: true });
    assert.deepEqual(pageErrors, []);
  });

  test('the plan editor: exact totals per value, clamps said out loud, every CLI dimension, kept across navigation and reload', async () => {
    await page.goto(`${mode.server.url}#/synthesis`);
    await page.getByTestId('plan-editor').waitFor();
    await page.getByTestId('plan-count').fill('40');
    const weights: [string, string][] = [['diagnosis', '0.3'], ['gene', '0.2'], ['inheritance', '0.2'], ['phenotype', '0.15'], ['next-investigation', '0.15']];
    for (const [k, v] of weights) await page.getByTestId(`weight-questionType-${k}`).fill(v);
    await page.getByTestId('allocation-summary').filter({ hasText: /Planned 40\b/ }).waitFor();
    // Difficulty is constrained too (the default): the question-type totals are still the exact largest remainder.
    const expected = ['12 planned', '8 planned', '8 planned', '6 planned', '6 planned'];
    await page.getByTestId('planned-questionType-next-investigation').filter({ hasText: '6 planned' }).waitFor();
    for (const [i, [k]] of weights.entries()) assert.equal(await page.getByTestId(`planned-questionType-${k}`).textContent(), expected[i], k);

    await page.getByTestId('plan-count').fill('0');
    assert.match((await page.getByTestId('plan-count-note').textContent()) ?? '', /using 1$/);
    await page.getByTestId('plan-count').fill('100000000');
    assert.match((await page.getByTestId('plan-count-note').textContent()) ?? '', /At most 200,000 questions per run: using 200,000/);
    await page.getByTestId('plan-count').fill('40');
    await page.getByTestId('plan-count-note').waitFor({ state: 'detached' });
    for (const d of ['easy', 'medium', 'hard']) await page.getByTestId(`weight-difficulty-${d}`).fill('0');
    assert.match((await page.getByTestId('plan-dropped').textContent()) ?? '', /^Difficulty: every weight is 0, so the plan leaves it unconstrained/);
    for (const d of ['easy', 'medium', 'hard']) await page.getByTestId(`weight-difficulty-${d}`).fill('1');
    for (const dim of ['questionType', 'difficulty', 'prevalenceClass', 'branch', 'disorderType']) await page.getByTestId(`plan-dim-${dim}`).waitFor();
    await page.getByTestId('dataset-name').fill('kept-name');

    const check = async (when: string) => {
      await page.getByTestId('plan-editor').waitFor();
      assert.equal(await page.getByTestId('plan-count').inputValue(), '40', `count ${when}`);
      assert.equal(await page.getByTestId('weight-questionType-diagnosis').inputValue(), '0.3', `weight ${when}`);
      assert.equal(await page.getByTestId('dataset-name').inputValue(), 'kept-name', `dataset name ${when}`);
    };
    await page.goto(`${mode.server.url}#/models`);
    await page.getByTestId('page-title').filter({ hasText: 'Models' }).waitFor();
    await page.goto(`${mode.server.url}#/synthesis`);
    await check('after visiting Models');
    await page.reload();
    await check('after a reload');

    // A rejected question opens without moving the page sideways (the fixture dataset has 4 of 12 rejected).
    await page.getByRole('combobox', { name: 'Dataset', exact: true }).click();
    await page.getByRole('option', { name: /^checked-fixture v1/ }).click();
    await page.getByTestId('dataset-summary').filter({ hasText: /^8 accepted · 4 rejected · / }).waitFor();
    await page.getByRole('button', { name: 'Rejected' }).click();
    // The accepted rows stay until the rejected page arrives: wait for them to go, not for a moment's luck.
    await page.locator('[data-testid="question-row"][data-status="accepted"]').first().waitFor({ state: 'detached' });
    const row = page.locator('[data-testid="question-row"][data-status="rejected"]').first();
    await row.waitFor();
    const before = await page.getByTestId('question-table').boundingBox();
    await row.click();
    const rejectedDetail = page.getByTestId('question-detail').first();
    await rejectedDetail.waitFor();
    const after = await page.getByTestId('question-table').boundingBox();
    assert.deepEqual([after?.x, after?.width], [before?.x, before?.width], 'the table keeps its place and width');
    // The reason stays inside the table (it ran off screen before).
    const detailBox = await rejectedDetail.boundingBox();
    assert.ok(detailBox && after && detailBox.x + detailBox.width <= after.x + after.width + 1, 'the rejected detail stays inside the table');
    assert.match((await rejectedDetail.getByTestId('reject-detail').textContent()) ?? '', /^Rejected: options-distinct: option /);
    // The long reason pill wraps inside its column instead of running off screen.
    const pill = await row.getByTestId('reject-reason').boundingBox();
    assert.ok(pill && after && pill.x + pill.width <= after.x + after.width + 1, `the reason pill stays inside the table (${JSON.stringify(pill)} in ${JSON.stringify(after)})`);
    assert.equal(await page.locator('[data-testid="question-row"][data-status="rejected"]').count(), 4);
    await page.screenshot({ path: screenshotPath('synthesis-04-rejected.png'), fullPage: true });
    const wide = await page.evaluate(() => {
      const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
      return d.scrollWidth - d.clientWidth;
    });
    assert.equal(wide, 0, 'no horizontal scroll with the rejected reason open');
    await page.getByRole('button', { name: 'Accepted' }).click();
    await page.locator('[data-testid="question-row"][data-status="rejected"]').first().waitFor({ state: 'detached' });
    // Back to the first test's diagnosis-only plan, which the labelling test below relies on.
    for (const [k, v] of [['diagnosis', '0.5'], ['gene', '0'], ['inheritance', '0'], ['phenotype', '0'], ['next-investigation', '0']]) await page.getByTestId(`weight-questionType-${k}`).fill(v as string);
    assert.deepEqual(pageErrors, []);
  });

  test('pseudo-label a small dataset from the page with a local model', { skip: needShared('models', 'stories260K.gguf'), timeout: 180_000 }, async () => {
    // The demo set has two disorders that pass every rule for this plan's diagnosis questions.
    await page.getByTestId('plan-count').fill('2');
    await page.getByTestId('allocation-summary').filter({ hasText: /Planned 2\b/ }).waitFor();
    await page.getByTestId('dataset-name').fill('tiny');
    await page.getByTestId('synthesis-start').click();
    // Only what passes every rule is accepted (the demo set is small): label whatever was accepted.
    await page.getByTestId('dataset-summary').filter({ hasText: /^[12] accepted · \d+ rejected · seed \d+ · template/ }).waitFor({ timeout: 60_000 });
    const accepted = Number(/^(\d+) accepted/.exec((await page.getByTestId('dataset-summary').textContent()) ?? '')?.[1]);
    await page.getByLabel('Model (GGUF path)').fill(sharedPath('models', 'stories260K.gguf'));
    // Max tokens follows the registered model's context: 1,024 fits stories260K's 2,048 (half of it at most).
    assert.equal(await page.getByTestId('label-max-tokens').inputValue(), '1024');
    assert.match((await page.getByText('sized to the model').textContent()) ?? '', /sized to the model/);
    await page.getByLabel('Samples').fill('0');
    assert.ok(await page.getByTestId('label-start').isDisabled(), 'an out-of-range sample count is refused, not clamped');
    await page.getByLabel('Samples').fill('2');
    await page.getByLabel('Max tokens').fill('48');
    await page.getByRole('button', { name: /Pseudo-label v1/ }).click();
    // The table refreshes when the job ends: every row then shows a label (or "tie") with its vote share.
    // stories260K never writes "The answer is X": recovered letters are not votes, so every row says so.
    await page.locator('[data-testid="question-row"] td:nth-child(6)').filter({ hasText: /%\)$|^no written answer$/ }).nth(accepted - 1).waitFor({ timeout: 150_000 });
    const cells = await page.locator('[data-testid="question-row"] td:nth-child(6)').allTextContents();
    assert.equal(cells.length, accepted);
    for (const c of cells) assert.match(c, /^(([A-E]|tie) \((50|100)%\)|no written answer)$/);
    await page.screenshot({ path: screenshotPath('synthesis-03-labelled.png'), fullPage: true });
    assert.deepEqual(pageErrors, []);
  });
});
