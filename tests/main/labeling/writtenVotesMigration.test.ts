/**
 * Migration 045 recounts labels stored before issue 12 from their samples: recovered letters leave the vote,
 * the share becomes the written share (read as null when nothing was written), ties and labels follow.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDatabase } from '../../../main/platform/db/open.js';
import { migrations } from '../../../main/app/index.js';
import { migrate } from '../../../main/platform/db/migrate.js';
import { LabelingRepo } from '../../../main/labeling/index.js';

test('old labels are recounted from their samples: recovered letters no longer vote', () => {
  const before = migrations.filter((m) => m.name < '045');
  const db = openDatabase(':memory:', { migrations: before });
  db.exec(`INSERT INTO syn_datasets (id, name, version, state, created_at, generator, seed, plan, params) VALUES (1, 'd', 1, 'complete', 'now', 'template', 1, '{}', '{}')`);
  const q = db.prepare(
    `INSERT INTO syn_questions (dataset_id, seq, id, question_type, difficulty, stem, options, intended_answer, answer_code, provenance, status) VALUES (1, ?, ?, 'diagnosis', 'easy', 's', '[]', 'A', '1', '{}', 'accepted')`,
  );
  db.exec(`INSERT INTO lab_runs (id, dataset_id, model_path, settings, state, created_at) VALUES (1, 1, '/m.gguf', '{}', 'complete', 'now')`);
  const label = db.prepare(`INSERT INTO lab_labels (run_id, dataset_id, question_seq, label, votes, vote_share, tie, agrees, tokens, created_at) VALUES (1, 1, ?, ?, ?, ?, 0, ?, 0, 'now')`);
  const sample = db.prepare(`INSERT INTO lab_samples (run_id, question_seq, idx, text, extracted, recovered, tokens) VALUES (1, ?, ?, 't', ?, ?, 1)`);
  // Question 0: all 4 recovered as A (the old code said A, share 1). Question 1: written B, B, C + recovered A.
  // Question 2: written A, C + one unanswered + recovered C (old: C 2 vs A 1 → C; now a 1:1 tie).
  const cases: [number, string, Record<string, number>, number, [string | null, number][]][] = [
    [0, 'A', { A: 4 }, 1, [['A', 1], ['A', 1], ['A', 1], ['A', 1]]],
    [1, 'B', { B: 2, C: 1, A: 1 }, 0.5, [['B', 0], ['B', 0], ['C', 0], ['A', 1]]],
    [2, 'C', { A: 1, C: 2 }, 0.5, [['A', 0], ['C', 0], [null, 0], ['C', 1]]],
  ];
  for (const [seq, l, votes, share, samples] of cases) {
    q.run(seq, `q${seq}`);
    label.run(seq, l, JSON.stringify(votes), share, l === 'A' ? 1 : 0);
    samples.forEach(([x, rec], i) => sample.run(seq, i, x, rec));
  }
  // Every step from 045 on applies (later releases add their own); 045 is the one under test.
  assert.deepEqual(migrate(db, migrations), migrations.filter((m) => m.name >= '045').map((m) => m.name));
  assert.ok(migrations.some((m) => m.name === '045_labeling_written_votes'));
  const got = new LabelingRepo(db).latestLabels(1);
  const l0 = got.get(0)!;
  assert.deepEqual([l0.label, l0.voteShare, l0.votes, l0.recovered, l0.written, l0.sampleCount, l0.rarelyAnswered, l0.agreesWithIntended], [null, null, {}, { A: 4 }, 0, 4, true, null]);
  const l1 = got.get(1)!;
  assert.deepEqual([l1.label, l1.voteShare, l1.votes, l1.recovered, l1.tie, l1.rarelyAnswered, l1.agreesWithIntended], ['B', 0.5, { B: 2, C: 1 }, { A: 1 }, false, false, false]);
  const l2 = got.get(2)!;
  assert.deepEqual([l2.label, l2.voteShare, l2.votes, l2.recovered, l2.tie, l2.written], [null, 0.25, { A: 1, C: 1 }, { C: 1 }, true, 2]);
  db.close();
});
