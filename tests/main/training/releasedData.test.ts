/**
 * Released MedSSR data in the benchmark JSON shape (id, question, gold?, name, extra fields): as a seed set, as
 * stage 1 (pseudo-labels and vote shares from our export contract or top-level fields, else gold) and as stage 2,
 * with the extra fields kept in the run's snapshot and the verl export, and every left-out entry counted.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { parquetReadObjects } from 'hyparquet';
import { trainInputSchema } from '../../../api/training.js';
import { openAppDatabase } from '../../../main/app/index.js';
import { exportMedssr } from '../../../main/labeling/export.js';
import { SeedStore } from '../../../main/synthesis/seedStore.js';
import { readReleasedStage1, stage1Candidates } from '../../../main/training/data.js';
import { TrainingRepo } from '../../../main/training/store.js';
import { createRun } from '../../../main/training/trainJob.js';
import { exportVerl } from '../../../main/training/verlExport.js';
import { fakeTrainerBin, seedLabelledDataset } from './fixtures.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'medssr-released-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const q = (i: number) => `Released question ${i}: which?\nA. one\nB. two\nC. three\nD. four`;

/** Synthetic entries the way a release may carry labels: our meta contract, top-level fields, or only gold. */
function releasedSynthetic(): string {
  const rows = [
    { id: 's0', question: q(0), gold: 'A', name: 'medssr-synthetic', meta: { pseudoLabel: 'B', voteShare: 0.75, votes: { B: 6, A: 2 } }, source: 'orphanet', card: { orpha: '558' } },
    { id: 's1', question: q(1), gold: 'C', name: 'medssr-synthetic', pseudo_label: 'C', vote_share: 1 },
    { id: 's2', question: q(2), gold: 'D', name: 'medssr-synthetic', meta: { pseudoLabel: 'A', voteShare: 0.25 } },
    { id: 's3', question: q(3), gold: 'D', name: 'medssr-synthetic', meta: { pseudoLabel: null, voteShare: null } },
    { id: 's4', question: q(4), gold: 'b', name: 'medssr-synthetic', difficulty: 'hard' },
    { id: 's5', question: q(5), gold: 'A', name: 'medssr-synthetic', pseudoLabel: 'D', voteShare: 0.5 },
  ];
  const f = path.join(dir, 'synthetic.json');
  writeFileSync(f, JSON.stringify(rows));
  return f;
}

test('a released synthetic set is stage 1 data: its pseudo-labels, vote shares and extra fields, every left-out entry counted', () => {
  const r = readReleasedStage1(releasedSynthetic(), 0.5);
  assert.deepEqual(
    r.items.map((i) => [i.source, i.label, i.voteShare]),
    [
      ['file:synthetic.json:s0', 'B', 0.75],
      ['file:synthetic.json:s1', 'C', 1],
      ['file:synthetic.json:s4', 'B', null],
      ['file:synthetic.json:s5', 'D', 0.5],
    ],
  );
  assert.deepEqual(r.items[0]?.extra, { name: 'medssr-synthetic', meta: { pseudoLabel: 'B', voteShare: 0.75, votes: { B: 6, A: 2 } }, source: 'orphanet', card: { orpha: '558' } });
  assert.deepEqual(r.items[2]?.extra, { name: 'medssr-synthetic', difficulty: 'hard' });
  assert.equal(
    r.summary,
    'synthetic.json (4; 1 below vote share 0.5 left out; 1 without a pseudo-label (no written answer or a tie) left out; 1 without a pseudo-label field: gold taken as the label; 1 without a vote share: kept, the vote-share filter could not apply)',
  );
});

test('bad released entries are refused naming the file, entry and value', () => {
  const bad = (rows: unknown[]) => {
    const f = path.join(dir, `bad-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(f, JSON.stringify(rows));
    return f;
  };
  assert.throws(() => readReleasedStage1(bad([{ id: 'x', question: q(1), meta: { pseudoLabel: 'A', voteShare: 1.5 } }]), 0.5), /bad-.*\.json: entry 0 \(x\) has vote share 1\.5/);
  assert.throws(() => readReleasedStage1(bad([{ id: 'y', question: q(1), pseudoLabel: 'F' }]), 0.5), /entry 0 \(y\) has label "F" outside its options ABCD/);
  assert.throws(() => readReleasedStage1(bad([{ id: 'z', question: q(1), pseudoLabel: 'maybe' }]), 0.5), /entry 0 \(z\) has label "maybe", not one letter/);
  assert.throws(() => readReleasedStage1(bad([{ id: 'w', question: 'no options' }]), 0.5), /entry 0 \(w\) has no "A\. …" option lines/);
});

test('released stage 1 and human stage 2 files make a run whose snapshot and verl export keep the extra fields', async () => {
  const db = openAppDatabase(path.join(dir, 'run.db'));
  try {
    const human = path.join(dir, 'human.json');
    writeFileSync(
      human,
      JSON.stringify(Array.from({ length: 8 }, (_, i) => ({ id: `h${i}`, question: q(10 + i), gold: 'ABCD'[i % 4], name: 'medqa', explanation: `because ${i}`, meta_info: 'step1' }))),
    );
    const run = createRun(
      db,
      dir,
      trainInputSchema.parse({ modelPath: fakeTrainerBin, stage1: { files: [releasedSynthetic()], minVoteShare: 0.5 }, stage2: { files: [human] }, settings: { heldOut: 0, promptsPerStep: 2 } }),
      null,
    );
    assert.deepEqual(run.data.stage1?.sources, [readReleasedStage1(releasedSynthetic(), 0.5).summary]);
    assert.equal(run.data.stage1?.train, 4);
    const repo = new TrainingRepo(db);
    const s1 = repo.items(run.id, 1, 'train');
    assert.deepEqual(s1.find((i) => i.source.endsWith(':s0'))?.extra?.card, { orpha: '558' });
    const s2 = repo.items(run.id, 2, 'train');
    assert.equal(s2.length, 8);
    assert.deepEqual(s2.find((i) => i.source.endsWith(':h3'))?.extra, { name: 'medqa', explanation: 'because 3', meta_info: 'step1' });

    const out = await exportVerl(db, run.id, path.join(dir, 'verl'));
    const buf = readFileSync(path.join(out.dir, 'stage2_train.parquet'));
    const rows = (await parquetReadObjects({ file: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) })) as { extra_info: { source: string; extra: string | null } }[];
    const h3 = rows.find((r) => r.extra_info.source.endsWith(':h3'));
    assert.deepEqual(JSON.parse(h3?.extra_info.extra ?? 'null'), { name: 'medqa', explanation: 'because 3', meta_info: 'step1' });
  } finally {
    db.close();
  }
});

test("this app's own labelled export reads back as the same stage 1 as the dataset it came from", () => {
  const db = openAppDatabase(path.join(dir, 'rt.db'));
  try {
    seedLabelledDataset(db, 'syn', 12);
    const f = path.join(dir, 'syn-export.json');
    writeFileSync(f, JSON.stringify(exportMedssr(db, 'syn')));
    const fromDataset = stage1Candidates(db, { dataset: 'syn', files: [], minVoteShare: 0.5, review: 'any' }).items;
    const fromFile = stage1Candidates(db, { files: [f], minVoteShare: 0.5, review: 'any' }).items;
    assert.equal(fromFile.length, fromDataset.length);
    assert.deepEqual(
      fromFile.map((i) => [i.question, i.label, i.voteShare]),
      fromDataset.map((i) => [i.question, i.label, i.voteShare]),
    );
    assert.throws(() => stage1Candidates(db, { files: [f], minVoteShare: 0.5, review: 'approved' }), /review filter applies to a dataset/);
    assert.equal(trainInputSchema.safeParse({ modelPath: 'm.gguf', stage1: { minVoteShare: 0.5 } }).success, false, 'stage 1 needs a dataset or files');
  } finally {
    db.close();
  }
});

test('the released set imports as a seed set with its extra fields kept', () => {
  const db = openAppDatabase(path.join(dir, 'seeds.db'));
  try {
    const s = new SeedStore(db).importFile(releasedSynthetic(), 'medssr-43k');
    assert.equal(s.count, 6);
    const seeds = new SeedStore(db).seeds(['medssr-43k']);
    assert.deepEqual(seeds[0]?.extra, { meta: { pseudoLabel: 'B', voteShare: 0.75, votes: { B: 6, A: 2 } }, source: 'orphanet', card: { orpha: '558' }, name: 'medssr-synthetic' });
    assert.equal(seeds[4]?.gold, 'B');
  } finally {
    db.close();
  }
});
