/**
 * Where a GRPO step's time goes, on stories260K and on a tiny qwen2 model: rollouts (sampling G completions per
 * prompt with node-llama-cpp), switching the sampler to the newest adapter, rewards, the trainer's update, writing
 * the adapter, and the orchestration left over. Target: everything but rollouts and the trainer ≤ 10 % of a step.
 * Results: bench/results/training.json.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { StepTimings } from '../api/training.js';
import { parseInput } from '../api/contract.js';
import { openAppDatabase } from '../main/app/index.js';
import { TrainingRepo } from '../main/training/store.js';
import { JobRunner } from '../main/platform/jobs/runner.js';
import type { TrainResult } from '../main/training/session.js';
import { setupTraining } from '../main/training/module.js';
import { findTrainerBinary } from '../main/training/trainerProcess.js';
import { needShared, sharedPath } from '../tests/helpers/shared.js';
import { needTinyModels, tinyModel } from '../tests/helpers/tinyModels.js';
import { seedLabelledDataset } from '../tests/main/training/fixtures.js';
import { writeBenchResult } from './results.js';

export interface TrainingBenchRun {
  model: string;
  steps: number;
  promptsPerStep: number;
  groupSize: number;
  maxCompletionTokens: number;
  rolloutThreads: number | null;
  trainerThreads: number | null;
  /** Mean seconds per step. */
  mean: StepTimings;
  perStep: (StepTimings & { step: number })[];
  /** Rewards + orchestration, share of the step: the target (≤ 0.10). */
  overheadFraction: number;
  /** Also counting the adapter switch in the sampler and the adapter write. */
  overheadWithPolicySwapFraction: number;
  pass: boolean;
}

export interface TrainingBench {
  runs: TrainingBenchRun[];
  skipped?: string;
}

const STEPS = 8;

async function benchOne(label: string, modelPath: string): Promise<TrainingBenchRun> {
  process.env.MEDSSR_GPU ??= 'false';
  const dir = mkdtempSync(path.join(os.tmpdir(), 'medssr-bench-train-'));
  const db = openAppDatabase(path.join(dir, 'b.db'));
  const jobs = new JobRunner(db);
  try {
    seedLabelledDataset(db, 'bench', 32);
    const { handlers } = setupTraining({ db, jobs, dataDir: dir });
    const settings = { stage1Steps: STEPS, promptsPerStep: 2, groupSize: 4, maxCompletionTokens: 32, checkpointEvery: 4, heldOut: 0, temperature: 1 };
    const { jobId } = await handlers['training.start'](parseInput('training.start', { name: 'bench', modelPath, stage1: { dataset: 'bench', minVoteShare: 0 }, settings }));
    const job = await jobs.waitFor(jobId);
    if (job.state !== 'completed') throw new Error(`training bench on ${label} ${job.state}: ${job.error}`);
    const result = job.result as TrainResult;
    const repo = new TrainingRepo(db);
    const steps = repo.steps(result.runId);
    const trainer = repo.run(result.runId)?.trainer ?? null;
    const mean = result.meanTimings as StepTimings;
    const overheadFraction = (mean.rewardS + mean.overheadS) / mean.totalS;
    const overheadWithPolicySwapFraction = (mean.rewardS + mean.overheadS + mean.policyReloadS + mean.adapterSaveS) / mean.totalS;
    return {
      model: label,
      steps: steps.length,
      promptsPerStep: settings.promptsPerStep,
      groupSize: settings.groupSize,
      maxCompletionTokens: settings.maxCompletionTokens,
      rolloutThreads: (trainer?.rolloutThreads as number | undefined) ?? null,
      trainerThreads: (trainer?.threads as number | undefined) ?? null,
      mean,
      perStep: steps.map((s) => ({ step: s.step, ...s.timings })),
      overheadFraction,
      overheadWithPolicySwapFraction,
      pass: overheadFraction <= 0.1,
    };
  } finally {
    await jobs.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runTrainingBench(): Promise<TrainingBench> {
  const out: TrainingBench = { runs: [] };
  const missing = needShared('models', 'stories260K.gguf') ?? (findTrainerBinary() ? undefined : 'native trainer binary absent (npm run build:native)');
  if (missing) {
    out.skipped = missing;
  } else {
    out.runs.push(await benchOne('stories260K', sharedPath('models', 'stories260K.gguf')));
    if (!needTinyModels()) out.runs.push(await benchOne('tiny qwen2 (64-dim, 2 layers, real Qwen2 vocabulary)', tinyModel({ arch: 'qwen2', contextLength: 2048 })));
  }
  for (const r of out.runs) {
    const m = r.mean;
    console.log(
      `${r.model}: step ${m.totalS.toFixed(3)} s = rollouts ${m.rolloutS.toFixed(3)} + adapter switch ${m.policyReloadS.toFixed(3)} + rewards ${m.rewardS.toFixed(4)} + trainer ${m.trainerS.toFixed(3)} + adapter write ${m.adapterSaveS.toFixed(3)} + other ${m.overheadS.toFixed(4)}; ` +
        `overhead ${(r.overheadFraction * 100).toFixed(2)} % (with adapter switch and write ${(r.overheadWithPolicySwapFraction * 100).toFixed(2)} %) ${r.pass ? 'PASS' : 'FAIL'} (target ≤ 10 %)`,
    );
  }
  if (out.skipped) console.log(`training bench skipped: ${out.skipped}`);
  writeBenchResult('training', { ...out, date: new Date().toISOString() });
  return out;
}
