/**
 * Decontamination and the plan's shortfall in Chromium (browser mode, demo knowledge base, MedQA imported):
 * a dataset with a planted MedQA question shows the overlap warning on the Synthesis page and on the Training
 * form before a start; an adapter whose run trained on it warns on the Evaluation page; a plan asking for more
 * than the knowledge allows says why. Screenshots at 1440x900 and 1024x700 go to test-results/screenshots/.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createApp } from '../../main/app/index.js';
import { needShared, sharedPath } from '../helpers/shared.js';
import { plantDataset, plantTrainedAdapter } from '../main/synthesis/overlapFixture.js';
import { needChromium, screenshotPath, startBrowserMode, watchPageErrors, type BrowserMode } from './browser.js';

const benchFile = ['data', 'benchmarks', 'test_short_medqa.json'] as const;

describe('Decontamination in browser mode', { skip: needChromium() ?? needShared(...benchFile) }, () => {
  let mode: BrowserMode;
  const pageErrors: string[] = [];
  let adapter = '';
  let goldFile = '';

  before(async () => {
    mode = await startBrowserMode({
      prefix: 'medssr-e2e-decon-',
      prepare: async (dataDir) => {
        const file = sharedPath(...benchFile);
        const planted = (JSON.parse(readFileSync(file, 'utf8')) as { question: string }[])[5]!.question;
        const app = await createApp({ dataDir, transport: 'http', seedDemo: true });
        try {
          await app.call('evaluation.import', { path: file });
          plantDataset(app.context.db, 'planted', planted);
          adapter = plantTrainedAdapter(app.context.db, dataDir, 'on-planted', planted).adapter;
          // A stage-2 file of human-labelled questions, one of them a copy of the MedQA question.
          goldFile = path.join(dataDir, 'gold.json');
          const own = 'A 7-year-old boy is evaluated for arachnodactyly, ectopia lentis and aortic root dilatation. Which of the following is the most likely diagnosis?\nA. Marfan syndrome\nB. Homocystinuria';
          writeFileSync(goldFile, JSON.stringify([{ id: 'own-1', question: own, gold: 'A' }, { id: 'copied-1', question: planted, gold: 'A' }]));
        } finally {
          await app.close();
        }
      },
    });
  });
  after(() => mode?.close());

  for (const viewport of [
    { width: 1440, height: 900 },
    { width: 1024, height: 700 },
  ]) {
    test(`overlap warnings and the shortfall sentence at ${viewport.width}x${viewport.height}`, { timeout: 120_000 }, async () => {
      const page = await mode.browser.newPage({ viewport });
      watchPageErrors(page, pageErrors, { console: false });
      const size = `${viewport.width}x${viewport.height}`;
      await page.goto(`${mode.server.url}#/synthesis`);
      // The forms' remembered values (sessionStorage): the planted dataset for training, the adapter for evaluation.
      await page.evaluate(
        ({ a, g }) => {
          const store = (globalThis as unknown as { sessionStorage: { setItem(k: string, v: string): void } }).sessionStorage;
          store.setItem('medssr.form.training.dataset', JSON.stringify('planted'));
          store.setItem('medssr.form.training.useStage2', JSON.stringify(true));
          store.setItem('medssr.form.training.files', JSON.stringify(g));
          store.setItem('medssr.form.evaluation.adapter', JSON.stringify(a));
        },
        { a: adapter, g: goldFile },
      );
      await page.getByTestId('synthesis-page').waitFor();

      // More than the demo knowledge allows: the sentence says how far the run goes and why.
      await page.getByTestId('plan-count').fill('24');
      for (const t of ['gene', 'inheritance']) await page.getByTestId(`weight-questionType-${t}`).fill('0');
      const summary = page.getByTestId('allocation-summary').filter({ hasText: /Planned 24\b/ });
      await summary.waitFor();
      const achievable = Number(/achievable (\d+)/.exec((await summary.textContent()) ?? '')?.[1]);
      assert.ok(achievable < 24, `the demo knowledge cannot fill 24 diagnosis questions (achievable ${achievable})`);
      const shortfall = page.getByTestId('allocation-shortfall');
      await shortfall.waitFor();
      assert.match((await shortfall.textContent()) ?? '', new RegExp(`Only ${achievable} of the 24 planned questions can be built from this knowledge with these constraints: no disorder fits diagnosis · medium\\. The run will stop at ${achievable} `));
      await shortfall.scrollIntoViewIfNeeded();
      await page.screenshot({ path: screenshotPath(`synthesis-shortfall-${size}.png`) });

      // The planted dataset: a warning with counts and the pair.
      const report = page.locator('[data-testid="overlap-report"][data-state="overlap"]');
      await report.waitFor();
      assert.match((await page.getByTestId('overlap-row-medqa').textContent()) ?? '', /medqa v1\s*1 of 2\s*1 of 2/);
      await report.getByTestId('overlap-examples-toggle').click();
      await report.getByText(/Shared 13-gram and near-duplicate \(Jaccard 1\)/).waitFor();
      await report.locator('.MuiCollapse-entered').waitFor();
      await page.screenshot({ path: screenshotPath(`decontamination-synthesis-${size}.png`), fullPage: true });

      await page.goto(`${mode.server.url}#/training`);
      const training = page.locator('[data-testid="training-overlap"] [data-testid="overlap-report"][data-state="overlap"]');
      await training.waitFor();
      assert.match((await training.textContent()) ?? '', /Stage 1 dataset "planted" v1 overlaps medqa/);
      // Stage 2's file, checked the same way before the start: which file, which benchmark, how many, a pair.
      const stage2 = page.locator('[data-testid="training-overlap-stage2"] [data-testid="overlap-report-stage2"][data-state="overlap"]');
      await stage2.waitFor();
      assert.match((await stage2.textContent()) ?? '', /Stage 2 files gold\.json overlaps medqa/);
      assert.match((await stage2.getByTestId('overlap-row-medqa').textContent()) ?? '', /medqa v1\s*1 of 2\s*1 of 2/);
      await stage2.getByTestId('overlap-examples-toggle').click();
      await stage2.getByText(/file:gold\.json:copied-1 ↔ medqa /).waitFor();
      await stage2.locator('.MuiCollapse-entered').waitFor();
      await training.scrollIntoViewIfNeeded();
      await page.screenshot({ path: screenshotPath(`decontamination-training-${size}.png`) });
      await stage2.scrollIntoViewIfNeeded();
      await page.screenshot({ path: screenshotPath(`decontamination-training-stage2-${size}.png`) });

      await page.goto(`${mode.server.url}#/evaluation`);
      await page.getByRole('checkbox', { name: 'medqa' }).check();
      const evalWarning = page.locator('[data-testid="eval-adapter-overlap-report"][data-state="overlap"]');
      await evalWarning.waitFor();
      assert.match((await evalWarning.textContent()) ?? '', /This adapter: the training data of run "on-planted" overlaps medqa/);
      await evalWarning.scrollIntoViewIfNeeded();
      await page.screenshot({ path: screenshotPath(`decontamination-evaluation-${size}.png`) });
      assert.deepEqual(pageErrors, []);
      await page.close();
    });
  }
});
