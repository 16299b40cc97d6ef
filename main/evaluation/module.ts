/** The evaluation domain: benchmark sets and runs (eval_* tables), the 'evaluate' job and the evaluation.* Api. */
import path from 'node:path';
import { ApiError, withApiError } from '../../api/contract.js';
import { checkReadablePath } from '../platform/safePath.js';
import { defineModule } from '../platform/module.js';
import { evaluateJobHandler } from './evaluateJob.js';
import * as m030 from './migrations/030_evaluation.js';
import { EvaluationService } from './service.js';
import { OverlapChecker, type BenchmarkSource } from '../synthesis/index.js';
import { trainingDataOfAdapter } from '../training/index.js';

export type EvaluationMethod =
  | 'evaluation.import'
  | 'evaluation.benchmarks'
  | 'evaluation.start'
  | 'evaluation.runs'
  | 'evaluation.run'
  | 'evaluation.compare'
  | 'evaluation.question'
  | 'evaluation.exportCsv'
  | 'evaluation.trainingOverlap';

export interface EvaluationExports {
  service: EvaluationService;
  /** Imported benchmarks as synthesis's decontamination reads them. */
  benchmarks: BenchmarkSource;
}

export const evaluationModule = defineModule<EvaluationMethod, EvaluationExports>({
  name: 'evaluation',
  migrations: [{ name: '030_evaluation', sql: m030.sql }],
  setup(ctx) {
    ctx.jobs.register(evaluateJobHandler({ db: ctx.db }));
    const service = new EvaluationService(ctx.db, ctx.dataDir);
    const benchmarks: BenchmarkSource = {
      list: () => service.repo.benchmarks().map((b) => ({ id: b.id, name: b.name, version: b.version })),
      questions: (id) => service.repo.questions(id).map((q) => ({ id: q.externalId, text: q.question })),
    };
    const overlap = new OverlapChecker(benchmarks);
    return {
      exports: { service, benchmarks },
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
        'evaluation.trainingOverlap': ({ adapterPath, benchmarkIds }) => {
          for (const id of benchmarkIds ?? []) if (!service.repo.benchmark(id)) throw new ApiError('not-found', `No benchmark set with id ${id}`);
          const trained = trainingDataOfAdapter(ctx.db, adapterPath);
          // An adapter trained elsewhere: nothing here says what it saw, and an empty comparison would read as clean.
          if (!trained) return { run: null, questions: 0, ngram: 13, jaccardThreshold: 0.8, benchmarks: [], overlaps: false };
          return { run: trained.run, matchedBy: trained.matchedBy, ...overlap.summary(trained.questions, benchmarkIds) };
        },
        'evaluation.exportCsv': ({ runId, kind }) => withApiError('not-found', () => service.exportCsv(runId, kind)),
      },
    };
  },
});
