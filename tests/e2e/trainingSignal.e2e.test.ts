/**
 * A training run that learned nothing says so on the Training page: "completed — no learning signal" with the
 * reason, the same while a run is still going, and its adapters marked. The runs are stored as the trainer
 * leaves them (every group with equal rewards), so no model or trainer is needed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { databasePath } from '../../main/platform/dataDir.js';
import { openAppDatabase } from '../../main/app/index.js';
import { seedTrainedRun } from '../main/training/learningSignal.fixture.js';
import { needChromium, screenshotPath, startBrowserMode, watchPageErrors, type BrowserMode } from './browser.js';

describe('training page: no learning signal', { skip: needChromium() }, () => {
  let mode: BrowserMode;
  const ids: Record<'flat' | 'live' | 'good', number> = { flat: 0, live: 0, good: 0 };

  before(async () => {
    mode = await startBrowserMode({
      prefix: 'medssr-e2e-signal-',
      prepare: (dir) => {
        const db = openAppDatabase(databasePath(dir));
        ids.good = seedTrainedRun(db, dir, { name: 'learned', steps: 4, signalAt: [1, 2, 3, 4] });
        ids.live = seedTrainedRun(db, dir, { name: 'still going', steps: 2, state: 'running' });
        ids.flat = seedTrainedRun(db, dir, { name: 'flat rewards', steps: 4 });
        db.close();
        return { seedDemo: false };
      },
    });
  });
  after(() => mode?.close());

  test('the run, the live run and the adapters say that nothing was learned, and why', async () => {
    const page = await mode.browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors = watchPageErrors(page, []);
    await page.goto(`${mode.server.url}#/training`);
    const row = (id: number) => page.locator(`[data-testid="training-run-row"][data-run-id="${id}"]`);
    await row(ids.flat).waitFor();
    assert.equal(await row(ids.flat).getByTestId('training-run-state').textContent(), 'completed — no learning signal');
    assert.equal(await row(ids.good).getByTestId('training-run-state').textContent(), 'completed');
    assert.equal(await row(ids.live).getByTestId('training-run-no-signal').textContent(), 'no learning signal so far');
    assert.equal(await row(ids.good).getByTestId('training-run-no-signal').count(), 0);

    // The newest run is shown by default: the banner names the outcome and the reason.
    const banner = page.getByTestId('training-no-signal');
    await banner.waitFor();
    assert.match((await banner.textContent()) ?? '', new RegExp(`Run #${ids.flat} completed — no learning signal: the model never wrote an answer in the expected form, .*all 4 steps`));
    await page.screenshot({ path: screenshotPath('23-training-no-signal.png') });

    // The metric bag is open: a metric the catalogue lacks gets its own chart under its raw name.
    const extra = page.getByTestId('chart-extra-future_metric');
    await extra.scrollIntoViewIfNeeded();
    assert.match((await extra.textContent()) ?? '', /future_metric \(not in the catalogue\)/);
    assert.equal(await extra.getAttribute('data-points'), '4');
    await page.screenshot({ path: screenshotPath('23b-training-uncatalogued-metric-1440.png') });
    await page.setViewportSize({ width: 1024, height: 700 });
    await extra.scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('23c-training-uncatalogued-metric-1024.png') });
    await page.setViewportSize({ width: 1440, height: 900 });

    // Adapters: those of the flat run are marked; the learned run's are not.
    await page.getByTestId('training-adapters-section').scrollIntoViewIfNeeded();
    const marked = await page.getByTestId('adapter-no-signal').count();
    assert.equal(marked, 2 + 1, 'two of the flat run, one of the running run');
    assert.ok((await page.getByTestId('adapter-path').count()) >= 5, 'every adapter shows its file');
    await page.screenshot({ path: screenshotPath('24-training-adapters-marked.png') });

    assert.deepEqual(errors, []);
    await page.close();
  });
});
