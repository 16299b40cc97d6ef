/**
 * A run whose groups all had equal rewards is "completed — no learning signal" with the reason, while it runs
 * too, and its adapters say so; one step with a reward difference is enough to be a signal.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { learningSignal } from '../../../api/trainingSignal.js';
import { openAppDatabase } from '../../../main/app/index.js';
import { TrainingRepo } from '../../../main/training/store.js';
import { adapterRecords } from '../../../main/training/module.js';
import { seedTrainedRun } from './learningSignal.fixture.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'medssr-signal-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('learningSignal names why there was nothing to learn', () => {
  assert.deepEqual(learningSignal({ steps: 0, stepsWithSignal: 0, maxAccuracy: null, minAccuracy: null, maxFormatRate: null }), { steps: 0, stepsWithSignal: 0, none: false, reason: null });
  const never = learningSignal({ steps: 5, stepsWithSignal: 0, maxAccuracy: 0, minAccuracy: 0, maxFormatRate: 0 });
  assert.equal(never.none, true);
  assert.match(never.reason ?? '', /^the model never wrote an answer in the expected form, .* all 5 steps/);
  assert.match(learningSignal({ steps: 2, stepsWithSignal: 0, maxAccuracy: 1, minAccuracy: 1, maxFormatRate: 1 }).reason ?? '', /^every completion was already right/);
  assert.match(learningSignal({ steps: 2, stepsWithSignal: 0, maxAccuracy: 0, minAccuracy: 0, maxFormatRate: 0.5 }).reason ?? '', /^no completion was ever right/);
  assert.equal(learningSignal({ steps: 2, stepsWithSignal: 1, maxAccuracy: 0.5, minAccuracy: 0, maxFormatRate: 1 }).none, false);
});

test('the store reports the signal of a run, live and per adapter', () => {
  const db = openAppDatabase(path.join(dir, 's.db'));
  try {
    const flat = seedTrainedRun(db, dir, { name: 'flat', steps: 4 });
    const live = seedTrainedRun(db, dir, { name: 'live', steps: 3, state: 'running' });
    const late = seedTrainedRun(db, dir, { name: 'late', steps: 4, signalAt: [3] });
    const repo = new TrainingRepo(db);
    const flatRun = repo.run(flat)!;
    assert.equal(flatRun.state, 'completed');
    assert.equal(flatRun.learning.none, true);
    assert.match(flatRun.learning.reason ?? '', /never wrote an answer/);
    assert.equal(repo.run(live)!.state, 'running');
    assert.equal(repo.run(live)!.learning.none, true, 'said while the run goes on');
    assert.equal(repo.run(late)!.learning.none, false);
    assert.equal(repo.run(late)!.learning.stepsWithSignal, 1);
    // Adapters: all of the flat run's are marked; of the late run only the one written before step 3.
    assert.ok(adapterRecords(repo, flat).every((a) => a.learning.none));
    const lateAdapters = new Map(adapterRecords(repo, late).map((a) => [a.step, a.learning.none]));
    assert.deepEqual([...lateAdapters].sort((a, b) => a[0] - b[0]), [[2, true], [4, false]]);
  } finally {
    db.close();
  }
});
