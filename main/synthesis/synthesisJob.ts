/**
 * The 'synthesize' job. Template synthesis runs in a worker thread (pure CPU: the UI thread stays free);
 * the model generator and the reasoning filter run here, where llama.cpp's evaluation is asynchronous anyway.
 * An in-memory database cannot be shared with a worker, so tests that use one build in place.
 */
import { synthesizeInputSchema, type SynthesizeInput } from '../../api/synthesis.js';
import type { Db } from '../platform/db/open.js';
import { defineJobHandler, type AnyJobHandler, type JobContext } from '../platform/jobs/types.js';
import { runWorkerJob } from '../platform/jobs/workerJob.js';
import { buildDataset, needsModel, type KnowledgeSource, type SynthesisJobResult } from './buildDataset.js';
import type { SynthesisWorkerData, SynthesisWorkerMessage } from './synthesisWorker.js';

export type { SynthesisJobResult };

export interface SynthesisJobDeps {
  db: Db;
  dbPath: string;
  knowledge: KnowledgeSource;
}

function runInWorker(deps: SynthesisJobDeps, params: SynthesizeInput, ctx: JobContext<unknown>): Promise<SynthesisJobResult> {
  return runWorkerJob<SynthesisWorkerMessage, SynthesisJobResult>(ctx, {
    callerUrl: import.meta.url,
    moduleBaseName: 'synthesisWorker',
    label: 'Synthesis worker',
    workerData: (cancelFlag): SynthesisWorkerData => ({ dbPath: deps.dbPath, jobId: ctx.jobId, params, cancelFlag }),
    interpret: (m) => {
      if (m.type === 'progress') return { progress: { done: m.done, total: m.total, message: m.message, unit: m.unit } };
      if (m.type === 'done') return { result: m.result };
      return { error: new Error(m.message) };
    },
  });
}

export function synthesisJobHandler(deps: SynthesisJobDeps): AnyJobHandler {
  return defineJobHandler<'synthesize'>({
    kind: 'synthesize',
    parseParams: (raw) => synthesizeInputSchema.parse(raw),
    title: (p) => `Synthesize ${p.plan.count} questions into "${p.dataset}" (${p.generator})`,
    async run(params, ctx) {
      if (deps.dbPath !== ':memory:' && !needsModel(params)) return runInWorker(deps, params, ctx);
      return buildDataset(deps.db, deps.knowledge, params, {
        jobId: ctx.jobId,
        signal: ctx.signal,
        isCancelled: () => ctx.signal.aborted,
        progress: (done, total, message, unit) => ctx.progress({ done, total, message, unit }),
      });
    },
  });
}
