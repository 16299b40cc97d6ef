import assert from 'node:assert/strict';
import { test } from 'node:test';
import { majorityVote, type VoteInput } from '../../../main/labeling/vote.js';

const w = (...letters: (string | null)[]): VoteInput[] => letters.map((extracted) => ({ extracted, recovered: false }));
const r = (...letters: string[]): VoteInput[] => letters.map((extracted) => ({ extracted, recovered: true }));

test('majority label with its share of all samples', () => {
  const v = majorityVote(w('A', 'A', 'B', 'A', 'A', 'C', 'A', 'A'));
  assert.equal(v.label, 'A');
  assert.equal(v.voteShare, 6 / 8);
  assert.deepEqual(v.votes, { A: 6, B: 1, C: 1 });
  assert.equal(v.tie, false);
  assert.equal(v.rarelyAnswered, false);
});

test('unanswered samples count in the denominator, not as a vote', () => {
  const v = majorityVote(w('B', null, null, 'B'));
  assert.equal(v.label, 'B');
  assert.equal(v.voteShare, 0.5);
  assert.equal(v.written, 2);
  assert.equal(v.rarelyAnswered, false, 'exactly half wrote an answer');
});

test('a tie for first place gives no label and a flag', () => {
  const v = majorityVote(w('A', 'B', 'A', 'B', 'C'));
  assert.equal(v.label, null);
  assert.equal(v.tie, true);
  assert.equal(v.voteShare, 2 / 5);
});

test('nothing answered: no label, share null, not a tie', () => {
  const v = majorityVote(w(null, null));
  assert.equal(v.label, null);
  assert.equal(v.tie, false);
  assert.equal(v.voteShare, null);
  assert.equal(v.rarelyAnswered, true);
});

test('recovered letters are kept apart and never vote (stories260K: 8 recovered, 0 written)', () => {
  const v = majorityVote(r('A', 'A', 'A', 'A', 'A', 'A', 'A', 'B'));
  assert.equal(v.label, null);
  assert.equal(v.voteShare, null);
  assert.deepEqual(v.votes, {});
  assert.deepEqual(v.recovered, { A: 7, B: 1 });
  assert.equal(v.written, 0);
  assert.equal(v.samples, 8);
  assert.equal(v.rarelyAnswered, true);
});

test('a few written answers decide; the recovered majority does not, and the label is flagged rarely answered', () => {
  const v = majorityVote([...w('C', 'C', 'D'), ...r('A', 'A', 'A', 'A', 'A')]);
  assert.equal(v.label, 'C');
  assert.equal(v.voteShare, 2 / 8);
  assert.deepEqual(v.votes, { C: 2, D: 1 });
  assert.deepEqual(v.recovered, { A: 5 });
  assert.equal(v.rarelyAnswered, true);
});
