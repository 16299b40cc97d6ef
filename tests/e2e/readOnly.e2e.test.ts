/**
 * Browser mode over a read-only data folder, in Chromium: every page shows the read-only banner from the start
 * (at 1440×900 and 1024×700), the import buttons are disabled and say why, job starts are disabled, the nano model
 * build is not offered (nor advised on the Training page),
 * and no page logs an error. Root is not stopped by modes, so as root the folder is made
 * read-only by a private read-only bind mount around the server (unshare -m), as tests/main/server/readOnly does.
 * Screenshots: test-results/screenshots/readonly-<page>-<width>.png.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { createApp } from '../../main/app/index.js';
import { readOnlyBannerText } from '../../renderer/src/components/readOnlyText.js';
import { serve, type Served } from '../helpers/browserMode.js';
import { repoRoot } from '../helpers/shared.js';
import { removeDir, tempDir } from '../main/knowledge/fixtures.js';
import { launchChromium, needChromium, screenshotPath, watchPageErrors } from './browser.js';
import { ensureRendererBuilt } from './rendererBuild.js';

const root = process.getuid?.() === 0;
const pages = ['knowledge', 'synthesis', 'review', 'models', 'training', 'evaluation', 'settings'] as const;
const axePath = path.join(repoRoot, 'node_modules', 'axe-core', 'axe.min.js');

function readOnlySkip(): string | undefined {
  const chromium = needChromium();
  if (chromium) return chromium;
  if (process.platform !== 'linux') return 'skipped: read-only folders are set up with Linux mounts or modes';
  if (!root) return undefined;
  if (spawnSync('unshare', ['-m', 'sh', '-c', 'mount --bind -o ro / /']).status === 0) return undefined;
  const reason = 'skipped: running as root without the right to make a private read-only mount (unshare -m)';
  console.log(`# ${reason}`);
  return reason;
}

describe('browser mode over a read-only data folder, in Chromium', { skip: readOnlySkip() }, () => {
  let dir: string;
  let server: Served;
  let browser: Browser;

  before(async () => {
    ensureRendererBuilt();
    dir = tempDir('medssr-e2e-ro-');
    const app = await createApp({ dataDir: dir, transport: 'http', seedDemo: true });
    await app.close();
    if (!root) chmodSync(dir, 0o555);
    server = await serve(dir, root ? ['unshare', '-m', 'sh', '-c', 'mount --bind -o ro "$0" "$0" && exec "$@"', dir] : []);
    assert.match(server.stdout(), /\(read-only: serving reads; every change is refused\)/);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    if (server) {
      server.child.kill('SIGTERM');
      if (server.child.exitCode === null) await new Promise((r) => server.child.once('close', r));
    }
    if (existsSync(dir)) chmodSync(dir, 0o755);
    removeDir(dir);
  });

  test('every page shows the banner; imports are disabled and say why; no serious axe violation', { timeout: 180_000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, bypassCSP: true });
    const errors = watchPageErrors(page, []);
    const bad: string[] = [];
    for (const [width, height] of [
      [1440, 900],
      [1024, 700],
    ] as const) {
      await page.setViewportSize({ width, height });
      for (const area of pages) {
        await page.goto(`${server.url}#/${area}`);
        const banner = page.getByTestId('read-only-banner');
        await banner.waitFor({ timeout: 20_000 });
        assert.match((await banner.textContent()) ?? '', new RegExp(readOnlyBannerText.title.replace(/[.:]/g, '\\$&')), area);
        assert.ok(await banner.isVisible(), `${area}: the banner is on screen at ${width}px`);
        // The page's own chunk has loaded (its Suspense fallback is gone) before the screenshot and axe.
        await page.getByLabel('Loading the page').waitFor({ state: 'detached', timeout: 20_000 });
        await page.screenshot({ path: screenshotPath(`readonly-${area}-${width}.png`) });
        if (width === 1440 && existsSync(axePath)) {
          if (!(await page.evaluate(() => 'axe' in globalThis))) await page.addScriptTag({ path: axePath });
          const found = await page.evaluate(async () => {
            const g = globalThis as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: { id: string; impact: string | null }[] }> } };
            return (await g.axe.run({ exclude: [['.recharts-surface']] }, { resultTypes: ['violations'] })).violations.map((v) => ({ id: v.id, impact: v.impact }));
          });
          bad.push(...found.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${area}: ${v.id} (${v.impact})`));
        }
      }
    }
    assert.deepEqual(bad, [], 'axe: serious or critical violations with the banner');

    await page.goto(`${server.url}#/settings`);
    await page.getByTestId('import-read-only').waitFor();
    assert.ok(await page.getByRole('button', { name: 'Import ORPHApackets…' }).isDisabled(), 'Settings: import is disabled');
    await page.goto(`${server.url}#/knowledge`);
    await page.getByTestId('demo-banner').waitFor();
    assert.ok(await page.getByTestId('open-import').isDisabled(), 'Knowledge: import is disabled');
    assert.equal(await page.getByTestId('nano-offer').count(), 0, 'Knowledge: no offer to build a model into a read-only folder');
    // Job starts are disabled even with their inputs filled: the server would refuse them (409).
    await page.goto(`${server.url}#/models`);
    await page.getByTestId('model-path').fill('/tmp/model.gguf');
    assert.ok(await page.getByTestId('model-add').isDisabled(), 'Models: adding a model is disabled');
    await page.goto(`${server.url}#/synthesis`);
    await page.getByTestId('dataset-name').fill('ro-set');
    assert.ok(await page.getByTestId('synthesis-start').isDisabled(), 'Synthesis: a run cannot start');
    await page.goto(`${server.url}#/training`);
    await page.getByTestId('train-start').waitFor();
    assert.ok(await page.getByTestId('train-start').isDisabled(), 'Training: a run cannot start');
    assert.match((await page.getByTestId('train-start-why').textContent()) ?? '', /read-only/, 'Training: the disabled start says why');
    // The quick CPU demo preset (the default) shows the nano note; with no model and a read-only folder, none.
    await page.getByText('Quick CPU demo').first().waitFor();
    assert.equal(await page.getByTestId('train-nano').count(), 0, 'Training: no advice to build a nano model');
    assert.deepEqual(errors, [], 'no uncaught error or console error on any page');
    await page.close();
  });
});
