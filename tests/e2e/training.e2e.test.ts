/**
 * The Training page follows a live run: with the real trainer and stories260K, the charts gain points while the
 * run goes on (screenshots mid-run and at the end), the stage boundary is marked, and the run ends as completed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { databasePath } from '../../main/platform/dataDir.js';
import { openAppDatabase } from '../../main/app/index.js';
import type { RunningServer } from '../../main/server/server.js';
import { findTrainerBinary } from '../../main/training/trainerProcess.js';
import { needShared, sharedPath } from '../helpers/shared.js';
import { seedLabelledDataset, writeMedssrFile } from '../main/training/fixtures.js';
import { needChromium, screenshotPath, startBrowserMode, type BrowserMode } from './browser.js';

process.env.MEDSSR_GPU ??= 'false';
const noTrainer = findTrainerBinary() ? undefined : 'skipped: native trainer binary absent (npm run build:native)';
if (noTrainer) console.log(`# ${noTrainer}`);
const skip = needChromium() ?? needShared('models', 'stories260K.gguf') ?? noTrainer;

describe('training page', { skip }, () => {
  let mode: BrowserMode;
  let dataDir: string;
  let server: RunningServer;
  let browser: Browser;

  before(async () => {
    mode = await startBrowserMode({
      prefix: 'medssr-e2e-train-',
      prepare: (dir) => {
        const db = openAppDatabase(databasePath(dir));
        seedLabelledDataset(db, 'synthetic demo', 24);
        db.close();
        return { seedDemo: false };
      },
    });
    ({ dataDir, server, browser } = mode);
  });
  after(() => mode?.close());

  test('charts update while a two-stage run goes on', { timeout: 180_000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    const humanFile = writeMedssrFile(dataDir, 12);
    await server.services.handlers['models.add']({ path: sharedPath('models', 'stories260K.gguf'), copy: false });
    await page.goto(new URL('#/training', server.url).href);
    await page.getByTestId('training-form').waitFor().catch(async (err: unknown) => {
      await page.screenshot({ path: screenshotPath('20-training-failed.png') });
      throw new Error(`the training page did not render: ${errors.join(' | ') || String(err)}`);
    });
    // One click from the form: the registered model and the labelled dataset are preselected.
    await page.getByRole('checkbox', { name: /Stage 2: human-labelled/ }).check();
    await page.getByPlaceholder(/human_labelled\.json/).fill(humanFile);
    await page.getByText('Advanced settings').click();
    for (const [label, value] of [['Stage 1 steps', '6'], ['Stage 2 steps', '4'], ['Max completion tokens', '24'], ['Checkpoint every', '3'], ['Format reward', '0.1']] as const) {
      await page.getByLabel(label, { exact: true }).fill(value);
    }
    await page.getByRole('button', { name: 'Estimate', exact: true }).click();
    await page
      .getByTestId('training-estimate')
      .filter({ hasText: 'for 10 steps' })
      .waitFor({ timeout: 20_000 })
      .catch(async (err: unknown) => {
        await page.screenshot({ path: screenshotPath('20-training-failed.png'), fullPage: true });
        throw new Error(`no estimate shown: ${errors.join(' | ') || String(err)}`);
      });
    await page.screenshot({ path: screenshotPath('19-training-form.png'), fullPage: false });
    await page.getByTestId('train-start').click();
    const chart = page.getByTestId('chart-reward');
    const points = async () => Number(await chart.getAttribute('data-points'));
    const waitPoints = async (ok: (n: number) => boolean, timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      while (!ok(await points())) {
        if (Date.now() > deadline) throw new Error(`the reward chart stayed at ${await points()} points`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    await chart.waitFor();
    // Seen while running: the chart grows from one count to a larger one without a page reload.
    await waitPoints((n) => n >= 3, 120_000);
    const first = await points();
    await page.getByTestId('training-metrics').scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('20-training-running.png') });
    await waitPoints((n) => n > first, 120_000);
    assert.ok((await points()) > first, 'the chart gained points while the run was going');

    await page.locator('[data-testid="training-run-row"][data-state="completed"]').waitFor({ timeout: 150_000 });
    await waitPoints((n) => n === 10, 20_000);
    // Lines drawn in every metric chart, and the stage boundary marked.
    assert.ok((await page.locator('[data-testid="chart-kl"] .recharts-line-curve').count()) >= 1);
    assert.ok((await page.locator('[data-testid="chart-reward"] .recharts-reference-line').count()) >= 1);
    assert.equal(await page.getByTestId('run-steps').first().textContent(), '10/10');
    await page.getByTestId('training-metrics').scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('21-training-done.png') });
    await page.getByTestId('training-adapters-section').scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('22-training-adapters.png') });
    await page.close();
  });
});
