/**
 * Decontamination through the Api: a benchmark question planted in a dataset is reported by synthesis.overlap
 * (with both texts of the pair), a seed set that is the benchmark is flagged by the plan's preview and by start,
 * and an adapter whose run trained on the planted question makes evaluation.trainingOverlap warn.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createApp } from '../../../main/app/index.js';
import { logTrainingOverlap } from '../../../main/training/index.js';
import { needShared, sharedPath } from '../../helpers/shared.js';
import { plantDataset, plantTrainedAdapter } from './overlapFixture.js';

const benchFile = ['data', 'benchmarks', 'test_short_medqa.json'] as const;
const skip = needShared(...benchFile);

test('a planted benchmark question is found by synthesis.overlap, flagged in a seeded plan and warned on for an adapter trained on it', { skip, timeout: 120_000 }, async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'medssr-overlap-'));
  const app = await createApp({ dataDir: dir, dbPath: ':memory:', transport: 'ipc', seedDemo: true });
  try {
    const file = sharedPath(...benchFile);
    const bench = JSON.parse(readFileSync(file, 'utf8')) as { id: string; question: string }[];
    await app.call('evaluation.import', { path: file });
    const planted = bench[11]!;
    plantDataset(app.context.db, 'planted', planted.question);

    const r = await app.call('synthesis.overlap', { dataset: 'planted' });
    assert.equal(r.questions, 2);
    assert.equal(r.overlaps, true);
    const medqa = r.benchmarks.find((b) => b.benchmark === 'medqa');
    assert.ok(medqa, 'every imported benchmark is reported');
    assert.equal(medqa.ngramHits, 1);
    assert.equal(medqa.nearDuplicates, 1);
    assert.ok(medqa.examples.length > 0 && medqa.examples.every((e) => e.itemId === 'planted-1' && e.benchmarkQuestionId === planted.id));
    assert.equal(medqa.examples[0]!.benchmarkText, planted.question);
    assert.match(medqa.examples[0]!.itemText, /^A /);
    await assert.rejects(app.call('synthesis.overlap', { dataset: 'nope' }), /No complete dataset named "nope"/);

    // A seed set that is the benchmark itself is flagged when the plan is made.
    const seedsFile = path.join(dir, 'seeds.json');
    writeFileSync(seedsFile, JSON.stringify(bench.slice(0, 30)));
    await app.call('synthesis.importSeeds', { path: seedsFile, name: 'medqa-seeds' });
    const preview = await app.call('synthesis.preview', { count: 10, rareRatio: 0.3, seeds: { sets: ['medqa-seeds'] } });
    assert.deepEqual(preview.seedBenchmarks, [{ seedSet: 'medqa-seeds', benchmark: 'medqa', benchmarkVersion: 1, nearDuplicates: 30, seeds: 30 }]);
    const unseeded = await app.call('synthesis.preview', { count: 10 });
    assert.equal(unseeded.seedBenchmarks, undefined);

    // An adapter whose run trained on the planted question: its evaluation on medqa warns.
    const { runId, adapter, training } = plantTrainedAdapter(app.context.db, dir, 'contaminated', planted.question);
    const medqaId = (await app.call('evaluation.benchmarks')).find((b) => b.name === 'medqa')!.id;
    const t = await app.call('evaluation.trainingOverlap', { adapterPath: adapter, benchmarkIds: [medqaId] });
    assert.deepEqual(t.run, { id: runId, name: 'contaminated' });
    assert.equal(t.overlaps, true);
    assert.equal(t.benchmarks[0]!.nearDuplicates, 1);
    // The run's own log says so before its first step (what the train job writes for a new run).
    const source = { list: () => [{ id: 1, name: 'medqa', version: 1 }], questions: () => bench.map((q) => ({ id: q.id, text: q.question })) };
    assert.equal(logTrainingOverlap(training, runId, source), 1);
    const warn = training.logs(runId).find((l) => l.level === 'warn');
    assert.match(warn?.message ?? '', /^Training data overlaps medqa v1: 1 of 1 trained questions share a word 13-gram with it, 1 are near-duplicates .*memory as well as skill$/);
    const foreign = await app.call('evaluation.trainingOverlap', { adapterPath: path.join(dir, 'elsewhere.gguf') });
    assert.equal(foreign.run, null, 'an adapter no run here wrote: nothing to compare, said so');
  } finally {
    await app.close();
  }
});
