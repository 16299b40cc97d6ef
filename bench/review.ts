/**
 * Review page: the next item on screen after a decision, with 10,000 items in the queue, in Chromium.
 * Measured inside the page from the keydown event of the decision to the first animation frame after the
 * next question's id is in the DOM (so the time includes the Api call, React's render and layout).
 * Decisions are number keys (pick an answer) and S (skip), pressed one after another as a reviewer would,
 * pausing `thinkMs` between them as a reviewer reads. Target p95 ≤ 100 ms. Results: bench/results/review.json.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createApp } from '../main/app/index.js';
import { startServer } from '../main/server/server.js';
import { launchChromium, needChromium } from '../tests/e2e/browser.js';
import { ensureRendererBuilt, rendererDist } from '../tests/e2e/rendererBuild.js';
import { repoRoot } from '../tests/helpers/shared.js';
import { createReviewFixture } from '../tests/main/review/fixture.js';
import { percentile, writeBenchResult } from './results.js';

export interface ReviewBenchResult {
  name: 'review';
  target: { p95Ms: number };
  queueItems: number;
  decisions: number;
  thinkMs: number;
  nextItemMs: { median: number; p95: number; max: number; mean: number };
  /** The same with no pause between decisions (prefetch cannot run ahead): the worst case. */
  backToBackMs: { median: number; p95: number; max: number };
  server: { queueLoadMs: number; itemMedianMs: number; decideMedianMs: number };
  pass: boolean;
  skipped?: string;
  measuredAt: string;
  machine: { cpus: number; platform: string };
}

type Marks = typeof globalThis & { __reviewMarks?: number[] };

/** The little of the DOM that functions run inside the page use (this code compiles without the DOM library). */
interface DomElement {
  getAttribute(name: string): string | null;
  textContent: string | null;
}
interface Dom {
  document: { querySelector(selector: string): DomElement | null; activeElement: DomElement | null };
}

/** Installed in the page: keydown → next question id in the DOM → next frame. */
const probe = `
(() => {
  window.__reviewMarks = [];
  let t0 = null;
  let last = document.querySelector('[data-testid="review-item"]')?.getAttribute('data-question-id') ?? null;
  window.addEventListener('keydown', () => { t0 = performance.now(); }, true);
  new MutationObserver(() => {
    const id = document.querySelector('[data-testid="review-item"]')?.getAttribute('data-question-id') ?? null;
    if (id === null || id === last) return;
    last = id;
    if (t0 === null) return;
    const start = t0;
    t0 = null;
    requestAnimationFrame(() => window.__reviewMarks.push(performance.now() - start));
  }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-question-id'] });
})();`;

const round = (v: number) => Math.round(v * 10) / 10;

export function reviewBenchPassed(r: ReviewBenchResult): boolean {
  return r.pass || r.skipped !== undefined;
}

export async function runReviewBench(options: { items?: number; decisions?: number; thinkMs?: number; log?: (line: string) => void } = {}): Promise<ReviewBenchResult> {
  const items = options.items ?? 10_000;
  const decisions = options.decisions ?? 150;
  const thinkMs = options.thinkMs ?? 300;
  const log = options.log ?? ((line: string) => console.log(line));
  const targetMs = 100;
  const base = {
    name: 'review' as const,
    target: { p95Ms: targetMs },
    queueItems: items,
    decisions,
    thinkMs,
    measuredAt: new Date().toISOString(),
    machine: { cpus: os.cpus().length, platform: `${process.platform}-${process.arch}` },
  };
  const noChromium = needChromium();
  if (noChromium) {
    const skipped: ReviewBenchResult = {
      ...base,
      nextItemMs: { median: NaN, p95: NaN, max: NaN, mean: NaN },
      backToBackMs: { median: NaN, p95: NaN, max: NaN },
      server: { queueLoadMs: NaN, itemMedianMs: NaN, decideMedianMs: NaN },
      pass: false,
      skipped: noChromium,
    };
    writeBenchResult('review', skipped);
    return skipped;
  }

  ensureRendererBuilt();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'medssr-bench-review-'));
  const app = await createApp({ dataDir, transport: 'http', seedDemo: true });
  const server = await startServer({ dataDir, port: 0, services: app, rendererDir: rendererDist });
  const browser = await launchChromium();
  try {
    const t = Date.now();
    const ds = createReviewFixture(app.context.db, { name: 'bench', count: items });
    log(`# fixture: ${items.toLocaleString()} questions with 8 samples each in ${Date.now() - t} ms`);

    // Server-side figures, in process, for the report.
    let started = performance.now();
    const queue = await app.handlers['review.queue']({ filter: { datasetIds: [ds], statuses: ['pending'] }, order: 'uncertainty', offset: 0, limit: 20_000 });
    const queueLoadMs = performance.now() - started;
    const itemTimes: number[] = [];
    for (const r of queue.rows.slice(5000, 5050)) {
      started = performance.now();
      await app.handlers['review.item']({ datasetId: r.datasetId, seq: r.seq });
      itemTimes.push(performance.now() - started);
    }
    const decideTimes: number[] = [];
    for (const r of queue.rows.slice(9950, 10_000)) {
      started = performance.now();
      await app.handlers['review.decide']({ datasetId: r.datasetId, seq: r.seq, decision: { kind: 'skip' }, adjudicate: false });
      decideTimes.push(performance.now() - started);
    }
    for (let i = 0; i < 50; i++) await app.handlers['review.undo']({});

    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(`${server.url}#/review`);
    await page.getByTestId('review-item').waitFor({ timeout: 30_000 });
    await page.waitForFunction((n) => ((globalThis as unknown as Dom).document.querySelector('[data-testid="review-counts"]')?.textContent ?? '').includes(`${n} in this queue`), items.toLocaleString('en-US'));
    await page.evaluate(probe);

    const measure = async (count: number, pause: number): Promise<number[]> => {
      await page.evaluate(() => {
        (globalThis as Marks).__reviewMarks = [];
      });
      for (let i = 0; i < count; i++) {
        const key = i % 7 === 6 ? 's' : String((i % 5) + 1);
        await page.keyboard.press(key);
        await page.waitForFunction((n) => ((globalThis as Marks).__reviewMarks ?? []).length >= n, i + 1, { timeout: 10_000 });
        if (pause) await page.waitForTimeout(pause);
      }
      return (await page.evaluate(() => (globalThis as Marks).__reviewMarks ?? [])).slice(0, count);
    };
    const paced = await measure(decisions, thinkMs);
    const backToBack = await measure(Math.min(50, decisions), 0);
    const reviewed = await app.handlers['review.audit']({ datasetIds: [ds], offset: 0, limit: 1 });

    const result: ReviewBenchResult = {
      ...base,
      nextItemMs: {
        median: round(percentile(paced, 50)),
        p95: round(percentile(paced, 95)),
        max: round(Math.max(...paced)),
        mean: round(paced.reduce((a, b) => a + b, 0) / paced.length),
      },
      backToBackMs: { median: round(percentile(backToBack, 50)), p95: round(percentile(backToBack, 95)), max: round(Math.max(...backToBack)) },
      server: { queueLoadMs: round(queueLoadMs), itemMedianMs: round(percentile(itemTimes, 50)), decideMedianMs: round(percentile(decideTimes, 50)) },
      pass: percentile(paced, 95) <= targetMs,
    };
    if (reviewed.total < decisions) throw new Error(`only ${reviewed.total} audit rows after ${decisions} decisions`);
    const file = writeBenchResult('review', result);
    log(
      `review: next item after a decision with ${items.toLocaleString()} in the queue: median ${result.nextItemMs.median} ms, ` +
        `p95 ${result.nextItemMs.p95} ms, max ${result.nextItemMs.max} ms over ${decisions} decisions (target p95 ≤ ${targetMs} ms: ${result.pass ? 'pass' : 'FAIL'}); ` +
        `back to back p95 ${result.backToBackMs.p95} ms; server: queue ${result.server.queueLoadMs} ms, item ${result.server.itemMedianMs} ms, decide ${result.server.decideMedianMs} ms → ${path.relative(repoRoot, file)}`,
    );
    return result;
  } finally {
    await browser.close();
    await server.close();
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  runReviewBench().then(
    (r) => process.exit(reviewBenchPassed(r) ? 0 : 1),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
