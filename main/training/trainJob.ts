/**
 * The 'train' job. The first run of a job snapshots the data of both stages into a training run; a resumed job
 * (after a cancel, a failure or an app restart) finds that run by its job id and continues from its last checkpoint.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveSettings, trainInputSchema, type TrainInput } from '../../api/training.js';
import type { Db } from '../platform/db/open.js';
import { estimateRun } from './estimate.js';
import { TrainingRepo, type RunRow, type TrainItem } from './store.js';
import { defineJobHandler, type AnyJobHandler } from '../platform/jobs/types.js';
import { splitStage, stage1Candidates, stage2Candidates, summarise } from './data.js';
import { LlamaRolloutEngine, type RolloutEngine } from './rollouts.js';
import { TrainingSession, type SessionDeps } from './session.js';
import { TrainerProcess } from './trainerProcess.js';
import { logTrainingOverlap } from './adapterData.js';
import type { BenchmarkSource } from '../synthesis/index.js';

export interface TrainJobDeps {
  db: Db;
  dataDir: string;
  /** Trainer binary; default: $MEDSSR_TRAINER_BIN or native/build/medssr-trainer. */
  trainerBinary?: string;
  createEngine?: SessionDeps['createEngine'];
  onTrainerStarted?: SessionDeps['onTrainerStarted'];
  maxTrainerRestarts?: number;
  /** Imported benchmarks: a new run's data is compared with them and the result logged (evaluation owns them). */
  benchmarks?: BenchmarkSource;
}

/** Snapshots the data of a new run; throws a message naming what is missing before anything is stored. */
export function createRun(db: Db, dataDir: string, input: TrainInput, jobId: string | null): RunRow {
  const settings = resolveSettings(input);
  const modelPath = path.resolve(input.modelPath);
  if (!existsSync(modelPath)) throw new Error(`No model file at ${modelPath}`);
  const items: TrainItem[] = [];
  let s1: ReturnType<typeof summarise> | null = null;
  let s2: ReturnType<typeof summarise> | null = null;
  if (input.stage1) {
    const c = stage1Candidates(db, input.stage1);
    if (c.items.length === 0) throw new Error(`Stage 1: no question of ${c.sources.join(', ')} passes the filters`);
    items.push(...splitStage(1, c.items, settings.heldOut, settings.seed, input.stage1.limit));
    s1 = summarise(items, 1, c.sources);
  }
  if (input.stage2) {
    const c = stage2Candidates(db, input.stage2);
    if (c.items.length === 0) throw new Error('Stage 2: no human-labelled question given (files or a reviewed dataset)');
    items.push(...splitStage(2, c.items, settings.heldOut, settings.seed, input.stage2.limit));
    s2 = summarise(items, 2, c.sources);
  }
  return new TrainingRepo(db).createRun({
    name: input.name,
    jobId,
    modelPath,
    preset: input.preset,
    input,
    settings,
    data: { stage1: s1, stage2: s2 },
    outDir: (id) => path.join(dataDir, 'training', `run-${id}`),
    items,
  });
}

export function defaultEngineFactory(run: RunRow): Promise<RolloutEngine> {
  const s = run.settings;
  return LlamaRolloutEngine.create(run.modelPath, {
    threads: s.threads,
    parallel: Math.min(s.promptsPerStep * s.groupSize, 16),
    // Prompts are MedSSR questions in the COT template: rarely past 1,024 tokens.
    contextSize: 1024 + s.maxCompletionTokens,
  });
}

/** What a resumed train job gets back: its run, and the estimate and time spent so far (estimate vs actual). */
interface TrainCheckpoint {
  runId: number;
  estimateS?: number | null;
  elapsedS?: number;
}

function duration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/**
 * The run's log line that puts the estimate made before the start beside the time the run took (its running
 * time over every resume, pauses left out), so the next estimate can be judged.
 */
export function estimateVsActual(estimateS: number | null | undefined, elapsedS: number): string {
  if (estimateS === null || estimateS === undefined || !(estimateS > 0)) return `Took ${duration(elapsedS)} (no estimate was made before the start)`;
  const ratio = elapsedS / estimateS;
  return `Took ${duration(elapsedS)}; estimated ${duration(estimateS)} before the start (actual ${ratio.toFixed(1)}× the estimate)`;
}

export function trainJobHandler(deps: TrainJobDeps): AnyJobHandler {
  return defineJobHandler<'train', TrainCheckpoint>({
    kind: 'train',
    parseParams: (raw) => trainInputSchema.parse(raw),
    title: (p) => `Train "${p.name}" on ${path.basename(p.modelPath)} (${[p.stage1 ? 'stage 1' : '', p.stage2 ? 'stage 2' : ''].filter(Boolean).join(' + ')})`,
    async run(params, ctx) {
      const repo = new TrainingRepo(deps.db);
      const resumed = repo.runByJob(ctx.jobId);
      const run = resumed ?? createRun(deps.db, deps.dataDir, params, ctx.jobId);
      if (!resumed && deps.benchmarks) {
        try {
          logTrainingOverlap(repo, run.id, deps.benchmarks);
        } catch (err) {
          // A check that could not run must not stop the training; the log says it did not run.
          repo.log(run.id, 'info', `Benchmark overlap not checked (${err instanceof Error ? err.message : String(err)})`);
        }
      }
      const startedAt = Date.now();
      const before = ctx.checkpoint?.elapsedS ?? 0;
      let estimateS = ctx.checkpoint?.estimateS;
      if (estimateS === undefined) {
        // The same estimate the Training page offers (no speed measurement: that would delay the start).
        estimateS = await estimateRun(deps.db, params).then(
          (e) => {
            repo.log(run.id, 'info', `Estimate before start: about ${duration(e.seconds)} for ${e.totalSteps} steps (${e.basis.join('; ')})`);
            return e.seconds;
          },
          (err: unknown) => {
            repo.log(run.id, 'info', `No estimate before start (${err instanceof Error ? err.message : String(err)})`);
            return null;
          },
        );
      }
      const checkpoint = (): TrainCheckpoint => ({ runId: run.id, estimateS, elapsedS: before + (Date.now() - startedAt) / 1000 });
      ctx.saveCheckpoint(checkpoint());
      const session = new TrainingSession(run, {
        db: deps.db,
        createEngine: deps.createEngine ?? defaultEngineFactory,
        startTrainer: (onLog) => TrainerProcess.start({ ...(deps.trainerBinary ? { binary: deps.trainerBinary } : {}), onLog }),
        ...(deps.onTrainerStarted ? { onTrainerStarted: deps.onTrainerStarted } : {}),
        ...(deps.maxTrainerRestarts !== undefined ? { maxTrainerRestarts: deps.maxTrainerRestarts } : {}),
        cpuCores: os.availableParallelism(),
      });
      try {
        const result = await session.execute({
          signal: ctx.signal,
          progress: (u) => ctx.progress({ ...u, unit: 'steps' }),
        });
        if (ctx.signal.aborted) {
          repo.setState(run.id, 'cancelled', 'Cancelled');
          throw new Error('Cancelled');
        }
        repo.log(run.id, 'info', estimateVsActual(estimateS, checkpoint().elapsedS ?? 0));
        repo.setState(run.id, 'completed');
        return result;
      } catch (err) {
        // A resume continues the clock where this run stopped.
        ctx.saveCheckpoint(checkpoint());
        const message = err instanceof Error ? err.message : String(err);
        if (ctx.signal.aborted) {
          const reason = ctx.signal.reason instanceof Error ? ctx.signal.reason.message : '';
          repo.setState(run.id, reason.includes('shutting down') ? 'interrupted' : 'cancelled', reason || 'Cancelled');
        } else {
          repo.setState(run.id, 'failed', message);
          repo.log(run.id, 'error', message);
        }
        throw err;
      }
    },
  });
}
