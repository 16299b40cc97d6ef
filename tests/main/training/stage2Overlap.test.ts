/**
 * Stage 2's human-labelled files against the imported benchmarks: training.stage2Overlap finds a benchmark question
 * planted in a stage-2 file before a start (which file entry, which benchmark question, both texts), and a run
 * snapshotted from that file logs the overlap and makes evaluation.trainingOverlap warn for its adapter.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createApp } from '../../../main/app/index.js';
import { logTrainingOverlap } from '../../../main/training/index.js';
import { createRun } from '../../../main/training/trainJob.js';
import { TrainingRepo } from '../../../main/training/store.js';
import { needShared, sharedPath } from '../../helpers/shared.js';

const benchFile = ['data', 'benchmarks', 'test_short_medqa.json'] as const;
const skip = needShared(...benchFile);

const clean = {
  id: 'gold-own',
  question: 'A 7-year-old boy is evaluated for arachnodactyly, ectopia lentis and aortic root dilatation. Which of the following is the most likely diagnosis?\nA. Marfan syndrome\nB. Homocystinuria\nC. Ehlers-Danlos syndrome\nD. Loeys-Dietz syndrome',
  gold: 'A',
};

test('a benchmark question planted in a stage-2 file is found before the start, logged by the run and warned on for its adapter', { skip, timeout: 120_000 }, async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'medssr-stage2-overlap-'));
  const app = await createApp({ dataDir: dir, dbPath: ':memory:', transport: 'ipc', seedDemo: false });
  try {
    const file = sharedPath(...benchFile);
    const bench = JSON.parse(readFileSync(file, 'utf8')) as { id: string; question: string; gold?: string; answer?: string }[];
    const planted = bench[11]!;
    const gold = path.join(dir, 'gold.json');
    // The planted copy keeps the benchmark's text; gold A is within its options.
    writeFileSync(gold, JSON.stringify([clean, { id: 'gold-copied', question: planted.question, gold: 'A' }]));
    const spec = { files: [gold] };

    // No benchmark imported yet: said so, nothing compared.
    const none = await app.call('training.stage2Overlap', spec);
    assert.equal(none.questions, 2);
    assert.deepEqual(none.benchmarks, []);
    assert.equal(none.overlaps, false);

    await app.call('evaluation.import', { path: file });
    const r = await app.call('training.stage2Overlap', spec);
    assert.deepEqual(r.sources, ['gold.json (2)']);
    assert.equal(r.questions, 2);
    assert.equal(r.overlaps, true);
    const medqa = r.benchmarks.find((b) => b.benchmark === 'medqa');
    assert.ok(medqa);
    assert.equal(medqa.ngramHits, 1);
    assert.equal(medqa.nearDuplicates, 1);
    assert.ok(medqa.examples.length > 0 && medqa.examples.every((e) => e.itemId === 'file:gold.json:gold-copied' && e.benchmarkQuestionId === planted.id));
    assert.equal(medqa.examples[0]!.itemText, planted.question);
    assert.equal(medqa.examples[0]!.benchmarkText, planted.question);

    // A file that cannot be read is a bad-input error naming it; nothing is compared.
    await assert.rejects(app.call('training.stage2Overlap', { files: [path.join(dir, 'missing.json')] }), /missing\.json/);

    // A run snapshotted from the same file (held-out slice 0, so both questions are trained on).
    const model = path.join(dir, 'model.gguf');
    writeFileSync(model, 'not read here');
    const run = createRun(app.context.db, dir, { name: 'gold-run', modelPath: model, preset: 'cpu-demo', settings: { heldOut: 0 }, stage2: { files: [gold] } }, null);
    const training = new TrainingRepo(app.context.db);
    const adapter = path.join(dir, 'training', `run-${run.id}`, 'adapter-final.gguf');
    training.insertAdapter(run.id, { step: 1, stage: 2, kind: 'final', path: adapter });
    const medqaId = (await app.call('evaluation.benchmarks')).find((b) => b.name === 'medqa')!.id;
    const t = await app.call('evaluation.trainingOverlap', { adapterPath: adapter, benchmarkIds: [medqaId] });
    assert.deepEqual(t.run, { id: run.id, name: 'gold-run' });
    assert.equal(t.questions, 2, "the adapter's stage 2 questions are compared");
    assert.equal(t.benchmarks[0]!.nearDuplicates, 1);
    assert.match(t.benchmarks[0]!.examples[0]!.itemId, /^stage 2 #\d$/);

    const source = { list: () => [{ id: medqaId, name: 'medqa', version: 1 }], questions: () => bench.map((q) => ({ id: q.id, text: q.question })) };
    assert.equal(logTrainingOverlap(training, run.id, source), 1);
    const warn = training.logs(run.id).find((l) => l.level === 'warn');
    assert.match(warn?.message ?? '', /^Training data overlaps medqa v1: 1 of 2 trained questions share a word 13-gram with it, 1 are near-duplicates .*, e\.g\. stage 2 #\d ↔ medqa medqa-000522; /);
  } finally {
    await app.close();
  }
});
