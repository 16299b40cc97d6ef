/**
 * What a first-time user meets on every page: form values that survive navigation and a reload, no serious or
 * critical accessibility violation (axe-core) on any page, and the Review and Evaluation pages at 1024×700.
 * Screenshots: test-results/screenshots/ux-*.png.
 */
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { createApp, type AppRuntime } from '../../main/app/index.js';
import { repoRoot } from '../helpers/shared.js';
import { createReviewFixture } from '../main/review/fixture.js';
import { seedTrainedRun } from '../main/training/learningSignal.fixture.js';
import { needChromium, screenshotPath, startBrowserMode, watchPageErrors, type BrowserMode } from './browser.js';

const axePath = path.join(repoRoot, 'node_modules', 'axe-core', 'axe.min.js');
const noAxe = existsSync(axePath) ? undefined : `skipped: axe-core is not installed (${axePath})`;
if (noAxe) console.log(`# ${noAxe}`);

const pages = ['knowledge', 'synthesis', 'review', 'models', 'training', 'evaluation', 'settings'] as const;

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/** What each page shows once its first data is in (the event stream keeps the network busy for good). */
const ready: Partial<Record<string, string>> = {
  review: '[data-testid="review-item"]',
  'knowledge/558': '[data-testid="disorder-detail"][data-orpha="558"]',
};

/**
 * Waits until no CSS transition or animation runs: a button that has just lost `disabled` fades from grey for
 * 250 ms, and axe measuring it mid-fade reported a contrast of 1.8:1 that no user sees once it settles.
 */
async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => (globalThis as unknown as { document: { getAnimations(): { playState: string }[] } }).document.getAnimations().every((a) => a.playState !== 'running'), undefined, { timeout: 10_000 }).catch(() => undefined);
}

async function axe(page: Page): Promise<AxeViolation[]> {
  await settled(page);
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.addScriptTag({ path: axePath });
  return page.evaluate(async () => {
    const g = globalThis as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: AxeViolation[] }> } };
    const r = await g.axe.run({ exclude: [['.recharts-surface']] }, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
  });
}

describe('first-run experience in browser mode', { skip: needChromium() }, () => {
  let mode: BrowserMode;
  let app: AppRuntime;
  let modelFile: string;

  before(async () => {
    mode = await startBrowserMode({
      prefix: 'medssr-e2e-ux-',
      prepare: async (dataDir) => {
        app = await createApp({ dataDir, transport: 'http', seedDemo: true });
        createReviewFixture(app.context.db, { name: 'ux-demo', count: 12, unlabelledEvery: 0 });
        seedTrainedRun(app.context.db, dataDir, { name: 'flat', steps: 2 });
        modelFile = path.join(dataDir, 'typed-model.gguf');
        writeFileSync(modelFile, 'not really a model');
        return { services: app };
      },
    });
  });
  after(() => mode?.close());

  test('form values survive a visit to another page and a reload', async () => {
    const page = await mode.browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors = watchPageErrors(page, []);
    const url = mode.server.url;
    await page.goto(`${url}#/evaluation`);
    await page.getByTestId('eval-model').fill(modelFile);
    await page.getByTestId('eval-quick-look').click();
    await page.getByTestId('eval-max-tokens').fill('96');
    await page.goto(`${url}#/training`);
    await page.getByTestId('training-form').waitFor();
    await page.getByLabel('Run name').fill('my second run');
    // The disabled Start says why.
    assert.ok(await page.getByTestId('train-start').isDisabled());
    assert.equal(await page.getByTestId('train-start-why').textContent(), 'Choose a base model (GGUF) to estimate or start.');
    await page.goto(`${url}#/models`);
    await page.getByTestId('page-title').filter({ hasText: 'Models' }).waitFor();

    const check = async (when: string) => {
      await page.goto(`${url}#/evaluation`);
      await page.getByTestId('eval-model').waitFor();
      assert.equal(await page.getByTestId('eval-model').inputValue(), modelFile, `model path ${when}`);
      assert.equal(await page.getByTestId('eval-limit').inputValue(), '20', `quick-look limit ${when}`);
      assert.equal(await page.getByTestId('eval-max-tokens').inputValue(), '96', `max tokens ${when}`);
      await page.goto(`${url}#/training`);
      await page.getByTestId('training-form').waitFor();
      assert.equal(await page.getByLabel('Run name').inputValue(), 'my second run', `run name ${when}`);
    };
    await check('after visiting Models');
    await page.reload();
    await check('after a reload');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('every page: no serious or critical accessibility violation, no console error on load', { skip: noAxe }, async () => {
    // The app's CSP allows no inline script; axe is injected as one, so this page alone bypasses it.
    const page = await mode.browser.newPage({ viewport: { width: 1440, height: 900 }, bypassCSP: true });
    const errors = watchPageErrors(page, []);
    const failed: string[] = [];
    page.on('response', (r) => {
      if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
    });
    const report: Record<string, AxeViolation[]> = {};
    // Every page at both sizes the issue names, and an opened knowledge entry (the page with the most content).
    for (const [width, height] of [[1440, 900], [1024, 700]] as const) {
      await page.setViewportSize({ width, height });
      for (const area of [...pages, 'knowledge/558']) {
        await page.goto(`${mode.server.url}#/${area}`);
        await page.getByTestId('page-title').waitFor();
        const marker = ready[area];
        if (marker) await page.locator(marker).first().waitFor();
        else await page.waitForTimeout(1000);
        report[`${area} at ${width}`] = await axe(page);
        await page.screenshot({ path: screenshotPath(`ux-${area.replace('/', '-')}-${width}.png`) });
      }
    }
    writeFileSync(screenshotPath('ux-axe-report.json'), JSON.stringify(report, null, 2));
    const bad = Object.entries(report).flatMap(([area, vs]) =>
      vs.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${area}: ${v.id} (${v.impact}) ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    );
    assert.deepEqual(bad, [], 'axe: serious or critical violations (full report in test-results/screenshots/ux-axe-report.json)');
    assert.deepEqual(failed, [], 'no request fails while the pages load');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('Review at 1024×700: the question and its options above the fold; a skip link comes first', async () => {
    const page = await mode.browser.newPage({ viewport: { width: 1024, height: 700 } });
    await page.goto(`${mode.server.url}#/review`);
    const stem = page.getByTestId('review-item');
    await stem.waitFor();
    await page.getByTestId('option').first().waitFor();
    await page.screenshot({ path: screenshotPath('ux-review-1024.png') });
    const options = page.getByTestId('option');
    const last = await options.nth((await options.count()) - 1).boundingBox();
    assert.ok(last && last.y + last.height <= 700, `every option above the fold at 1024×700 (last ends at ${last ? Math.round(last.y + last.height) : '?'} px)`);
    const toolbar = await page.getByTestId('review-toolbar').boundingBox();
    assert.ok(toolbar && toolbar.height <= 140, `the toolbar stays compact (${toolbar?.height} px)`);
    // The finer filters fold away behind "Filters", and the shortcuts and side panel sit in the overflow menu.
    assert.equal(await page.getByTestId('review-filters').count(), 0);
    await page.getByTestId('toggle-filters').click();
    await page.getByTestId('orpha-filter').waitFor();
    await page.getByTestId('review-more').click();
    await page.getByRole('menuitem', { name: /Keyboard shortcuts/ }).waitFor();
    await page.keyboard.press('Escape');

    // The first tab stop (of a freshly loaded page) skips the sidebar to the page's content.
    const fresh = await mode.browser.newPage({ viewport: { width: 1024, height: 700 } });
    await fresh.goto(`${mode.server.url}#/evaluation`);
    await fresh.getByTestId('evaluation-page').waitFor();
    await fresh.keyboard.press('Tab');
    assert.equal(await fresh.evaluate(() => (globalThis as unknown as { document: { activeElement: { getAttribute(n: string): string | null } } }).document.activeElement.getAttribute('data-testid')), 'skip-link');
    await fresh.keyboard.press('Enter');
    assert.equal(await fresh.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement.id), 'main-content');
    await fresh.close();
    await page.goto(`${mode.server.url}#/evaluation`);
    await page.getByTestId('evaluation-page').waitFor();
    await page.screenshot({ path: screenshotPath('ux-evaluation-1024.png') });
    await page.close();
  });
});
