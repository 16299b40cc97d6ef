/**
 * Durable job queue backed by the `jobs` table. Jobs of the same kind run one after another; different
 * kinds run side by side. On start-up, jobs a previous process left running are marked 'interrupted' and
 * can be resumed (their saved checkpoint goes back to the handler).
 */
import { randomUUID } from 'node:crypto';
import { ApiError, errorMessage } from '../../../api/contract.js';
import type { JobInfo, JobKind, JobProgress } from '../../../api/jobs.js';
import type { Db } from '../db/open.js';
import { JobsRepo } from './store.js';
import type { AnyJobHandler, JobContext, ProgressUpdate } from './types.js';

const TERMINAL = new Set(['completed', 'failed', 'cancelled', 'interrupted']);
const EVENT_INTERVAL_MS = 150;
const PERSIST_INTERVAL_MS = 1000;

interface Running {
  controller: AbortController;
  done: Promise<void>;
  progress: JobProgress;
  lastEvent: number;
  lastPersist: number;
  pendingEvent: NodeJS.Timeout | null;
  startedAtMs: number;
  firstDone: number;
}

export interface JobRunnerOptions {
  onChange?: (job: JobInfo) => void;
}

export function isTerminal(state: string): boolean {
  return TERMINAL.has(state);
}

export class JobRunner {
  readonly repo: JobsRepo;
  private readonly handlers = new Map<JobKind, AnyJobHandler>();
  private readonly queue: string[] = [];
  private readonly running = new Map<string, Running>();
  private readonly waiters = new Map<string, ((job: JobInfo) => void)[]>();
  private readonly listeners = new Set<(job: JobInfo) => void>();
  private closing = false;
  /** Ids marked 'interrupted' when this runner started. */
  readonly interruptedAtStart: string[];

  constructor(db: Db, options: JobRunnerOptions = {}) {
    this.repo = new JobsRepo(db);
    if (options.onChange) this.listeners.add(options.onChange);
    this.interruptedAtStart = this.repo.markInterrupted();
  }

  register(handler: AnyJobHandler): void {
    if (this.handlers.has(handler.kind)) throw new Error(`A job handler for "${handler.kind}" is already registered`);
    this.handlers.set(handler.kind, handler);
  }

  onChange(listener: (job: JobInfo) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  list(): JobInfo[] {
    return this.repo.list().map((j) => this.withLiveProgress(j));
  }

  get(id: string): JobInfo | null {
    const job = this.repo.get(id);
    return job ? this.withLiveProgress(job) : null;
  }

  /** Validates params, stores the job as queued and starts it when its kind is free. */
  start(kind: JobKind, rawParams: unknown): JobInfo {
    if (this.closing) throw new ApiError('conflict', 'The app is shutting down');
    const handler = this.handlers.get(kind);
    if (!handler) throw new ApiError('bad-input', `No job handler for kind "${kind}"`);
    let params: unknown;
    try {
      params = handler.parseParams(rawParams);
    } catch (err) {
      throw new ApiError('bad-input', `Invalid parameters for ${kind}: ${errorMessage(err)}`);
    }
    const job: JobInfo = {
      id: randomUUID(),
      kind,
      title: handler.title(params),
      state: 'queued',
      progress: { done: 0, total: null, message: 'Waiting to start' },
      params,
      result: null,
      error: null,
      createdAt: new Date().toISOString(),
      startedAt: null,
      finishedAt: null,
    };
    this.repo.insert(job);
    this.queue.push(job.id);
    this.emit(job);
    this.pump();
    return this.get(job.id) ?? job;
  }

  async cancel(id: string): Promise<JobInfo> {
    const job = this.require(id);
    const live = this.running.get(id);
    if (live) {
      live.controller.abort(new Error('Cancelled'));
      await Promise.race([live.done, graceDelay(10000)]);
      return this.require(id);
    }
    if (job.state === 'queued' || job.state === 'interrupted') {
      const i = this.queue.indexOf(id);
      if (i >= 0) this.queue.splice(i, 1);
      this.finish(id, { state: 'cancelled', error: 'Cancelled' });
      return this.require(id);
    }
    throw new ApiError('conflict', `Job ${id} is already ${job.state}`);
  }

  /** Queues an interrupted, failed or cancelled job again; its checkpoint (if any) is handed to the handler. */
  resume(id: string): JobInfo {
    const job = this.require(id);
    if (!['interrupted', 'failed', 'cancelled'].includes(job.state)) {
      throw new ApiError('conflict', `Job ${id} is ${job.state}; only interrupted, failed or cancelled jobs can be resumed`);
    }
    if (!this.handlers.has(job.kind)) throw new ApiError('bad-input', `No job handler for kind "${job.kind}"`);
    this.repo.update(id, { state: 'queued', error: null, finishedAt: null, progress: { ...job.progress, message: 'Waiting to resume' } });
    this.repo.claim(id);
    this.queue.push(id);
    this.emit(this.require(id));
    this.pump();
    return this.require(id);
  }

  /** Resolves with the job once it has reached a terminal state. */
  waitFor(id: string): Promise<JobInfo> {
    const job = this.require(id);
    if (isTerminal(job.state) && !this.running.has(id) && !this.queue.includes(id)) return Promise.resolve(job);
    return new Promise((resolve) => {
      const list = this.waiters.get(id) ?? [];
      list.push(resolve);
      this.waiters.set(id, list);
    });
  }

  /** Stops running jobs; they are left 'interrupted' so the next start can resume them. */
  async close(): Promise<void> {
    this.closing = true;
    this.queue.length = 0;
    const all = [...this.running.values()];
    for (const r of all) r.controller.abort(new Error('App shutting down'));
    await Promise.all(all.map((r) => Promise.race([r.done, graceDelay(15000)])));
  }

  private require(id: string): JobInfo {
    const job = this.get(id);
    if (!job) throw new ApiError('not-found', `No job with id ${id}`);
    return job;
  }

  private withLiveProgress(job: JobInfo): JobInfo {
    const live = this.running.get(job.id);
    return live ? { ...job, progress: live.progress } : job;
  }

  private pump(): void {
    if (this.closing) return;
    const busyKinds = new Set<JobKind>();
    for (const id of this.running.keys()) {
      const j = this.repo.get(id);
      if (j) busyKinds.add(j.kind);
    }
    for (let i = 0; i < this.queue.length; ) {
      const id = this.queue[i] as string;
      const job = this.repo.get(id);
      if (!job || job.state !== 'queued') {
        this.queue.splice(i, 1);
        continue;
      }
      if (busyKinds.has(job.kind)) {
        i++;
        continue;
      }
      this.queue.splice(i, 1);
      busyKinds.add(job.kind);
      this.launch(job);
    }
  }

  private launch(job: JobInfo): void {
    const handler = this.handlers.get(job.kind);
    if (!handler) {
      this.finish(job.id, { state: 'failed', error: `No job handler for kind "${job.kind}"` });
      return;
    }
    const controller = new AbortController();
    const startedAt = new Date().toISOString();
    const live: Running = {
      controller,
      done: Promise.resolve(),
      progress: { ...job.progress, message: 'Starting' },
      lastEvent: 0,
      lastPersist: 0,
      pendingEvent: null,
      startedAtMs: Date.now(),
      firstDone: job.progress.done,
    };
    this.running.set(job.id, live);
    this.repo.update(job.id, { state: 'running', startedAt, progress: live.progress });
    this.emit(this.require(job.id));

    const ctx: JobContext<unknown> = {
      jobId: job.id,
      signal: controller.signal,
      checkpoint: this.repo.getCheckpoint(job.id),
      progress: (u) => this.progress(job.id, u),
      saveCheckpoint: (state) => this.repo.setCheckpoint(job.id, state),
    };
    live.done = (async () => {
      try {
        const result = await handler.run(job.params, ctx);
        if (controller.signal.aborted) this.settleAborted(job.id);
        else {
          const p = live.progress;
          this.finish(job.id, { state: 'completed', result, progress: { ...p, done: p.total ?? p.done, message: 'Done', etaSeconds: 0 } });
        }
      } catch (err) {
        if (controller.signal.aborted) this.settleAborted(job.id);
        else this.finish(job.id, { state: 'failed', error: errorMessage(err) });
      }
    })();
  }

  private settleAborted(id: string): void {
    if (this.closing) this.finish(id, { state: 'interrupted', error: 'The app stopped while this job was running' });
    else this.finish(id, { state: 'cancelled', error: 'Cancelled' });
  }

  private progress(id: string, u: ProgressUpdate): void {
    const live = this.running.get(id);
    if (!live) return;
    const now = Date.now();
    // A job that moves to its next phase restarts its count; the rate must restart with it.
    const unit = u.unit ?? live.progress.rate?.unit ?? 'items';
    if (u.done < live.progress.done || unit !== (live.progress.rate?.unit ?? unit)) {
      live.startedAtMs = now;
      live.firstDone = u.done;
    }
    const total = u.total === undefined ? live.progress.total : u.total;
    const progress: JobProgress = { done: u.done, total, message: u.message ?? live.progress.message };
    const elapsed = (now - live.startedAtMs) / 1000;
    const advanced = u.done - live.firstDone;
    if (elapsed > 0.5 && advanced > 0) {
      const rate = advanced / elapsed;
      progress.rate = { value: Math.round(rate * 10) / 10, unit };
      progress.etaSeconds = total !== null && total !== undefined ? Math.max(0, Math.round((total - u.done) / rate)) : null;
    }
    live.progress = progress;
    if (now - live.lastPersist >= PERSIST_INTERVAL_MS) {
      live.lastPersist = now;
      try {
        if (!this.repo.tryUpdateProgress(id, progress)) live.lastPersist = 0;
      } catch (err) {
        // Stored progress is only for display after a restart; a busy database must not break the job.
        console.warn(`could not store progress of job ${id}:`, err instanceof Error ? err.message : err);
      }
    }
    if (now - live.lastEvent >= EVENT_INTERVAL_MS) {
      live.lastEvent = now;
      this.emitLive(id);
    } else if (!live.pendingEvent) {
      live.pendingEvent = setTimeout(() => {
        live.pendingEvent = null;
        live.lastEvent = Date.now();
        if (this.running.has(id)) this.emitLive(id);
      }, EVENT_INTERVAL_MS - (now - live.lastEvent));
    }
  }

  private emitLive(id: string): void {
    const job = this.get(id);
    if (job) this.emit(job);
  }

  private finish(id: string, patch: Partial<Pick<JobInfo, 'state' | 'result' | 'error' | 'progress'>>): void {
    const live = this.running.get(id);
    if (live?.pendingEvent) clearTimeout(live.pendingEvent);
    const progress = patch.progress ?? live?.progress;
    this.running.delete(id);
    this.repo.update(id, { ...patch, ...(progress ? { progress } : {}), finishedAt: new Date().toISOString() });
    const job = this.require(id);
    this.emit(job);
    const waiters = this.waiters.get(id);
    if (waiters) {
      this.waiters.delete(id);
      for (const w of waiters) w(job);
    }
    this.pump();
  }

  private emit(job: JobInfo): void {
    for (const l of this.listeners) {
      try {
        l(job);
      } catch (err) {
        console.error('job listener failed:', err);
      }
    }
  }
}

/** A wait that bounds how long we give a job to stop; unref'd so it never keeps the process alive by itself. */
function graceDelay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
