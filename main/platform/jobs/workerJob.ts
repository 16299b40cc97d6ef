/**
 * Runs a job's work in a worker thread: cancellation through a shared flag the worker polls (a worker busy in
 * synchronous SQLite writes cannot receive messages), progress relayed to the job, and one settlement whatever
 * the worker does (result, error message, crash or exit).
 */
import type { JobContext, ProgressUpdate } from './types.js';
import { spawnWorker } from './spawnWorker.js';

/** What one message from the worker means to the job. */
export type WorkerOutcome<R> = { progress: ProgressUpdate } | { result: R } | { error: Error };

export interface WorkerJobOptions<M, R> {
  /** `import.meta.url` of the module next to the worker's entry. */
  callerUrl: string;
  moduleBaseName: string;
  /** Names the worker in the error when it stops without an answer, e.g. "Import worker". */
  label: string;
  /** The worker's data, carrying the flag it polls: an Int32 at 0 that becomes 1 on cancel. */
  workerData(cancelFlag: SharedArrayBuffer): unknown;
  interpret(message: M): WorkerOutcome<R>;
  /** The worker failed before posting anything (it could not even load): the job's result from elsewhere. */
  onStartFailure?(err: Error): Promise<R>;
}

export function runWorkerJob<M, R>(ctx: JobContext<unknown>, options: WorkerJobOptions<M, R>): Promise<R> {
  const cancelFlag = new SharedArrayBuffer(4);
  const worker = spawnWorker(options.callerUrl, options.moduleBaseName, { workerData: options.workerData(cancelFlag) });
  const onAbort = () => Atomics.store(new Int32Array(cancelFlag), 0, 1);
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  return new Promise<R>((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      ctx.signal.removeEventListener('abort', onAbort);
      fn();
    };
    let heard = false;
    worker.on('message', (m: M) => {
      heard = true;
      const outcome = options.interpret(m);
      if ('progress' in outcome) ctx.progress(outcome.progress);
      else if ('result' in outcome) settle(() => resolve(outcome.result));
      else settle(() => reject(outcome.error));
    });
    worker.on('error', (err) => {
      const fallback = options.onStartFailure;
      if (heard || !fallback) settle(() => reject(err));
      else settle(() => resolve(fallback(err)));
    });
    // Give messages the worker posted just before it ended a moment to arrive before calling it a crash.
    worker.on('exit', (code) => {
      setTimeout(() => settle(() => reject(new Error(`${options.label} stopped unexpectedly (exit code ${code})`))), 50);
    });
  });
}
