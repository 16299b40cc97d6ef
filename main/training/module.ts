/** The training domain: GRPO/LoRA runs (train_* tables), the 'train' job and the training.* Api. */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ApiError, withApiError, type ApiHandlers } from '../../api/contract.js';
import type { AdapterRecord, RunDetail, RunSummary, TrainInput } from '../../api/training.js';
import { copyFileAtomic } from '../platform/atomicFile.js';
import { ModelRegistry } from '../llm/index.js';
import { OverlapChecker, type BenchmarkSource } from '../synthesis/index.js';
import { defineModule, type PlatformContext } from '../platform/module.js';
import { TrainingRepo, type RunRow } from './store.js';
import { checkReadablePath, checkWritableFile } from '../platform/safePath.js';
import { stage1Candidates, stage2Candidates } from './data.js';
import { estimateRun } from './estimate.js';
import { trainJobHandler, type TrainJobDeps } from './trainJob.js';
import { findTrainerBinary } from './trainerProcess.js';
import { mergeAdapter } from './mergeAdapter.js';
import * as m040 from './migrations/040_training.js';
import * as m048 from './migrations/048_training_item_extra.js';
import * as m049 from './migrations/049_training_adapter_sha256.js';
import { exportVerl } from './verlExport.js';
import { importVerlCheckpoint } from './verlImportRun.js';

export type TrainingMethod =
  | 'training.estimate'
  | 'training.start'
  | 'training.runs'
  | 'training.run'
  | 'training.metrics'
  | 'training.logs'
  | 'training.adapters'
  | 'training.exportAdapter'
  | 'training.exportVerl'
  | 'training.importVerl'
  | 'training.mergeAdapter'
  | 'training.stage2Overlap';

function summary(r: RunRow): RunSummary {
  const { input: _input, outDir: _outDir, trainer: _trainer, ...rest } = r;
  return rest;
}

/** Fails fast, before a job exists, when the model or a stage's data is missing. */
export function validateTrainInput(ctx: Pick<PlatformContext, 'db'>, input: TrainInput): void {
  checkReadablePath(input.modelPath, 'Model file');
  if (input.stage1) {
    const c = stage1Candidates(ctx.db, input.stage1);
    if (c.items.length === 0) {
      // Say so when the model wrote no answers: recovered letters are not votes, which is why nothing passes.
      const why = c.noWrittenAnswer > 0 ? `; in ${c.noWrittenAnswer} of ${c.labelled} labelled questions no sample wrote an answer (recovered letters are not votes)` : '';
      throw new Error(`Stage 1: no question passes the vote-share and review filters${why}`);
    }
  }
  if (input.stage2 && stage2Candidates(ctx.db, input.stage2).items.length === 0) throw new Error('Stage 2: no human-labelled question given');
}

export function adapterRecords(repo: TrainingRepo, runId?: number): AdapterRecord[] {
  return repo.adapters(runId).map((a) => ({
    id: a.id,
    runId: a.runId,
    runName: a.run.name,
    step: a.step,
    stage: a.stage,
    kind: a.kind,
    path: a.path,
    sizeBytes: existsSync(a.path) ? statSync(a.path).size : null,
    createdAt: a.createdAt,
    modelPath: a.run.modelPath,
    data: a.run.data,
    eval: repo.evalAt(a.runId, a.step),
    learning: repo.learning(a.runId, a.step),
  }));
}

export interface TrainingExports {
  repo: TrainingRepo;
}

export interface TrainingDeps {
  /** Where a merged adapter is registered as a model. */
  registry: ModelRegistry;
  /** Imported benchmarks (evaluation's), for the overlap a new run logs before its first step. */
  benchmarks?: BenchmarkSource;
}

export const trainingModule = defineModule<TrainingMethod, TrainingExports, TrainingDeps>({
  name: 'training',
  migrations: [
    { name: '040_training', sql: m040.sql },
    { name: '048_training_item_extra', sql: m048.sql },
    { name: '049_training_adapter_sha256', sql: m049.sql },
  ],
  setup: (ctx, deps) => {
    const { repo, handlers } = setupTraining(ctx, deps.benchmarks ? { benchmarks: deps.benchmarks } : {}, deps.registry);
    return { exports: { repo }, handlers };
  },
});

/** The training domain over a database and job runner; tests pass `overrides` (a fake trainer, scripted engines). */
export function setupTraining(
  ctx: Pick<PlatformContext, 'db' | 'jobs' | 'dataDir'>,
  overrides: Partial<TrainJobDeps> = {},
  registry: ModelRegistry = new ModelRegistry(ctx.db, ctx.dataDir),
): { handlers: Pick<ApiHandlers, TrainingMethod>; repo: TrainingRepo } {
  const repo = new TrainingRepo(ctx.db);
  // Runs a previous process left in flight belong to jobs the runner has just marked interrupted.
  repo.markInterrupted(ctx.jobs.interruptedAtStart);
  ctx.jobs.register(trainJobHandler({ db: ctx.db, dataDir: ctx.dataDir, ...overrides }));
  // Cached benchmark indexes: the form asks again whenever the file list changes.
  const overlap = overrides.benchmarks ? new OverlapChecker(overrides.benchmarks) : null;
  const need = (runId: number): RunRow => {
    const r = repo.run(runId);
    if (!r) throw new ApiError('not-found', `No training run ${runId}`);
    return r;
  };
  return {
    repo,
    handlers: {
      'training.estimate': ({ run, measure }) => withApiError('bad-input', () => estimateRun(ctx.db, run, { measure })),
      'training.start': (input) => {
        withApiError('bad-input', () => {
          if (!overrides.trainerBinary && !findTrainerBinary()) throw new Error('The trainer binary is not built: run `npm run build:native` (or set MEDSSR_TRAINER_BIN)');
          validateTrainInput(ctx, input);
        });
        return { jobId: ctx.jobs.start('train', input).id };
      },
      'training.runs': () => repo.runs().map(summary),
      'training.run': ({ runId }): RunDetail | null => {
        const r = repo.run(runId);
        if (!r) return null;
        return { ...summary(r), checkpoints: repo.checkpoints(runId), adapters: adapterRecords(repo, runId), evals: repo.evals(runId), trainer: r.trainer };
      },
      'training.metrics': ({ runId, afterStep }) => {
        need(runId);
        return repo.steps(runId, afterStep);
      },
      'training.logs': ({ runId, afterId, limit }) => {
        need(runId);
        return repo.logs(runId, afterId, limit);
      },
      'training.adapters': () => adapterRecords(repo),
      'training.exportAdapter': ({ adapterId, path: target }) => {
        const a = repo.adapter(adapterId);
        if (!a) throw new ApiError('not-found', `No adapter ${adapterId}`);
        if (!existsSync(a.path)) throw new ApiError('not-found', `The adapter file ${a.path} is gone`);
        const dest = path.resolve(target.endsWith('.gguf') ? target : path.join(target, `run-${a.runId}-step-${a.step}.gguf`));
        withApiError('bad-input', () => copyFileAtomic(a.path, dest));
        return { path: dest };
      },
      'training.mergeAdapter': async ({ adapterId, path: target, register }) => {
        const a = repo.adapter(adapterId);
        if (!a) throw new ApiError('not-found', `No adapter ${adapterId}`);
        const run = need(a.runId);
        const dest = path.resolve(target.endsWith('.gguf') ? target : path.join(target, `run-${a.runId}-step-${a.step}-merged.gguf`));
        withApiError('bad-input', () => checkWritableFile(dest, 'Merged model file'));
        mkdirSync(path.dirname(dest), { recursive: true });
        const merged = await withApiError('bad-input', () => mergeAdapter(run.modelPath, a.path, dest));
        if (register) await withApiError('bad-input', () => registry.add(dest, { name: `${path.basename(run.modelPath, '.gguf')} + run ${a.runId} step ${a.step}` }));
        return { path: merged.path, mergedTensors: merged.mergedTensors };
      },
      'training.exportVerl': async ({ runId, dir, gpusPerNode, nnodes, tensorParallel }) => {
        need(runId);
        return withApiError('bad-input', () => exportVerl(ctx.db, runId, dir, { gpusPerNode, nnodes, tensorParallel }));
      },
      'training.stage2Overlap': (spec) => {
        if (!overlap) throw new ApiError('not-found', 'Benchmarks are not available to the training domain here');
        const c = withApiError('bad-input', () => stage2Candidates(ctx.db, spec));
        return { sources: c.sources, ...overlap.summary(c.items.map((i) => ({ id: i.source, text: i.question }))) };
      },
      'training.importVerl': (input) => withApiError('bad-input', () => importVerlCheckpoint(ctx.db, ctx.dataDir, input)),
    },
  };
}
