/**
 * Training orchestration with the scripted sampler and the fake trainer (no model, fast): both stages run with
 * metrics, timings, checkpoints, adapters and quick evaluations stored; a trainer crash and an app restart both
 * resume from the last checkpoint, leaving the metric series without a gap or a duplicate.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { parseInput } from '../../../api/contract.js';
import type { TrainInputRaw } from '../../../api/training.js';
import { trainingMetricNames, trainingMetrics } from '../../../api/trainingMetrics.js';
import type { Db } from '../../../main/platform/db/open.js';
import { openAppDatabase } from '../../../main/app/index.js';
import { TrainingRepo } from '../../../main/training/store.js';
import { JobRunner } from '../../../main/platform/jobs/runner.js';
import type { TrainResult } from '../../../main/training/session.js';
import { setupTraining } from '../../../main/training/module.js';
import { fakeTrainerBin, ScriptedEngine, seedLabelledDataset, writeMedssrFile } from './fixtures.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'medssr-train-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function input(over: Partial<TrainInputRaw> = {}): TrainInputRaw {
  return {
    name: 'fake run',
    modelPath: fakeTrainerBin,
    stage1: { dataset: 'syn', minVoteShare: 0.5 },
    stage2: { files: [path.join(dir, 'human.json')] },
    preset: 'cpu-demo',
    settings: { stage1Steps: 5, stage2Steps: 3, checkpointEvery: 2, promptsPerStep: 2, groupSize: 4, heldOut: 2, evalEvery: 0 },
    ...over,
  };
}

function open(dbFile: string, engines: ScriptedEngine[]): { db: Db; jobs: JobRunner; handlers: ReturnType<typeof setupTraining>['handlers'] } {
  const db = openAppDatabase(dbFile);
  const jobs = new JobRunner(db);
  const { handlers } = setupTraining(
    { db, jobs, dataDir: dir },
    {
      trainerBinary: fakeTrainerBin,
      createEngine: async () => {
        const e = new ScriptedEngine();
        engines.push(e);
        return e;
      },
    },
  );
  return { db, jobs, handlers };
}

function assertSeries(repo: TrainingRepo, runId: number, total: number, stage1: number): void {
  const steps = repo.steps(runId);
  assert.deepEqual(
    steps.map((s) => s.step),
    Array.from({ length: total }, (_, i) => i + 1),
    'one row per step, none missing, none twice',
  );
  for (const s of steps) {
    assert.equal(s.stage, s.step <= stage1 ? 1 : 2);
    assert.equal(s.stageStep, s.stage === 1 ? s.step : s.step - stage1);
  }
}

describe('training orchestration (fake trainer)', () => {
  const dbFile = path.join(dir, 'a.db');
  writeMedssrFile(dir, 12);
  {
    const db = openAppDatabase(dbFile);
    seedLabelledDataset(db, 'syn', 24);
    db.close();
  }

  test('runs both stages and stores metrics, timings, checkpoints, adapters and evaluations', async () => {
    const engines: ScriptedEngine[] = [];
    const { db, jobs, handlers } = open(dbFile, engines);
    try {
      const { jobId } = await handlers['training.start'](parseInput('training.start', input()));
      const job = await jobs.waitFor(jobId);
      assert.equal(job.state, 'completed', job.error ?? '');
      const result = job.result as TrainResult;
      const repo = new TrainingRepo(db);
      const run = repo.run(result.runId);
      assert.ok(run);
      assert.equal(run.state, 'completed');
      // Vote share ≥ 0.5 keeps 3 of every 4 questions: 18, of which 2 are held out.
      assert.deepEqual(run.data.stage1 && [run.data.stage1.train, run.data.stage1.heldOut], [16, 2]);
      assert.deepEqual(run.data.stage2 && [run.data.stage2.train, run.data.stage2.heldOut], [10, 2]);
      assertSeries(repo, run.id, 8, 5);
      const steps = repo.steps(run.id);
      for (const s of steps) {
        assert.equal(typeof s.metrics.reward_mean, 'number');
        assert.ok(Number(s.metrics.accuracy) >= 0 && Number(s.metrics.accuracy) <= 1);
        const t = s.timings;
        assert.ok(t.totalS >= t.rolloutS + t.trainerS, 'the parts add up to at most the whole');
        assert.ok(t.overheadS >= 0);
      }
      // The bag is open: the fake trainer's ppo_epochs, a name the catalogue lacks, is stored with the catalogued ones.
      for (const s of steps) assert.equal(s.metrics.ppo_epochs, 1);
      for (const s of steps) for (const k of trainingMetricNames.filter((n) => 'session' in trainingMetrics[n])) assert.equal(typeof s.metrics[k], 'number', k);
      // Rewards are computed from the answers: the stored reward mean equals the accuracy (no format reward).
      for (const s of steps) assert.ok(Math.abs(Number(s.metrics.reward_mean) - Number(s.metrics.accuracy)) < 1e-9);
      // Checkpoints every 2 steps plus each stage's end; the final adapter is the last one.
      assert.deepEqual(repo.checkpoints(run.id).map((c) => c.step), [2, 4, 5, 6, 8]);
      const detail = await handlers['training.run']({ runId: run.id });
      const kinds = Object.fromEntries((detail?.adapters ?? []).map((a) => [a.step, a.kind]));
      assert.equal(kinds[5], 'stage-end');
      assert.equal(kinds[8], 'final');
      for (const c of repo.checkpoints(run.id)) assert.ok(existsSync(c.adapterPath) && existsSync(c.checkpointPath));
      // Quick evaluations: before training, at the end of stage 1 (on both stages' held-out data) and at the end.
      assert.deepEqual(repo.evals(run.id).map((e) => [e.step, e.stage]), [[0, 1], [5, 1], [5, 2], [8, 2]]);
      // Rollouts came from the base first, then always from the adapter of the previous step.
      const used = (engines[0] as ScriptedEngine).adapters;
      assert.equal(used[0], null);
      assert.ok(used.slice(2).every((a) => a !== null));
      assert.ok((engines[0] as ScriptedEngine).disposed);
      assert.ok(repo.logs(run.id).some((l) => l.message.includes('switching to stage 2')));
      assert.equal(result.steps, 8);
    } finally {
      await jobs.close();
      db.close();
    }
  });

  test('stage 2 is a second training by default: stage 1\'s adapter, fresh optimizer, its own schedule and warm-up', async () => {
    const settings = { stage1Steps: 5, stage2Steps: 3, checkpointEvery: 2, promptsPerStep: 2, groupSize: 4, heldOut: 2, evalEvery: 0, schedule: 'cosine' as const, warmupSteps: 2, lr: 0.01 };
    const runs: Record<string, { updates: number; lr: number; stage: number }[]> = {};
    for (const mode of ['fresh', 'continue'] as const) {
      const engines: ScriptedEngine[] = [];
      const { db, jobs, handlers } = open(dbFile, engines);
      try {
        const { jobId } = await handlers['training.start'](parseInput('training.start', input({ name: `stages-${mode}`, settings: { ...settings, stage2Optimizer: mode } })));
        const job = await jobs.waitFor(jobId);
        assert.equal(job.state, 'completed', job.error ?? '');
        const repo = new TrainingRepo(db);
        const runId = (job.result as TrainResult).runId;
        assertSeries(repo, runId, 8, 5);
        runs[mode] = repo.steps(runId).map((s) => ({ updates: Number(s.metrics.updates), lr: Number(s.metrics.lr), stage: s.stage }));
        const logs = repo.logs(runId).map((l) => l.message);
        assert.equal(logs.some((m) => m.includes("Stage 2 starts as a new training from stage 1's adapter step-5.gguf")), mode === 'fresh');
      } finally {
        await jobs.close();
        db.close();
      }
    }
    // Native lr_at: warm-up (u+1)/(w+1) for u < w, then cosine over the rest of the training's own steps.
    const lrAt = (u: number, total: number) => (u < 2 ? (0.01 * (u + 1)) / 3 : 0.01 * 0.5 * (1 + Math.cos((Math.PI * Math.min(1, (u - 2) / Math.max(1, total - 2))))));
    const fresh = runs.fresh!;
    assert.deepEqual(fresh.map((s) => s.updates), [1, 2, 3, 4, 5, 1, 2, 3], 'stage 2 counts its own updates');
    fresh.forEach((s, i) => assert.ok(Math.abs(s.lr - (s.stage === 1 ? lrAt(i, 5) : lrAt(i - 5, 3))) < 1e-12, `fresh step ${i + 1}: lr ${s.lr}`));
    const cont = runs.continue!;
    assert.deepEqual(cont.map((s) => s.updates), [1, 2, 3, 4, 5, 6, 7, 8], 'one optimizer across both stages');
    cont.forEach((s, i) => assert.ok(Math.abs(s.lr - lrAt(i, 8)) < 1e-12, `continue step ${i + 1}: lr ${s.lr}`));
    // With continue, stage 2 runs in the schedule's tail; fresh gives it the full schedule.
    assert.ok(cont[6]!.lr < fresh[6]!.lr, `continue ${cont[6]!.lr} < fresh ${fresh[6]!.lr} at stage-2 step 2`);
  });

  test('a trainer crash resumes from the last checkpoint without a gap or a duplicate', async () => {
    const engines: ScriptedEngine[] = [];
    const { db, jobs, handlers } = open(dbFile, engines);
    process.env.FAKE_TRAINER_CRASH_AT = '4';
    process.env.FAKE_TRAINER_CRASH_MARK = path.join(dir, 'crashed-once');
    try {
      const { jobId } = await handlers['training.start'](parseInput('training.start', input({ name: 'crashy' })));
      const job = await jobs.waitFor(jobId);
      assert.equal(job.state, 'completed', job.error ?? '');
      const result = job.result as TrainResult;
      assert.equal(result.restarts, 1);
      assert.ok(existsSync(path.join(dir, 'crashed-once')));
      const repo = new TrainingRepo(db);
      assertSeries(repo, result.runId, 8, 5);
      const logs = repo.logs(result.runId).map((l) => l.message);
      assert.ok(logs.some((m) => m.includes('restarting from the last checkpoint')));
      assert.ok(logs.some((m) => m.includes('Resumed from checkpoint at step 2')));
      // The resumed trainer continued the update count of the checkpoint: update n is step n of its stage (stage 2
      // is a training of its own by default, counting from its first step).
      for (const s of repo.steps(result.runId)) assert.equal(s.metrics.updates, s.stage === 1 ? s.step : s.stageStep);
    } finally {
      delete process.env.FAKE_TRAINER_CRASH_AT;
      delete process.env.FAKE_TRAINER_CRASH_MARK;
      await jobs.close();
      db.close();
    }
  });

  test('an app restart mid-run resumes the job from its checkpoint', async () => {
    process.env.FAKE_TRAINER_STEP_MS = '150';
    const engines: ScriptedEngine[] = [];
    let app = open(dbFile, engines);
    let jobId = '';
    let runId = 0;
    try {
      jobId = (await app.handlers['training.start'](parseInput('training.start', input({ name: 'restarted', settings: { stage1Steps: 6, stage2Steps: 4, checkpointEvery: 3, promptsPerStep: 2, groupSize: 4, heldOut: 2 } })))).jobId;
      const repo = new TrainingRepo(app.db);
      const deadline = Date.now() + 20_000;
      for (;;) {
        const run = repo.runByJob(jobId);
        if (run && run.stepsDone >= 4) {
          runId = run.id;
          break;
        }
        assert.ok(Date.now() < deadline, 'the run never reached step 4');
        await new Promise((r) => setTimeout(r, 20));
      }
      await app.jobs.close();
      app.db.close();

      app = open(dbFile, engines);
      assert.equal(app.jobs.get(jobId)?.state, 'interrupted');
      assert.equal(new TrainingRepo(app.db).run(runId)?.state, 'interrupted');
      app.jobs.resume(jobId);
      const job = await app.jobs.waitFor(jobId);
      assert.equal(job.state, 'completed', job.error ?? '');
      const repo2 = new TrainingRepo(app.db);
      assertSeries(repo2, runId, 10, 6);
      for (const s of repo2.steps(runId)) assert.equal(s.metrics.updates, s.stage === 1 ? s.step : s.stageStep);
      assert.equal(repo2.run(runId)?.state, 'completed');
    } finally {
      delete process.env.FAKE_TRAINER_STEP_MS;
      await app.jobs.close();
      app.db.close();
    }
  });

  test('cancel keeps the finished steps behind a checkpoint; resume continues from there', async () => {
    process.env.FAKE_TRAINER_STEP_MS = '100';
    const engines: ScriptedEngine[] = [];
    const { db, jobs, handlers } = open(dbFile, engines);
    try {
      const { jobId } = await handlers['training.start'](parseInput('training.start', input({ name: 'cancelled', settings: { stage1Steps: 7, stage2Steps: 0, checkpointEvery: 5, promptsPerStep: 2, groupSize: 4, heldOut: 2 } })));
      const repo = new TrainingRepo(db);
      const deadline = Date.now() + 20_000;
      while ((repo.runByJob(jobId)?.stepsDone ?? 0) < 3) {
        assert.ok(Date.now() < deadline, 'the run never reached step 3');
        await new Promise((r) => setTimeout(r, 10));
      }
      const cancelled = await jobs.cancel(jobId);
      assert.equal(cancelled.state, 'cancelled');
      const run = repo.runByJob(jobId);
      assert.ok(run);
      assert.equal(run.state, 'cancelled');
      const kept = run.stepsDone;
      assert.ok(kept >= 3 && kept < 7);
      assert.equal(repo.lastCheckpoint(run.id)?.step, kept, 'a checkpoint at the last finished step');
      jobs.resume(jobId);
      const done = await jobs.waitFor(jobId);
      assert.equal(done.state, 'completed', done.error ?? '');
      assertSeries(repo, run.id, 7, 7);
      assert.ok(repo.logs(run.id).some((l) => l.message.includes(`Resumed from checkpoint at step ${kept}`)));
      // Estimate vs actual: estimated once before the first start (not again on resume), measured at the end.
      const messages = repo.logs(run.id).map((l) => l.message);
      // (The fake model is no GGUF file, so the estimate says why there is none.)
      assert.equal(messages.filter((m) => /^(Estimate before start: about |No estimate before start \()/.test(m)).length, 1, messages.join('\n'));
      assert.match(messages.at(-1) ?? '', /^Took \d+ s(; estimated [\d.]+ (s|min|h) before the start \(actual [\d.]+× the estimate\)| \(no estimate was made before the start\))$/);
    } finally {
      delete process.env.FAKE_TRAINER_STEP_MS;
      await jobs.close();
      db.close();
    }
  });

  test('bad input is refused before a job exists, naming what is wrong', () => {
    const engines: ScriptedEngine[] = [];
    const { db, jobs, handlers } = open(dbFile, engines);
    try {
      const start = (raw: TrainInputRaw) => void handlers['training.start'](parseInput('training.start', raw));
      assert.throws(() => start(input({ stage1: { dataset: 'nope', minVoteShare: 0.5 } })), /no complete dataset named "nope"/);
      assert.throws(() => start(input({ stage1: { dataset: 'syn', minVoteShare: 1.01 } })), /stage1\.minVoteShare/);
      assert.throws(() => start(input({ stage1: { dataset: 'syn', minVoteShare: 0.5, review: 'approved' }, stage2: undefined })), /Stage 1: no question passes/);
      assert.throws(() => start(input({ modelPath: path.join(dir, 'missing.gguf') })), /No model file/);
      assert.throws(() => start(input({ stage2: { files: [path.join(dir, 'a.db')] } })), /not readable as JSON/);
      assert.throws(() => start(input({ stage1: undefined, stage2: undefined })), /give stage 1 data, stage 2 data or both/);
      assert.equal(jobs.list().filter((j) => j.state === 'queued').length, 0);
    } finally {
      void jobs.close();
      db.close();
    }
  });
});
