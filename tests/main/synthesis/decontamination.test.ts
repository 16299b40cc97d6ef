/** Decontamination finds a benchmark question planted in a synthetic dataset, by 13-gram and by MinHash. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { benchmarkOverlap, seedSetIsBenchmark } from '../../../main/synthesis/decontamination.js';
import { needShared, sharedPath } from '../../helpers/shared.js';

const skip = needShared('data', 'benchmarks', 'test_short_medqa.json');

test('a planted copy of a MedQA question is found; unrelated questions are not', { skip }, () => {
  const bench = (JSON.parse(readFileSync(sharedPath('data', 'benchmarks', 'test_short_medqa.json'), 'utf8')) as { id: string; question: string }[]).map((q) => ({ id: q.id, text: q.question }));
  const planted = bench[7]!;
  const dataset = [
    { id: 'syn-1', text: 'A 7-year-old boy is evaluated for arachnodactyly, ectopia lentis and aortic root dilatation. Which of the following is the most likely diagnosis?' },
    // Copied with a changed age and option order: still a 13-gram hit and a near-duplicate.
    { id: 'syn-2', text: planted.text.replace(/\b\d{1,2}-year-old\b/, '41-year-old') },
    { id: 'syn-3', text: 'A 3-month-old girl is brought to the clinic with hypotonia and macroglossia. Which gene?' },
  ];
  const r = benchmarkOverlap(dataset, 'medqa', bench);
  assert.equal(r.ngramHits, 1);
  assert.equal(r.nearDuplicates, 1);
  assert.ok(r.examples.every((e) => e.datasetId === 'syn-2' && e.benchmarkId === planted.id));
  assert.equal(seedSetIsBenchmark(bench.slice(0, 20), bench), true, 'a seed set that is the benchmark is flagged');
  assert.equal(seedSetIsBenchmark(dataset.filter((d) => d.id !== 'syn-2'), bench), false);
});
