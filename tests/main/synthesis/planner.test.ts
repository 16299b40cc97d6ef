import assert from 'node:assert/strict';
import { test } from 'node:test';
import { synthesisPlanSchema } from '../../../api/synthesis.js';
import { KnowledgeIndex } from '../../../main/synthesis/knowledgeIndex.js';
import { allocate, eligibleDisorders, largestRemainder, normaliseWeights, planCells, totalVariationDistance } from '../../../main/synthesis/planner.js';
import { fixtureFacts } from './fixtures.js';

test('largest remainder sums exactly and gives leftovers to the largest fractions', () => {
  assert.deepEqual(largestRemainder([1, 1, 1], 10), [4, 3, 3]);
  assert.deepEqual(largestRemainder([0.5, 0.3, 0.2], 7), [4, 2, 1]);
  assert.deepEqual(largestRemainder([0, 0], 5), [0, 0]);
  const q = largestRemainder([0.123, 0.456, 0.421], 1001);
  assert.equal(q.reduce((s, v) => s + v, 0), 1001);
});

test('quotas over the product of constrained dimensions sum to count', () => {
  const plan = synthesisPlanSchema.parse({
    count: 1000,
    weights: { questionType: { diagnosis: 0.5, gene: 0.3, inheritance: 0.2 }, difficulty: { easy: 1, medium: 1, hard: 1 } },
  });
  const cells = allocate(plan);
  assert.equal(cells.length, 9);
  assert.equal(cells.reduce((s, c) => s + c.planned, 0), 1000);
  const diag = cells.filter((c) => c.cell.questionType === 'diagnosis').reduce((s, c) => s + c.planned, 0);
  assert.ok(Math.abs(diag - 500) <= 1, `diagnosis quota ${diag}`);
  for (const c of cells) assert.equal(c.cell.branch, undefined, 'unconstrained dimensions stay out of the cells');
});

test('missing dimensions are unconstrained; zero weights drop out', () => {
  const plan = synthesisPlanSchema.parse({ count: 10, weights: { questionType: { diagnosis: 2, gene: 0 } } });
  assert.deepEqual(normaliseWeights(plan), { questionType: [['diagnosis', 1]] });
  assert.equal(allocate(plan).length, 1);
});

test('plan validation names the offending field', () => {
  const bad = synthesisPlanSchema.safeParse({ count: 10, weights: { questionType: { diagnose: 1 } } });
  assert.equal(bad.success, false);
  assert.match(JSON.stringify(bad.error?.issues), /questionType/);
  const zero = synthesisPlanSchema.safeParse({ count: 10, weights: { difficulty: { easy: 0 } } });
  assert.equal(zero.success, false);
  assert.match(JSON.stringify(zero.error?.issues), /positive/);
  assert.equal(synthesisPlanSchema.safeParse({ count: -1 }).success, false);
});

test('eligibility: gene questions need a causal gene, cells with no disorder are not achievable', () => {
  const index = new KnowledgeIndex(fixtureFacts());
  const gene = eligibleDisorders(index, { questionType: 'gene' }, 5);
  assert.ok(gene.length > 0);
  assert.ok(gene.every((d) => d.causalGenes.length > 0));
  const inh = eligibleDisorders(index, { questionType: 'inheritance' }, 5);
  assert.ok(inh.every((d) => d.inheritance.length > 0));
  assert.ok(inh.length < index.answerPool.length, '"Not applicable" is not an inheritance answer');
  const plan = synthesisPlanSchema.parse({ count: 100, weights: { prevalenceClass: { '>1 / 1000': 1, '1-5 / 10 000': 1 } } });
  const cells = planCells(plan, index);
  const none = cells.find((c) => c.cell.prevalenceClass === '>1 / 1000');
  assert.equal(none?.achievable, 0);
  assert.equal(none?.eligible.length, 0);
});

test('total variation distance', () => {
  assert.equal(totalVariationDistance({ a: 0.5, b: 0.5 }, { a: 0.5, b: 0.5 }), 0);
  assert.equal(totalVariationDistance({ a: 1 }, { b: 1 }), 1);
  assert.ok(Math.abs(totalVariationDistance({ a: 0.6, b: 0.4 }, { a: 0.5, b: 0.5 }) - 0.1) < 1e-12);
});

test('the first constrained dimension gets exactly its largest-remainder totals, beside any other', () => {
  const qt = { diagnosis: 0.3, gene: 0.2, inheritance: 0.2, phenotype: 0.15, 'next-investigation': 0.15 };
  const totals = (weights: Parameters<typeof synthesisPlanSchema.parse>[0]) => {
    const cells = allocate(synthesisPlanSchema.parse(weights));
    const by = new Map<string, number>();
    for (const c of cells) by.set(c.cell.questionType as string, (by.get(c.cell.questionType as string) ?? 0) + c.planned);
    assert.equal(cells.reduce((s, c) => s + c.planned, 0), 40);
    return Object.keys(qt).map((k) => by.get(k) ?? 0);
  };
  assert.deepEqual(totals({ count: 40, weights: { questionType: qt } }), [12, 8, 8, 6, 6]);
  assert.deepEqual(totals({ count: 40, weights: { questionType: qt, difficulty: { easy: 0.3, medium: 0.4, hard: 0.3 } } }), [12, 8, 8, 6, 6]);
  const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`type ${i}`, 1]));
  assert.deepEqual(totals({ count: 40, weights: { questionType: qt, disorderType: eleven } }), [12, 8, 8, 6, 6]);
  // The second dimension: each of the eleven types within one of 40/11.
  const cells = allocate(synthesisPlanSchema.parse({ count: 40, weights: { questionType: qt, disorderType: eleven } }));
  const byType = new Map<string, number>();
  for (const c of cells) byType.set(c.cell.disorderType as string, (byType.get(c.cell.disorderType as string) ?? 0) + c.planned);
  for (const [t, n] of byType) assert.ok(Math.abs(n - 40 / 11) < 1, `${t}: ${n}`);
});
