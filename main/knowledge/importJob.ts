/** The 'import-orphanet' job: runs the importer in a worker thread and relays its progress. */
import path from 'node:path';
import { importJobParamsSchema, type JobParams } from '../../api/jobs.js';
import type { ImportReport } from '../../api/knowledge.js';
import type { Db } from '../platform/db/open.js';
import { defineJobHandler, type AnyJobHandler, type JobContext, type ProgressUpdate } from '../platform/jobs/types.js';
import { runWorkerJob } from '../platform/jobs/workerJob.js';
import { ImportCancelled, ImportError } from './errors.js';
import { importOrphanet, type ImportProgress } from './importer.js';
import type { ImportWorkerData, ImportWorkerMessage } from './importWorkerProtocol.js';

export type ImportParams = JobParams['import-orphanet'];

export interface ImportJobDeps {
  db: Db;
  dbPath: string;
  /** Called after a successful import (cache invalidation, 'knowledge.changed' event). */
  onImported(report: ImportReport): void;
}

function progressUpdate(p: ImportProgress): ProgressUpdate {
  return { done: p.done, total: p.total, message: p.message, unit: p.phase === 'reading' ? 'files' : 'packets' };
}

function runInProcess(deps: ImportJobDeps, params: ImportParams, ctx: JobContext<unknown>): Promise<ImportReport> {
  return importOrphanet(deps.db, params.path, {
    skipInvalid: params.skipInvalid,
    allowRemovals: params.allowRemovals,
    demo: params.demo,
    isCancelled: () => ctx.signal.aborted,
    onProgress: (p) => ctx.progress(progressUpdate(p)),
  });
}

function runInWorker(deps: ImportJobDeps, params: ImportParams, ctx: JobContext<unknown>): Promise<ImportReport> {
  return runWorkerJob<ImportWorkerMessage, ImportReport>(ctx, {
    callerUrl: import.meta.url,
    moduleBaseName: 'importWorker',
    label: 'Import worker',
    workerData: (cancelFlag): ImportWorkerData => ({
      dbPath: deps.dbPath,
      source: path.resolve(params.path),
      skipInvalid: params.skipInvalid,
      allowRemovals: params.allowRemovals,
      demo: params.demo,
      cancelFlag,
    }),
    interpret: (m) => {
      if (m.type === 'progress') return { progress: progressUpdate(m.progress) };
      if (m.type === 'done') return { result: m.report };
      return { error: m.name === 'ImportCancelled' ? new ImportCancelled() : m.name === 'ImportError' ? new ImportError(m.message, m.problems) : new Error(m.message) };
    },
    // The worker could not even load (e.g. a packaged app that cannot start workers from its archive):
    // import on this thread rather than not at all.
    onStartFailure: (err) => {
      console.warn(`Import worker failed to start (${err.message}); importing on the main thread`);
      return runInProcess(deps, params, ctx);
    },
  });
}

export function importJobHandler(deps: ImportJobDeps): AnyJobHandler {
  return defineJobHandler<'import-orphanet'>({
    kind: 'import-orphanet',
    parseParams: (raw) => importJobParamsSchema.parse(raw),
    title: (p) => `Import ORPHApackets from ${path.basename(path.resolve(p.path))}`,
    async run(params, ctx) {
      // An in-memory database cannot be opened from another thread; tests use it and import in place.
      const report = deps.dbPath === ':memory:' ? await runInProcess(deps, params, ctx) : await runInWorker(deps, params, ctx);
      deps.onImported(report);
      return report;
    },
  });
}
