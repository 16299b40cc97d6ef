/**
 * The Models page in Chromium against browser mode: add a GGUF by path and see its metadata and where it
 * runs; a file that is not a model is refused with its name. Screenshot in test-results/screenshots/.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { needShared, sharedPath } from '../helpers/shared.js';
import { needChromium, screenshotPath, startBrowserMode, type BrowserMode } from './browser.js';

describe('Models page in browser mode', { skip: needChromium() ?? needShared('models', 'stories260K.gguf') }, () => {
  let mode: BrowserMode;
  let page: Page;

  before(async () => {
    mode = await startBrowserMode({ prefix: 'medssr-e2e-models-' });
    page = await mode.browser.newPage({ viewport: { width: 1440, height: 800 } });
  });

  after(() => mode?.close());

  test('add stories260K, read its metadata, check where it runs; refuse a non-model', { timeout: 120_000 }, async () => {
    await page.goto(`${mode.server.url}#/models`);
    await page.getByTestId('models-page').waitFor();
    const bad = path.join(mode.dataDir, 'not-a-model.gguf');
    writeFileSync(bad, 'hello');
    await page.getByTestId('model-path').fill(bad);
    await page.getByTestId('model-add').click();
    await page.getByTestId('model-error').waitFor();
    assert.match((await page.getByTestId('model-error').textContent()) ?? '', /not-a-model\.gguf: not a GGUF file/);

    await page.getByTestId('model-path').fill(sharedPath('models', 'stories260K.gguf'));
    await page.getByTestId('model-add').click();
    const row = page.getByTestId('model-row').first();
    await row.waitFor();
    const text = (await row.textContent()) ?? '';
    assert.match(text, /llama/);
    assert.match(text, /F32/);
    assert.match(text, /2048/);
    assert.match(text, /none \(base prompt\)/);
    await row.getByRole('button', { name: 'Check' }).click();
    await page.getByTestId('model-fit').filter({ hasText: /CPU|GPU/ }).waitFor();
    await page.screenshot({ path: screenshotPath('models-01-registered.png'), fullPage: true });
  });

  test('adapters from training runs are listed; Download refuses a bad URI and fails fast offline', { timeout: 60_000 }, async () => {
    await page.goto(`${mode.server.url}#/models`);
    const adapters = page.getByTestId('models-adapters');
    await adapters.waitFor();
    assert.match((await adapters.textContent()) ?? '', /Adapters from training runs/);
    await adapters.getByTestId('training-adapters').getByRole('columnheader', { name: 'Quick eval' }).waitFor();

    await page.getByTestId('model-download').click();
    const dialog = page.getByTestId('download-dialog');
    await page.getByTestId('download-uri').fill('ftp://example.org/model.gguf');
    assert.equal(await page.getByTestId('download-start').isDisabled(), true, 'a bad URI cannot be submitted');
    await page.getByTestId('download-uri').fill('hf:ggml-org/models:Q4_K_M');
    const started = Date.now();
    await page.getByTestId('download-start').click();
    // This machine has no route to Hugging Face: the job must fail within seconds, saying why.
    await page.getByTestId('download-failed').waitFor({ timeout: 15_000 });
    assert.ok(Date.now() - started < 15_000);
    assert.match((await page.getByTestId('download-failed').textContent()) ?? '', /No network: cannot reach huggingface\.co/);
    await dialog.screenshot({ path: screenshotPath('models-02-download-offline.png') });
    await page.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.screenshot({ path: screenshotPath('models-03-adapters.png'), fullPage: true });
  });
});
