/**
 * A job interrupted by a restart shows as interrupted in the job menu and resumes from there; a running job
 * shows its progress in the top bar and can be cancelled (a job too long to finish first, so only a real cancel passes).
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { parseInput } from '../../api/contract.js';
import { startServer, type RunningServer } from '../../main/server/server.js';
import { needShared, sharedPath } from '../helpers/shared.js';
import { e2eServerOptions, launchChromium, makeDataDir, needChromium, screenshotPath, waitForJob } from './browser.js';
import { ensureRendererBuilt } from './rendererBuild.js';

const skip = needChromium() ?? needShared('data', 'orphapacket', 'json');
const packetsDir = sharedPath('data', 'orphapacket', 'json');

describe('jobs in the UI', { skip }, () => {
  let dataDir: string;
  let server: RunningServer | null = null;
  let browser: Browser;

  before(async () => {
    ensureRendererBuilt();
    dataDir = makeDataDir('medssr-e2e-jobs-');
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('an import interrupted by a restart is shown as interrupted and resumes from the job menu', async () => {
    server = await startServer(e2eServerOptions(dataDir));
    const { jobId } = await server.services.handlers['knowledge.import']({ path: packetsDir, skipInvalid: false });
    await waitForJob(server, jobId, (j) => j.state === 'running' && j.progress.done > 0, 60_000);
    await server.close();

    server = await startServer(e2eServerOptions(dataDir));
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(server.url);
    const indicator = page.getByTestId('job-indicator');
    await indicator.filter({ hasText: '1 interrupted' }).waitFor();
    await indicator.click();
    const card = page.locator(`[data-testid="job-card"][data-job-state="interrupted"]`);
    await card.waitFor();
    await page.screenshot({ path: screenshotPath('08-job-interrupted.png') });
    await card.getByRole('button', { name: 'Resume' }).click();
    await page.locator('[data-testid="job-card"][data-job-state="running"], [data-testid="job-card"][data-job-state="completed"]').first().waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('result-count').filter({ hasText: '9,960 entries' }).waitFor({ timeout: 60_000 });
    const job = await waitForJob(server, jobId, (j) => j.state === 'completed', 60_000);
    assert.equal(job.state, 'completed');
    await page.getByTestId('demo-banner').waitFor({ state: 'detached' });
    await page.close();
  });

  test('a running job shows its progress in the top bar and can be cancelled', { skip: needShared('models', 'stories260K.gguf') }, async () => {
    assert.ok(server);
    const handlers = server.services.handlers;
    // A job that cannot complete within this test, whatever the machine: labelling 5,000 questions with 16 samples
    // each from the tiny model is at least 80,000 generations (hours of tokens at its few hundred tokens/s), while
    // this test gives the cancel 60 s. So "completed" is no longer an acceptable outcome: only "cancelled" is.
    const synth = await handlers['synthesis.start'](parseInput('synthesis.start', { dataset: 'cancel-me', plan: { count: 5000, weights: {} }, seed: 1 }));
    const built = await waitForJob(server, synth.jobId, (j) => j.state !== 'queued' && j.state !== 'running', 120_000);
    assert.equal(built.state, 'completed', `synthesis ${built.state}: ${built.error}`);
    const { jobId } = await handlers['labeling.start'](
      parseInput('labeling.start', { dataset: 'cancel-me', modelPath: sharedPath('models', 'stories260K.gguf'), sampling: { samples: 16, maxTokens: 1024 }, parallel: 16, threads: 1 }),
    );
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(server.url);
    await page.getByTestId('disorder-row').first().waitFor();
    const indicator = page.getByTestId('job-indicator');
    await indicator.locator('.MuiCircularProgress-root').waitFor();
    await page.screenshot({ path: screenshotPath('09-job-running.png') });
    await indicator.click();
    const card = page.locator('[data-testid="job-card"][data-job-state="running"]');
    await card.getByRole('button', { name: 'Cancel' }).click();
    const job = await waitForJob(server, jobId, (j) => j.state !== 'running' && j.state !== 'queued', 60_000);
    assert.equal(job.state, 'cancelled', `${job.state}: ${job.error}`);
    assert.ok(job.progress.total === null || job.progress.done < job.progress.total, `cancelled midway: ${job.progress.done} of ${job.progress.total}`);
    await page.locator('[data-testid="job-card"][data-job-state="cancelled"]').first().waitFor();
    await page.close();
  });
});
