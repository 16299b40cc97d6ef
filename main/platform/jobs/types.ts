import type { JobKind, JobParams, JobResults } from '../../../api/jobs.js';

export interface ProgressUpdate {
  done: number;
  total?: number | null;
  message?: string;
  /** Unit for the rate the runner computes from `done` over time, e.g. "packets". */
  unit?: string;
}

/** What a running job gets from the runner. */
export interface JobContext<C = unknown> {
  readonly jobId: string;
  /** Aborted on cancel and on app shutdown; long work checks it and stops promptly. */
  readonly signal: AbortSignal;
  /** State saved by an earlier run of this job (set when the job is resumed), else null. */
  readonly checkpoint: C | null;
  /** Report progress as often as convenient; the runner throttles events and writes. */
  progress(update: ProgressUpdate): void;
  /** Persist resumable state; a resumed run receives it as `checkpoint`. */
  saveCheckpoint(state: C): void;
}

/**
 * One kind of long-running work, implemented by a domain (knowledge import, synthesis, labeling, ...) and
 * registered with the runner. Params are validated by `parseParams` before anything is stored.
 */
export interface JobHandler<P = unknown, R = unknown, C = unknown> {
  kind: JobKind;
  parseParams(raw: unknown): P;
  title(params: P): string;
  run(params: P, ctx: JobContext<C>): Promise<R>;
}

/** Type-erased handler as the runner stores it. */
export type AnyJobHandler = JobHandler<unknown, unknown, unknown>;

/** A kind's handler: its params and result are the ones api/jobs.ts declares for that kind (the CLI and renderer read them). */
export function defineJobHandler<K extends JobKind, C = unknown>(handler: JobHandler<JobParams[K], JobResults[K], C> & { kind: K }): AnyJobHandler {
  return eraseJobHandler(handler);
}

/** Any handler, its types erased for the runner (the runner's own tests use kinds with made-up params). */
export function eraseJobHandler<P, R, C>(handler: JobHandler<P, R, C>): AnyJobHandler {
  return handler as unknown as AnyJobHandler;
}
