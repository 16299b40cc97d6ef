import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { JobInfo } from '../../api/jobs.js';
import type { AppServices } from '../../main/app/index.js';
import { startServer, type RunningServer, type ServerOptions } from '../../main/server/server.js';
import { repoRoot } from '../helpers/shared.js';
import { ensureRendererBuilt, rendererDist } from './rendererBuild.js';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const screenshotDir = path.join(repoRoot, 'test-results', 'screenshots');

/** Returns a skip reason when no Chromium is installed (a clone elsewhere), undefined when present. */
export function needChromium(): string | undefined {
  if (existsSync(chromiumPath)) return undefined;
  const reason = `skipped: no Chromium at ${chromiumPath} (set CHROMIUM_PATH or apt-get install chromium)`;
  console.log(`# ${reason}`);
  return reason;
}

export function launchChromium(): Promise<Browser> {
  mkdirSync(screenshotDir, { recursive: true });
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

export function screenshotPath(name: string): string {
  return path.join(screenshotDir, name);
}

/** A fresh data folder under the system temp dir; the prefix tells which test left it behind. */
export function makeDataDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** The browser-mode options every e2e server shares: a free port, the demo set, the built renderer. */
export function e2eServerOptions(dataDir: string, overrides: Partial<ServerOptions> = {}): ServerOptions {
  return { dataDir, port: 0, seedDemo: true, rendererDir: rendererDist, ...overrides };
}

/**
 * Appends the page's uncaught errors to `errors`, and its console errors unless `console` is false.
 * Api errors answered with 4xx are expected in some tests; the browser logs each as a failed resource, so
 * those are left out.
 */
export function watchPageErrors(page: Page, errors: string[], options: { console?: boolean } = {}): string[] {
  page.on('pageerror', (err) => errors.push(err.message));
  if (options.console ?? true) {
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) errors.push(msg.text());
    });
  }
  return errors;
}

export interface BrowserMode {
  dataDir: string;
  server: RunningServer;
  browser: Browser;
  /** Closes the browser, the server, services `prepare` handed over, and removes the data folder. */
  close(): Promise<void>;
}

export interface BrowserModeOptions {
  /** Prefix of the temporary data folder. */
  prefix: string;
  /**
   * Runs on the fresh data folder before the server starts (fixture files, seeded rows). What it returns is
   * merged into the server options; `services` given that way are closed after the server.
   */
  prepare?: (dataDir: string) => Partial<ServerOptions> | void | Promise<Partial<ServerOptions> | void>;
}

/** The renderer built, a temporary data folder served in browser mode on a free port, and Chromium launched. */
export async function startBrowserMode(options: BrowserModeOptions): Promise<BrowserMode> {
  ensureRendererBuilt();
  const dataDir = makeDataDir(options.prefix);
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let services: AppServices | undefined;
  const close = async (): Promise<void> => {
    await browser?.close();
    await server?.close();
    await services?.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const extra = (await options.prepare?.(dataDir)) ?? {};
    services = extra.services;
    server = await startServer(e2eServerOptions(dataDir, extra));
    browser = await launchChromium();
    return { dataDir, server, browser, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Polls a job until `done` says so (by default: it ended), failing after `timeoutMs`. */
export async function waitForJob(
  server: RunningServer,
  id: string,
  done: (job: JobInfo) => boolean = (job) => ['completed', 'failed', 'cancelled'].includes(job.state),
  timeoutMs = 120_000,
): Promise<JobInfo> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await server.services.handlers['jobs.get']({ id });
    if (job && done(job)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} never reached the expected state (now ${job?.state})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
