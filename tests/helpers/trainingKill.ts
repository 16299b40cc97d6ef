/**
 * One kill -9 trial during training, for tests/main/training/killApp.test.ts and bench/faults.ts: `medssr train`
 * (the app with its model host and the native trainer) over a fresh database is killed with SIGKILL once
 * `killAfter` steps are stored; the app is then opened again, the interrupted job resumed to its end, and the
 * run's metric series compared with 1…N. Real rollouts on stories260K; the caller checks the trainer binary.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { createApp, openAppDatabase } from '../../main/app/index.js';
import { seedLabelledDataset } from '../main/training/fixtures.js';
import { killCliOnceStored } from './cli.js';
import { sharedPath } from './shared.js';

export const KILL_TRIAL_STEPS = 8;
export const KILL_TRIAL_CHECKPOINT_EVERY = 2;

interface StepRow {
  step: number;
  metrics: string;
  created_at: string;
}

function read<T>(dbPath: string, fn: (db: Database.Database) => T): T {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}
const stepRows = (dbPath: string): StepRow[] => read(dbPath, (db) => db.prepare('SELECT step, metrics, created_at FROM train_steps ORDER BY step, created_at').all() as StepRow[]);
const lastCheckpoint = (dbPath: string): number =>
  read(dbPath, (db) => (db.prepare('SELECT MAX(step) AS step FROM train_checkpoints').get() as { step: number | null }).step ?? 0);

export interface KillTrial {
  killAfter: number;
  /** The run ended before the kill landed: nothing was tested (not a survival, not a failure). */
  missed: boolean;
  /** Steps stored when the kill landed, and the last checkpoint then (where the resume starts). */
  storedAtKill: number;
  checkpointAtKill: number;
  /** The job after the restart, and after its resume (error when it failed). */
  stateAfterRestart: string | null;
  stateAfterResume: string | null;
  error: string | null;
  runs: number;
  /** The series after the resume. */
  steps: number[];
  /** Steps of 1…N missing, recorded twice, kept from before the kill with other content, whose updates ≠ step. */
  lost: number;
  duplicated: number;
  keptChanged: number;
  updatesOff: number;
  /** Steps past the checkpoint at the kill: lost with the process and redone. */
  redone: number;
  /** The CLI's stderr (for a failure's message). */
  stderr: string;
}

export async function killTrainingTrial(dir: string, killAfter: number): Promise<KillTrial> {
  const dbPath = path.join(dir, `kill-${killAfter}-${Date.now()}.db`);
  const seed = openAppDatabase(dbPath);
  seedLabelledDataset(seed, 'syn', 16);
  seed.close();
  const { stderr } = await killCliOnceStored(
    [
      'train', '--model', sharedPath('models', 'stories260K.gguf'), '--dataset', 'syn', '--min-vote-share', '0', '--preset', 'cpu-demo', '--name', `kill after ${killAfter}`,
      '--set', `stage1Steps=${KILL_TRIAL_STEPS}`, '--set', `checkpointEvery=${KILL_TRIAL_CHECKPOINT_EVERY}`, '--set', 'promptsPerStep=2', '--set', 'groupSize=4',
      '--set', 'maxCompletionTokens=16', '--set', 'heldOut=2', '--db', dbPath, '-q',
    ],
    () => stepRows(dbPath).length,
    { atLeast: killAfter, pollMs: 20, timeoutMs: 240_000 },
  );
  const before = stepRows(dbPath);
  const checkpointAtKill = lastCheckpoint(dbPath);
  const trial: KillTrial = {
    killAfter, missed: false, storedAtKill: before.length, checkpointAtKill, stateAfterRestart: null, stateAfterResume: null, error: null, runs: 0, steps: [],
    lost: 0, duplicated: 0, keptChanged: 0, updatesOff: 0, redone: before.filter((s) => s.step > checkpointAtKill).length, stderr,
  };
  const app = await createApp({ dataDir: dir, dbPath, transport: 'ipc', seedDemo: false });
  try {
    const job = app.context.jobs.list().find((j) => j.kind === 'train');
    trial.stateAfterRestart = job?.state ?? null;
    trial.missed = job?.state === 'completed';
    if (job?.state === 'interrupted') {
      app.context.jobs.resume(job.id);
      const done = await app.context.jobs.waitFor(job.id);
      trial.stateAfterResume = done.state;
      trial.error = done.error;
    }
    trial.runs = (await app.call('training.runs')).length;
  } finally {
    await app.close();
  }
  const after = stepRows(dbPath);
  trial.steps = after.map((s) => s.step);
  trial.lost = Array.from({ length: KILL_TRIAL_STEPS }, (_, i) => i + 1).filter((n) => !trial.steps.includes(n)).length;
  trial.duplicated = trial.steps.length - new Set(trial.steps).size;
  trial.updatesOff = after.filter((s) => (JSON.parse(s.metrics) as { updates?: number }).updates !== s.step).length;
  // Steps up to the checkpoint at the kill must come through the resume untouched.
  trial.keptChanged = before.filter((b) => b.step <= checkpointAtKill && after.find((s) => s.step === b.step)?.created_at !== b.created_at).length;
  return trial;
}

/** True when the trial survived: resumed to completion in the same run, 1…N once each, the kept steps untouched. */
export function trialSurvived(t: KillTrial): boolean {
  return t.stateAfterRestart === 'interrupted' && t.stateAfterResume === 'completed' && t.runs === 1 && t.lost === 0 && t.duplicated === 0 && t.keptChanged === 0 && t.updatesOff === 0;
}
