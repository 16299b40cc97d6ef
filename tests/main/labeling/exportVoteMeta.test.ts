/** The export contract for labelled items: meta.votes / recovered / voteShare / pseudoLabel (issue 12). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openAppDatabase as openDatabase } from '../../../main/app/index.js';
import { LabelingRepo, exportMedssr } from '../../../main/labeling/index.js';
import { SynthesisRepo } from '../../../main/synthesis/index.js';
import { majorityVote } from '../../../main/labeling/vote.js';
import { seedLabelledDataset } from '../training/fixtures.js';

test('exported meta: written votes, recovered apart, share null and no label when nothing was written or on a tie', () => {
  const db = openDatabase(':memory:');
  seedLabelledDataset(db, 'vm', 3);
  const d = new SynthesisRepo(db).find('vm')!;
  const labels = new LabelingRepo(db);
  const run = labels.createRun({ datasetId: d.id, modelPath: '/m.gguf', adapterPath: null, settings: {}, jobId: null });
  const cases = [
    [{ extracted: 'A', recovered: true }, { extracted: 'A', recovered: true }, { extracted: 'B', recovered: true }, { extracted: null, recovered: false }],
    [{ extracted: 'B', recovered: false }, { extracted: 'B', recovered: false }, { extracted: 'C', recovered: false }, { extracted: 'A', recovered: true }],
    [{ extracted: 'C', recovered: false }, { extracted: 'D', recovered: false }, { extracted: null, recovered: false }, { extracted: 'C', recovered: true }],
  ];
  cases.forEach((samples, seq) => {
    const v = majorityVote(samples);
    labels.saveLabel(
      run.id,
      d.id,
      seq,
      {
        questionId: `vm-${seq}`,
        label: v.label,
        votes: v.votes,
        recovered: v.recovered,
        voteShare: v.voteShare,
        tie: v.tie,
        written: v.written,
        sampleCount: v.samples,
        rarelyAnswered: v.rarelyAnswered,
        agreesWithIntended: null,
        samples: samples.map((s, index) => ({ index, text: 't', extracted: s.extracted, recovered: s.recovered, tokens: 1 })),
      },
      4,
    );
  });
  const items = exportMedssr(db, 'vm');
  const pick = (i: number) => {
    const m = items[i]!.meta;
    return { votes: m.votes, recovered: m.recovered, voteShare: m.voteShare, pseudoLabel: m.pseudoLabel, tie: m.tie, rarelyAnswered: m.rarelyAnswered };
  };
  assert.deepEqual(pick(0), { votes: {}, recovered: { A: 2, B: 1 }, voteShare: null, pseudoLabel: null, tie: false, rarelyAnswered: true });
  assert.deepEqual(pick(1), { votes: { B: 2, C: 1 }, recovered: { A: 1 }, voteShare: 0.5, pseudoLabel: 'B', tie: false, rarelyAnswered: false });
  assert.deepEqual(pick(2), { votes: { C: 1, D: 1 }, recovered: { C: 1 }, voteShare: 0.25, pseudoLabel: null, tie: true, rarelyAnswered: false });
  db.close();
});
