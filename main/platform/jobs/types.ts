import type { JobKind } from '../../../api/jobs.js';

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

export function defineJobHandler<P, R, C = unknown>(handler: JobHandler<P, R, C>): AnyJobHandler {
  return handler as unknown as AnyJobHandler;
}
