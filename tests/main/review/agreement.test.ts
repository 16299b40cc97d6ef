/**
 * Agreement on a fixture small enough to compute by hand.
 *
 * Ten items, two reviewers (R = reject):
 *   seq       0 1 2 3 4 5 6 7 8 9
 *   Alice     A A A A A B B B R R
 *   Bob       A A A B B B B R R R
 * Agreement on seq 0,1,2,5,6,8,9: p_o = 7/10 = 0.7.
 * Marginals: Alice A 5, B 3, R 2; Bob A 3, B 4, R 3.
 * p_e = 0.5·0.3 + 0.3·0.4 + 0.2·0.3 = 0.33;  kappa = (0.7 − 0.33) / (1 − 0.33) = 0.37 / 0.67 = 0.552238…
 *
 * Pseudo-labels of the fixture for seq 0..9: A B C E E A (tie) D D E.
 * Alice's answers (seq 0..7) equal the pseudo-label only at seq 0; seq 6 has none: 7 compared, 1 agrees.
 * Bob's answers (seq 0..6) likewise: 6 compared, 1 agrees. Together 13 compared, 2 agree.
 * Intended answers for seq 0..9: A B C D E A B C D E. Alice agrees at seq 0 and 6 (2 of 8), Bob at 0 and 6 (2 of 7).
 * Outcomes differ at seq 3, 4 and 7: three conflicts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openAppDatabase } from '../../../main/app/index.js';
import { runAs } from '../../../main/review/actor.js';
import { cohensKappa } from '../../../main/review/agreement.js';
import { ReviewService } from '../../../main/review/service.js';
import { createReviewFixture } from './fixture.js';

test("Cohen's kappa, percent agreement and agreement with the pseudo-label match the hand computation", async () => {
  const db = openAppDatabase(':memory:');
  const ds = createReviewFixture(db, { name: 'kappa', count: 10 });
  const svc = new ReviewService(db, { get: () => null });
  const alice = await svc.addReviewer({ name: 'Alice', role: 'reviewer' });
  const bob = await svc.addReviewer({ name: 'Bob', role: 'reviewer' });
  const decide = (reviewerId: number, seq: number, v: string) =>
    runAs({ reviewerId, role: 'reviewer' }, () =>
      svc.decide({
        datasetId: ds,
        seq,
        decision: v === 'R' ? { kind: 'reject', reason: 'ambiguous', note: '' } : { kind: 'answer', answer: v },
        adjudicate: false,
      }),
    );
  'AAAAABBBRR'.split('').forEach((v, seq) => decide(alice.id, seq, v));
  'AAABBBBRRR'.split('').forEach((v, seq) => decide(bob.id, seq, v));

  const report = svc.agreement({});
  assert.equal(report.pairs.length, 1);
  const pair = report.pairs[0]!;
  assert.deepEqual([pair.a.name, pair.b.name, pair.items], ['Alice', 'Bob', 10]);
  assert.equal(pair.percentAgreement, 0.7);
  assert.ok(Math.abs((pair.kappa ?? NaN) - 0.37 / 0.67) < 1e-12, `kappa ${pair.kappa}`);
  assert.deepEqual(report.humanVsPseudo, { items: 13, agree: 2, rate: 2 / 13 });
  assert.deepEqual(report.humanVsIntended, { items: 15, agree: 4, rate: 4 / 15 });
  assert.equal(report.conflicts, 3);
  assert.deepEqual(report.throughput.map((t) => [t.reviewer.name, t.decisions]), [
    ['Alice', 10],
    ['Bob', 10],
  ]);
});

test('kappa edge cases: perfect agreement, and undefined when chance agreement is total', () => {
  const perfect = cohensKappa([
    ['A', 'A'],
    ['B', 'B'],
  ]);
  assert.deepEqual(perfect, { po: 1, pe: 0.5, kappa: 1 });
  assert.equal(cohensKappa([['A', 'A']])?.kappa, null);
  assert.equal(cohensKappa([]), null);
  // Systematic disagreement is worse than chance.
  assert.equal(cohensKappa([['A', 'B'], ['B', 'A']])?.kappa, -1);
});
