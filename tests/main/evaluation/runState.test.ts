/**
 * Evaluation and labelling run rows show the real state of the job that made them: a failed, cancelled or
 * interrupted job never leaves its run "running", and a run whose job is gone is "incomplete".
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import type { JobState } from '../../../api/jobs.js';
import { openAppDatabase } from '../../../main/app/index.js';
import { EvaluationRepo } from '../../../main/evaluation/store.js';
import { JobsRepo } from '../../../main/platform/jobs/store.js';
import { LabelingRepo } from '../../../main/labeling/store.js';
import { seedLabelledDataset } from '../training/fixtures.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'medssr-runstate-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('run rows follow their job: failed with its reason, cancelled, interrupted, incomplete, completed', () => {
  const db = openAppDatabase(path.join(dir, 'r.db'));
  try {
    const jobs = new JobsRepo(db);
    const evals = new EvaluationRepo(db);
    const labels = new LabelingRepo(db);
    const { datasetId } = seedLabelledDataset(db, 'd', 4);
    const job = (id: string, state: JobState, error: string | null = null) => {
      jobs.insert({ id, kind: 'evaluate', title: id, state: 'running', params: {}, progress: { done: 0, total: null, message: '' }, createdAt: new Date().toISOString() });
      jobs.update(id, { state, error });
    };
    const evalRun = (jobId: string | null) =>
      evals.createRun({ jobId, label: 'x', modelPath: '/m.gguf', adapterPath: null, generations: 1, limit: null, settings: {}, benchmarkIds: [] });
    job('e-failed', 'failed', 'Failed to initialize LoRA adapter');
    job('e-cancel', 'cancelled');
    job('e-int', 'interrupted');
    job('e-run', 'running');
    job('e-done', 'completed');
    const failed = evalRun('e-failed');
    assert.equal(failed.state, 'failed');
    assert.equal(failed.error, 'Failed to initialize LoRA adapter');
    assert.equal(evalRun('e-cancel').state, 'cancelled');
    assert.equal(evalRun('e-int').state, 'interrupted');
    assert.equal(evalRun('e-run').state, 'running');
    assert.equal(evalRun(null).state, 'incomplete');
    const done = evalRun('e-done');
    assert.equal(done.state, 'incomplete', 'the job ended but the run was never marked completed');
    evals.completeRun(done.id);
    assert.equal(evals.run(done.id)?.state, 'completed');
    assert.deepEqual(
      evals.runs().map((r) => r.state).sort(),
      ['cancelled', 'completed', 'failed', 'incomplete', 'interrupted', 'running'],
    );

    job('l-failed', 'failed', 'model file is not a GGUF');
    const lab = labels.createRun({ datasetId, modelPath: '/m.gguf', adapterPath: null, settings: {}, jobId: 'l-failed' });
    assert.equal(lab.state, 'failed');
    assert.equal(labels.runByJob('l-failed')?.error, 'model file is not a GGUF');
    job('l-ok', 'running');
    const ok = labels.createRun({ datasetId, modelPath: '/m.gguf', adapterPath: null, settings: {}, jobId: 'l-ok' });
    assert.equal(ok.state, 'running');
    labels.completeRun(ok.id);
    assert.equal(labels.run(ok.id)?.state, 'complete');
  } finally {
    db.close();
  }
});
