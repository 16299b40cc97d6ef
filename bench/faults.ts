/**
 * Fault figures (issue 15):
 * - kill -9 of the app at spread-out moments during training, each followed by a restart and a resume
 *   (tests/helpers/trainingKill.ts): trials, survived, steps lost and duplicated (target 0) and the steps redone
 *   past a checkpoint; a kill that came after the run had ended is counted as missed, not as a trial. Skipped,
 *   saying why, without stories260K or the native trainer.
 * - kill -9 of browser mode during a stream of review decisions (tests/helpers/reviewStream.ts): trials, survived,
 *   decisions acknowledged, records lost and duplicated (target 0).
 * MEDSSR_FAULT_TRIALS sets the number of attempts of each (default 4).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findTrainerBinary } from '../main/training/trainerProcess.js';
import { needShared } from '../tests/helpers/shared.js';
import { killReviewTrial, seedReviewDatabase } from '../tests/helpers/reviewStream.js';
import { KILL_TRIAL_STEPS, killTrainingTrial, trialSurvived, type KillTrial } from '../tests/helpers/trainingKill.js';
import { writeBenchResult } from './results.js';

export interface ReviewFaults {
  trials: number;
  survived: number;
  acknowledged: number;
  recordsLost: number;
  duplicated: number;
}

export interface FaultsBench {
  /** Why the training trials did not run (the review trials need nothing from ../shared). */
  skipped?: string;
  training: { trials: number; missed: number; survived: number; stepsLost: number; duplicated: number; redone: number; runs: Omit<KillTrial, 'stderr'>[] };
  review: ReviewFaults;
}

const ITEMS = 60;

async function reviewFaults(n: number): Promise<ReviewFaults> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'medssr-bench-review-faults-'));
  try {
    const datasetId = seedReviewDatabase(dir, ITEMS);
    const r = { trials: n, survived: 0, acknowledged: 0, recordsLost: 0, duplicated: 0 };
    for (let t = 0; t < n; t++) {
      const trial = await killReviewTrial(dir, datasetId, ITEMS, 300 + ((t * 733) % 2000), `bench${t}`);
      if (trial.survived) r.survived++;
      r.acknowledged += trial.acknowledged;
      r.recordsLost += trial.lost;
      r.duplicated += trial.duplicated;
    }
    return r;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runFaultsBench(): Promise<FaultsBench> {
  const n = Math.max(1, Number(process.env.MEDSSR_FAULT_TRIALS ?? 4));
  const review = await reviewFaults(n);
  const skipped = needShared('models', 'stories260K.gguf') ?? (findTrainerBinary() ? undefined : 'native trainer binary absent (npm run build:native)');
  const empty = { trials: 0, missed: 0, survived: 0, stepsLost: 0, duplicated: 0, redone: 0, runs: [] };
  if (skipped) {
    const result = { skipped, training: empty, review };
    writeBenchResult('faults', result);
    return result;
  }
  process.env.MEDSSR_GPU ??= 'false';
  const dir = mkdtempSync(path.join(os.tmpdir(), 'medssr-bench-faults-'));
  const runs: KillTrial[] = [];
  try {
    for (let i = 0; i < n; i++) {
      // Kill points spread over the run (1 … N-1 steps stored), odd and even, before and after checkpoints.
      const killAfter = 1 + (i % (KILL_TRIAL_STEPS - 1));
      runs.push(await killTrainingTrial(dir, killAfter));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const landed = runs.filter((t) => !t.missed);
  const sum = (f: (t: KillTrial) => number): number => landed.reduce((s, t) => s + f(t), 0);
  const result: FaultsBench = {
    training: {
      trials: landed.length,
      missed: runs.length - landed.length,
      survived: landed.filter(trialSurvived).length,
      stepsLost: sum((t) => t.lost),
      duplicated: sum((t) => t.duplicated),
      redone: sum((t) => t.redone),
      runs: runs.map(({ stderr: _stderr, ...t }) => t),
    },
    review,
  };
  writeBenchResult('faults', result);
  return result;
}
