import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SourceFact } from '../../../api/review.js';
import { containsTerm, phenotypePhrases, phenotypeTerm, splitMarked } from '../../../renderer/src/pages/review/phenotypeMarks.js';

const fact = (kind: SourceFact['kind'], value: string, orphaCode = '558'): SourceFact => ({ kind, value, orphaCode, inStem: false });

test('only the answer disorder’s phenotypes, longest first, no sex or inheritance facts', () => {
  const facts = [fact('phenotype', 'root dilatation'), fact('phenotype', 'aortic root dilatation'), fact('sex', 'male'), fact('inheritance', 'Autosomal dominant'), fact('phenotype', 'splenomegaly', '355'), fact('phenotype', 'ab')];
  assert.deepEqual(phenotypePhrases(facts, '558'), ['aortic root dilatation', 'root dilatation']);
});

test('whole terms only: "male" is not marked inside "male-to-male" or "female"', () => {
  const stem = 'A female patient with male-to-male transmission in the family; a male cousin.';
  assert.deepEqual(splitMarked(stem, ['male']), ['A female patient with male-to-male transmission in the family; a ', 'male', ' cousin.']);
  assert.equal(containsTerm('male-to-male transmission', 'male'), false);
  assert.equal(containsTerm('Male infant', 'male'), true);
});

test('the longest term wins where two overlap, case-insensitive, special characters literal', () => {
  const parts = splitMarked('Aortic root dilatation and root dilatation (mild).', ['aortic root dilatation', 'root dilatation']);
  assert.deepEqual(parts, ['', 'Aortic root dilatation', ' and ', 'root dilatation', ' (mild).']);
  assert.deepEqual(splitMarked('IgA (serum) raised', ['IgA (serum)']), ['', 'IgA (serum)', ' raised']);
  assert.deepEqual(splitMarked('nothing here', []), ['nothing here']);
});

test('a template fact keeps the HPO id as its value: the term is its detail without the frequency', () => {
  const f: SourceFact = { kind: 'phenotype', orphaCode: '488635', value: 'HP:0001250', detail: 'Seizure (Very frequent (99-80%))', inStem: false };
  assert.equal(phenotypeTerm(f), 'Seizure');
  assert.equal(phenotypeTerm({ value: 'HP:0001187', detail: 'Hyperextensibility of the finger joints (Occasional (29-5%))' }), 'Hyperextensibility of the finger joints');
  assert.equal(phenotypeTerm({ value: 'arachnodactyly', detail: 'Very frequent (99-80%)' }), 'arachnodactyly');
  assert.deepEqual(splitMarked('A boy with seizure and hyperextensibility of the finger joints.', phenotypePhrases([f, { ...f, value: 'HP:0001187', detail: 'Hyperextensibility of the finger joints (Occasional (29-5%))' }], '488635')), [
    'A boy with ',
    'seizure',
    ' and ',
    'hyperextensibility of the finger joints',
    '.',
  ]);
});

test('whole terms only: a letter, digit or hyphen next to the phrase makes it part of a longer word', () => {
  assert.equal(containsTerm('hepatosplenomegaly and fever', 'splenomegaly'), false);
  assert.equal(containsTerm('Splenomegaly, fever', 'splenomegaly'), true);
  assert.equal(containsTerm('a male-to-male transmission', 'male'), false);
  assert.equal(containsTerm('bone pains', 'bone pain'), false);
  assert.equal(containsTerm('ab ab', 'ab'), false, 'two letters are too short to count');
});
