/**
 * Fault figures (issue 15): kill -9 of the app at spread-out moments during training, each followed by a restart
 * and a resume (tests/helpers/trainingKill.ts). Prints and writes trials, survived, steps lost and duplicated
 * (target 0) and the steps redone past a checkpoint; a kill that came after the run had ended is counted as missed,
 * not as a trial. MEDSSR_FAULT_TRIALS sets the number of attempts (default 4).
 * Skips, saying why, without stories260K or the native trainer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findTrainerBinary } from '../main/training/trainerProcess.js';
import { needShared } from '../tests/helpers/shared.js';
import { KILL_TRIAL_STEPS, killTrainingTrial, trialSurvived, type KillTrial } from '../tests/helpers/trainingKill.js';
import { writeBenchResult } from './results.js';

export interface FaultsBench {
  skipped?: string;
  training: { trials: number; missed: number; survived: number; stepsLost: number; duplicated: number; redone: number; runs: Omit<KillTrial, 'stderr'>[] };
}

export async function runFaultsBench(): Promise<FaultsBench> {
  const skipped = needShared('models', 'stories260K.gguf') ?? (findTrainerBinary() ? undefined : 'native trainer binary absent (npm run build:native)');
  const empty = { trials: 0, missed: 0, survived: 0, stepsLost: 0, duplicated: 0, redone: 0, runs: [] };
  if (skipped) return { skipped, training: empty };
  process.env.MEDSSR_GPU ??= 'false';
  const n = Math.max(1, Number(process.env.MEDSSR_FAULT_TRIALS ?? 4));
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
  };
  writeBenchResult('faults', result);
  return result;
}
