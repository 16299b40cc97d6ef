/**
 * The Evaluation page end to end in Chromium (browser mode) with a real tiny model: import a benchmark file,
 * run the MedSSR protocol with progress, see the results table, compare two runs in the bar chart and the
 * per-question drill-down, export CSV. Screenshots go to test-results/screenshots/.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { RunningServer } from '../../main/server/server.js';
import { needShared, sharedPath } from '../helpers/shared.js';
import { needChromium, screenshotPath, startBrowserMode, waitForJob, watchPageErrors, type BrowserMode } from './browser.js';

const skip = needChromium() ?? needShared('models', 'stories260K.gguf');
const model = sharedPath('models', 'stories260K.gguf');

describe('Evaluation page in browser mode', { skip }, () => {
  let mode: BrowserMode;
  let dataDir: string;
  let server: RunningServer;
  let page: Page;
  const pageErrors: string[] = [];
  let benchFile: string;

  before(async () => {
    mode = await startBrowserMode({
      prefix: 'medssr-e2e-eval-',
      prepare: (dir) => {
        benchFile = path.join(dir, 'test_short_mini.json');
        const pubmed = sharedPath('data', 'benchmarks', 'test_short_pubmedqa.json');
        // The real PubMedQA set when ../shared has it (its first questions), else a small set of the same shape.
        const questions = existsSync(pubmed)
          ? (JSON.parse(readFileSync(pubmed, 'utf8')) as unknown[]).slice(0, 6)
          : Array.from({ length: 6 }, (_, i) => ({ id: `q${i}`, question: `Question ${i}?\nA. yes\nB. no\nC. maybe`, gold: 'ABC'[i % 3], name: 'pubmedqa' }));
        writeFileSync(benchFile, JSON.stringify(questions));
      },
    });
    ({ dataDir, server } = mode);
    page = await mode.browser.newPage({ viewport: { width: 1440, height: 1000 } });
    watchPageErrors(page, pageErrors);
  });

  after(() => mode?.close());

  test('importing a malformed file names the entry; a good file lists its set', async () => {
    await page.goto(`${server.url}#/evaluation`);
    await page.getByTestId('evaluation-page').waitFor();
    const bad = path.join(dataDir, 'bad.json');
    writeFileSync(bad, JSON.stringify([{ id: 'x1', question: 'No options here', gold: 'A', name: 'bad' }]));
    await page.getByTestId('benchmark-path').fill(bad);
    await page.getByTestId('benchmark-import').click();
    const err = page.getByTestId('benchmark-error');
    await err.waitFor();
    assert.match((await err.textContent()) ?? '', /entry 1 \(id "x1"\): the question has no option lines/);

    await page.getByTestId('benchmark-path').fill(benchFile);
    await page.getByTestId('benchmark-import').click();
    await page.getByTestId('benchmark-imported').waitFor();
    assert.match((await page.getByTestId('benchmark-imported').textContent()) ?? '', /pubmedqa v1: 6 questions/);
    assert.equal(await page.getByTestId('benchmark-item').count(), 1);
  });

  test('a run from the page shows progress, then results; a second run gives the chart and drill-down', async () => {
    await page.getByTestId('eval-model').fill(model);
    await page.getByTestId('eval-generations').fill('2');
    await page.getByTestId('eval-limit').fill('4');
    await page.getByTestId('eval-max-tokens').fill('24');
    await page.getByTestId('eval-start').click();
    await page.getByTestId('eval-progress').waitFor();
    await page.locator('[data-testid="eval-progress"][data-job-state="completed"]').waitFor({ timeout: 120_000 });
    const row = page.getByTestId('eval-result-row').first();
    await row.waitFor();
    assert.match((await page.getByTestId('eval-accuracy').first().textContent()) ?? '', /^\d+\.\d\d ± \d+\.\d\d$/);

    // The second run (another seed) comes through the Api, as base + adapter would.
    const [bench] = await server.services.handlers['evaluation.benchmarks']({});
    const { jobId } = await server.services.handlers['evaluation.start']({
      benchmarkIds: [bench!.id],
      modelPath: model,
      generations: 2,
      limit: 4,
      sampling: { temperature: 1.2, topP: 0.95, topK: 20, maxTokens: 24, seed: 99 },
      label: 'stories260K (other seed)',
      adapterScale: 1,
      recovery: true,
      recoveryMethod: 'grammar',
      promptMode: 'auto',
      parallel: 0,
    });
    assert.equal((await waitForJob(server, jobId)).state, 'completed');
    await page.getByTestId('eval-compare-chart').waitFor({ timeout: 10_000 });
    await page.locator('[data-testid="eval-compare-chart"] .recharts-bar-rectangle').first().waitFor({ timeout: 10_000 }).catch(() => undefined);
    assert.equal(await page.getByTestId('eval-result-row').count(), 2);

    // The four outcome groups partition the 4 questions evaluated by both runs.
    await page.getByTestId('eval-drilldown').waitFor();
    const outcomeSum = async () => {
      let sum = 0;
      for (const o of ['fixed', 'broken', 'both-right', 'both-wrong']) {
        const label = (await page.getByTestId(`eval-outcome-${o}`).textContent()) ?? '';
        sum += Number(/\((\d+)\)/.exec(label)?.[1] ?? NaN);
      }
      return sum;
    };
    const deadline = Date.now() + 10_000;
    let sum = await outcomeSum();
    while (sum !== 4 && Date.now() < deadline) {
      await page.waitForTimeout(100);
      sum = await outcomeSum();
    }
    assert.equal(sum, 4);
    // Open a non-empty group and a question: both runs' generations are shown.
    for (const o of ['both-wrong', 'both-right', 'fixed', 'broken']) {
      const label = (await page.getByTestId(`eval-outcome-${o}`).textContent()) ?? '';
      if (/\(0\)/.test(label)) continue;
      await page.getByTestId(`eval-outcome-${o}`).click();
      break;
    }
    await page.getByTestId('eval-question-row').first().click();
    await page.getByTestId('eval-generation').first().waitFor();
    assert.equal(await page.getByTestId('eval-generation').count(), 4, '2 runs × 2 generations');
    await page.getByTestId('eval-results-section').scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('20-evaluation-results-chart.png') });
    await page.getByTestId('eval-question-detail').scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('21-evaluation-drilldown.png') });
  });

  test('a failed run (an adapter of random bytes) shows as failed, is never Before/After, and its CSV says so', async () => {
    const [bench] = await server.services.handlers['evaluation.benchmarks']({});
    const adapter = path.join(dataDir, 'random-bytes-adapter.gguf');
    writeFileSync(adapter, randomBytes(4096));
    const { jobId } = await server.services.handlers['evaluation.start']({
      benchmarkIds: [bench!.id],
      modelPath: model,
      adapterPath: adapter,
      generations: 2,
      limit: 4,
      sampling: { temperature: 1.2, topP: 0.95, topK: 20, maxTokens: 24, seed: 7 },
      label: 'broken adapter',
      adapterScale: 1,
      recovery: true,
      recoveryMethod: 'grammar',
      promptMode: 'auto',
      parallel: 0,
    });
    assert.equal((await waitForJob(server, jobId)).state, 'failed');
    const runs = await server.services.handlers['evaluation.runs']({});
    const failed = runs.find((r) => r.jobId === jobId);
    assert.ok(failed, 'the failed job left a run row');
    assert.equal(failed.state, 'failed', 'the run row carries the job state, not "running"');
    assert.ok(failed.error && failed.error.length > 0);

    // After a reload too: the row says failed, cannot be picked, and the chart still compares the two real runs.
    await page.reload();
    const row = page.locator(`[data-testid="eval-result-row"][data-run-id="${failed.id}"]`).first();
    await row.waitFor();
    assert.equal(await row.getAttribute('data-run-state'), 'failed');
    assert.match((await row.getByTestId('eval-run-state').textContent()) ?? '', /failed/);
    assert.ok(await row.getByTestId('eval-pick-before').locator('input').isDisabled());
    assert.ok(await row.getByTestId('eval-pick-after').locator('input').isDisabled());
    const caption = (await page.getByTestId('eval-compare-chart').locator('.MuiTypography-caption').first().textContent()) ?? '';
    assert.doesNotMatch(caption, new RegExp(`#${failed.id} `), `the failed run is not in the chart: ${caption}`);
    // Every accuracy shows how its answers came about.
    assert.match((await page.getByTestId('eval-answer-shares').first().textContent()) ?? '', /^written \S+ · recovered \S+ · invalid \S+$/);

    const csv = await server.services.handlers['evaluation.exportCsv']({ runId: failed.id, kind: 'summary' });
    const [header, first] = csv.csv.split('\r\n');
    assert.match(header!, /,status,answers$/);
    assert.match(first!, /,"?failed: /);
    await expectNoComparison(failed.id);
    await page.getByTestId('eval-results-section').scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('22-evaluation-failed-run.png') });
  });

  async function expectNoComparison(failedId: number) {
    const ok = (await server.services.handlers['evaluation.runs']({})).find((r) => r.state === 'completed');
    await assert.rejects(
      Promise.resolve().then(() => server.services.handlers['evaluation.compare']({ before: ok!.id, after: failedId, benchmarkId: ok!.results[0]!.benchmarkId, offset: 0, limit: 10 })),
      /cannot be compared: .*the run failed/,
    );
  }

  test('CSV export writes a file on the server and reports its path', async () => {
    const download = page.waitForEvent('download', { timeout: 10_000 });
    await page.getByTestId('eval-export-summary').first().click();
    const d = await download;
    assert.match(d.suggestedFilename(), /^evaluation-run-\d+-summary\.csv$/);
    const msg = page.getByTestId('eval-export-message');
    await msg.waitFor();
    const saved = /Saved (.+\.csv)$/.exec((await msg.textContent()) ?? '')?.[1];
    assert.ok(saved && existsSync(saved), `exported file ${saved}`);
    assert.match(readFileSync(saved, 'utf8'), /^run,label,model,adapter,set,version,n,generation,accuracy/);
    assert.deepEqual(pageErrors, []);
  });

  test('at 1024×700 the results table fits: accuracy and the CSV exports are not cut off', async () => {
    const small = await mode.browser.newPage({ viewport: { width: 1024, height: 700 } });
    await small.goto(`${server.url}#/evaluation`);
    const table = small.getByTestId('eval-results');
    await table.waitFor();
    await table.scrollIntoViewIfNeeded();
    await small.screenshot({ path: screenshotPath('evaluation-1024-results.png') });
    const box = await table.boundingBox();
    const parent = await small.getByTestId('eval-results').locator('xpath=..').boundingBox();
    assert.ok(box && parent && box.width <= parent.width + 1, `the table (${box?.width} px) fits its card (${parent?.width} px)`);
    for (const id of ['eval-export-summary', 'eval-accuracy']) {
      const el = await small.getByTestId(id).first().boundingBox();
      assert.ok(el && el.x + el.width <= 1024, `${id} inside the window (right edge ${el ? Math.round(el.x + el.width) : '?'} px)`);
    }
    await small.close();
  });
});
