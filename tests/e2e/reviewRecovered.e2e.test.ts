/**
 * A pseudo-label whose samples were partly recovered (a small model's stories with "The answer is X" appended
 * by the constrained pass): each recovered trace shows a "recovered" chip with a tooltip, its appended phrase is
 * marked as recovered, and nothing shows it as a written answer or a vote.
 * Screenshot: test-results/screenshots/review-recovered-trace.png.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createApp, type AppRuntime } from '../../main/app/index.js';
import { createReviewFixture } from '../main/review/fixture.js';
import { needChromium, screenshotPath, startBrowserMode, watchPageErrors, type BrowserMode } from './browser.js';

describe('recovered traces in Review', { skip: needChromium() }, () => {
  let mode: BrowserMode;
  let app: AppRuntime;

  before(async () => {
    mode = await startBrowserMode({
      prefix: 'medssr-e2e-recovered-',
      prepare: async (dataDir) => {
        app = await createApp({ dataDir, transport: 'http', seedDemo: true });
        createReviewFixture(app.context.db, { name: 'recovered-demo', count: 2, unlabelledEvery: 0, recoveredEvery: 1 });
        return { services: app };
      },
    });
  });
  after(() => mode?.close());

  test('a recovered sample carries the "recovered" chip with a tooltip, never "answer X"', async () => {
    const page = await mode.browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors = watchPageErrors(page, []);
    await page.goto(`${mode.server.url}#/review`);
    await page.getByTestId('review-item').waitFor();
    const traces = page.getByTestId('trace');
    await traces.first().waitFor();
    const n = await traces.count();
    assert.equal(await page.getByTestId('trace-recovered').count(), 2, 'the two recovered samples are flagged');
    assert.equal(await page.getByTestId('trace-written').count(), n - 2, 'the others show their written answer');
    for (const text of await page.getByTestId('trace-recovered').allTextContents()) assert.match(text, /^recovered [A-E]$/);
    // The last two traces are the recovered ones: their summary never says "answer X".
    for (const i of [n - 2, n - 1]) assert.doesNotMatch((await traces.nth(i).textContent()) ?? '', /answer [A-E]/);
    assert.match((await page.getByTestId('recovered-letters').textContent()) ?? '', /Recovered by the constrained pass \(not votes\): 2/);
    assert.match((await page.getByTestId('traces').locator('xpath=preceding-sibling::*[1]').textContent()) ?? '', /of 8 samples wrote an answer/);

    await page.getByTestId('trace-recovered').first().hover();
    const tip = page.getByRole('tooltip');
    await tip.waitFor();
    assert.match((await tip.textContent()) ?? '', /The model wrote no answer; the constrained recovery pass forced [A-E]\. Recovered letters are not votes\./);

    await traces.nth(n - 1).locator('.MuiAccordionSummary-root').click();
    const appended = page.getByTestId('trace-recovered-answer');
    await appended.waitFor();
    assert.match((await appended.textContent()) ?? '', /^The answer is [A-E] \(recovered, not written\)$/);
    assert.equal(await traces.nth(n - 1).getByTestId('trace-answer').count(), 0, 'the appended phrase is not marked as the model’s answer');
    await page.screenshot({ path: screenshotPath('review-recovered-trace.png') });
    assert.deepEqual(errors, []);
    await page.close();
  });
});
