/**
 * The demo flow uses the nano demo model when one is built: the Training page's quick CPU demo and the Evaluation
 * page's example say so and fill it in (model, stage-2 file; held-out set selected); with none built, both say what
 * a model that never writes "The answer is" shows. The model here is a tiny random GGUF with a card and split file
 * (the wiring is tested, not the model: tests/main/demoModel/pipeline.test.ts runs a real one). Loading the example
 * registers the model, so Max tokens is sized to its 512-token context (256), never left at 4096.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Locator } from 'playwright-core';
import type { RunningServer } from '../../main/server/server.js';
import { needTinyModels } from '../helpers/tinyModels.js';
import { writeFakeNanoModel } from '../main/demoModel/fixtures.js';
import { needChromium, screenshotPath, startBrowserMode, watchPageErrors, type BrowserMode } from './browser.js';

const skip = needChromium() ?? needTinyModels();

async function valueBecomes(field: Locator, want: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while ((await field.inputValue()) !== want) {
    if (Date.now() > deadline) throw new Error(`the field shows "${await field.inputValue()}", not "${want}"`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('nano demo model in the demo flow', { skip }, () => {
  let mode: BrowserMode;
  let dataDir: string;
  let server: RunningServer;
  let browser: Browser;
  before(async () => {
    mode = await startBrowserMode({ prefix: 'medssr-e2e-nano-' });
    ({ dataDir, server, browser } = mode);
  });
  after(() => mode?.close());

  test('none built: the Training and Evaluation pages say what the demo shows without it', { timeout: 60_000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors = watchPageErrors(page, []);
    await page.goto(new URL('#/training', server.url).href);
    const note = page.getByTestId('train-nano');
    await note.waitFor();
    assert.equal(await note.getAttribute('data-nano'), 'absent');
    assert.match(await note.innerText(), /No nano demo model is built.*reward 0 at every step/s);
    await page.screenshot({ path: screenshotPath('60-training-nano-absent.png') });
    await page.goto(new URL('#/evaluation', server.url).href);
    const evalNote = page.getByTestId('eval-nano');
    await evalNote.waitFor();
    assert.equal(await evalNote.getAttribute('data-nano'), 'absent');
    assert.match(await evalNote.innerText(), /recovery pass.*near chance/s);
    assert.equal(await page.getByTestId('eval-nano-use').count(), 0);
    await page.screenshot({ path: screenshotPath('61-evaluation-nano-absent.png') });
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('one built: the quick CPU demo trains it with its stage-2 questions; the Evaluation example loads its held-out set', { timeout: 60_000 }, async () => {
    const model = writeFakeNanoModel(path.join(dataDir, 'models'), 1, { heldOut: 5, stage2: 4 });
    for (const viewport of [{ width: 1440, height: 900 }, { width: 1024, height: 700 }]) {
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      const errors = watchPageErrors(page, []);
      await page.goto(new URL('#/training', server.url).href);
      const note = page.getByTestId('train-nano');
      await note.waitFor();
      assert.equal(await note.getAttribute('data-nano'), 'present');
      // The quick CPU demo picks the nano model by itself; one click adds its stage-2 questions.
      const modelField = page.getByTestId('train-model').locator('input');
      await valueBecomes(modelField, model);
      assert.match(await note.innerText(), /trains the nano demo model nano-demo-s1.*near chance/s);
      await page.getByTestId('train-nano-use').click();
      await valueBecomes(page.getByPlaceholder(/human_labelled\.json/), model.replace(/\.gguf$/, '.stage2.json'));
      assert.equal(await modelField.inputValue(), model);
      assert.ok(await page.getByRole('checkbox', { name: /Stage 2: human-labelled/ }).isChecked());
      assert.equal(await page.getByTestId('train-nano-use').count(), 0, 'nothing left to fill in');
      await page.screenshot({ path: screenshotPath(`62-training-nano-${viewport.width}.png`) });

      await page.goto(new URL('#/evaluation', server.url).href);
      const evalNote = page.getByTestId('eval-nano');
      await evalNote.waitFor();
      assert.equal(await evalNote.getAttribute('data-nano'), 'present');
      await page.getByTestId('eval-nano-use').click();
      await page.getByTestId('eval-nano-loaded').waitFor();
      assert.match(await page.getByTestId('eval-nano-loaded').innerText(), /5 held-out questions selected/);
      const item = page.getByTestId('benchmark-item').filter({ hasText: 'nano-heldout' });
      assert.ok(await item.getByRole('checkbox').isChecked(), 'the held-out set is imported and ticked');
      assert.equal(await page.getByTestId('eval-model').inputValue(), model);
      // Registered by the example: max tokens follows the model's 512-token context.
      await valueBecomes(page.getByTestId('eval-max-tokens'), '256');
      assert.ok(await page.getByTestId('eval-start').isEnabled());
      await page.screenshot({ path: screenshotPath(`63-evaluation-nano-${viewport.width}.png`) });
      assert.deepEqual(errors, []);
      await context.close();
    }
    const sets = await server.services.handlers['evaluation.benchmarks']({});
    assert.equal(sets.filter((s) => s.name === 'nano-heldout').length, 1, 'loading the example twice imports the set once');
    const registered = (await server.services.handlers['models.list']({})).filter((m) => m.path === model);
    assert.equal(registered.length, 1, 'and registers its model once');
  });
});
