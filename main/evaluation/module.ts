/** The evaluation domain: benchmark sets and runs (eval_* tables), the 'evaluate' job and the evaluation.* Api. */
import path from 'node:path';
import { ApiError, withApiError } from '../../api/contract.js';
import { checkReadablePath } from '../platform/safePath.js';
import { defineModule } from '../platform/module.js';
import { evaluateJobHandler } from './evaluateJob.js';
import * as m030 from './migrations/030_evaluation.js';
import { EvaluationService } from './service.js';

export type EvaluationMethod =
  | 'evaluation.import'
  | 'evaluation.benchmarks'
  | 'evaluation.start'
  | 'evaluation.runs'
  | 'evaluation.run'
  | 'evaluation.compare'
  | 'evaluation.question'
  | 'evaluation.exportCsv';

export interface EvaluationExports {
  service: EvaluationService;
}

export const evaluationModule = defineModule<EvaluationMethod, EvaluationExports>({
  name: 'evaluation',
  migrations: [{ name: '030_evaluation', sql: m030.sql }],
  setup(ctx) {
    ctx.jobs.register(evaluateJobHandler({ db: ctx.db }));
    const service = new EvaluationService(ctx.db, ctx.dataDir);
    return {
      exports: { service },
      handlers: {
        'evaluation.import': ({ path: file }) => withApiError('bad-input', () => service.importFile(file)),
        'evaluation.benchmarks': () => service.repo.benchmarks(),
        'evaluation.start': (input) => {
          const model = withApiError('bad-input', () => checkReadablePath(input.modelPath, 'Model file'));
          if (input.adapterPath) withApiError('bad-input', () => checkReadablePath(input.adapterPath as string, 'Adapter file'));
          for (const id of input.benchmarkIds) if (!service.repo.benchmark(id)) throw new ApiError('not-found', `No benchmark set with id ${id}`);
          return { jobId: ctx.jobs.start('evaluate', { ...input, modelPath: model, ...(input.adapterPath ? { adapterPath: path.resolve(input.adapterPath) } : {}) }).id };
        },
        'evaluation.runs': () => service.runs(),
        'evaluation.run': ({ id }) => service.run(id),
        'evaluation.compare': (input) => withApiError('not-found', () => service.compare(input)),
        'evaluation.question': (input) => service.question(input),
        'evaluation.exportCsv': ({ runId, kind }) => withApiError('not-found', () => service.exportCsv(runId, kind)),
      },
    };
  },
});
