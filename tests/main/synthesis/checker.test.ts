/**
 * The question checker's named rules on the failures a physician found in the old templates (each case from
 * issue 11), and on a question that breaks none of them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Difficulty, QuestionType } from '../../../api/synthesis.js';
import { checkQuestion, type CheckFacts } from '../../../main/synthesis/checker/rules.js';
import type { DisorderFactsInput } from '../../../main/synthesis/disorderFacts.js';
import { KnowledgeIndex } from '../../../main/synthesis/knowledgeIndex.js';

const freq = { vf: 'Very frequent (99-80%)', f: 'Frequent (79-30%)', o: 'Occasional (29-5%)' };
let hpo = 1;
function disorder(code: string, name: string, o: Partial<DisorderFactsInput> & { terms?: [string, string][] } = {}): DisorderFactsInput {
  return {
    orphaCode: code,
    name,
    disorderType: 'Disease',
    phenotypes: (o.terms ?? []).map(([term, f]) => ({ hpoId: `HP:${String(hpo++).padStart(7, '0')}`, term, frequency: f })),
    genes: o.genes ?? [],
    inheritance: o.inheritance ?? ['Autosomal recessive'],
    onsets: o.onsets ?? ['Childhood'],
    prevalences: [],
    branches: [],
    parents: o.parents ?? [{ orphaCode: '900', name: 'Group', present: true }],
    children: o.children ?? [],
    synonyms: [],
  };
}
const gene = (symbol: string, via: string | null = null) => ({ symbol, name: symbol, associationType: 'Disease-causing germline mutation(s) in', hgncId: null, omimId: null, viaChild: via ? { orphaCode: via, name: via } : null });

const index = new KnowledgeIndex([
  disorder('900', 'Group', { parents: [{ orphaCode: '999', name: 'Head', present: true }] }),
  disorder('999', 'Head', { parents: [] }),
  disorder('1', 'Pitt-Hopkins-like test syndrome', {
    terms: [['Axial hypotonia', freq.vf], ['Absent speech', freq.vf], ['Seizure', freq.f], ['Back pain', freq.f], ['Polycystic ovaries', freq.f], ['Hypertonia', freq.o], ['Anophthalmia', freq.o], ['Megalocornea', freq.o]],
    onsets: ['Neonatal', 'Adult'],
  }),
  disorder('2', 'Split-foot malformation-mesoaxial polydactyly syndrome', { terms: [['Split foot', freq.vf], ['Mesoaxial foot polydactyly', freq.vf], ['Syndactyly', freq.f]] }),
  disorder('828', 'Stickler-like syndrome', {
    terms: [['Myopia', freq.vf], ['Cleft palate', freq.f], ['Hearing impairment', freq.f]],
    inheritance: ['Autosomal dominant', 'Autosomal recessive'],
    genes: [gene('COL2A1', '90653'), gene('COL9A2', '250984')],
    children: [{ orphaCode: '90653', name: 'type 1', present: true }, { orphaCode: '250984', name: 'AR type', present: true }],
  }),
  disorder('90653', 'Stickler-like type 1', { inheritance: ['Autosomal dominant'], terms: [['Myopia', freq.vf]] }),
  disorder('250984', 'Stickler-like AR type', { inheritance: ['Autosomal recessive'], terms: [['Myopia', freq.vf]] }),
]);

function check(answerCode: string, stem: string, opts: { type?: QuestionType; difficulty?: Difficulty; facts?: Partial<CheckFacts>; answerText?: string } = {}) {
  const answer = index.byCode.get(answerCode)!;
  const findings = answer.phenotypes.filter((p) => stem.toLowerCase().includes(p.term.toLowerCase())).map((p) => ({ hpoId: p.hpoId, term: p.term }));
  const facts: CheckFacts = { findings, familyPattern: null, keyedGene: null, askedFinding: null, distractors: [], namesNotInStem: [], ...opts.facts };
  const answerText = opts.answerText ?? answer.name;
  const results = checkQuestion({
    draft: {
      questionType: opts.type ?? 'diagnosis',
      difficulty: opts.difficulty ?? 'easy',
      stem,
      options: [{ letter: 'A', text: answerText }],
      intendedAnswer: 'A',
      provenance: { orphaCodes: [answerCode], facts: [], cell: {}, generator: { kind: 'template', version: 't' }, seed: 1, filters: {} },
    },
    answerText,
    answer,
    facts,
    index,
  });
  return results.filter((r) => !r.passed).map((r) => r.rule);
}

const Q = ' Which of the following is the most likely diagnosis?';

test('a self-reported symptom in a 19-day-old and ovaries in a man are rejected', () => {
  assert.ok(check('1', `A 19-day-old boy is evaluated for axial hypotonia, seizure and back pain.${Q}`).includes('self-report-in-young-child'));
  assert.ok(check('1', `A 32-year-old man presents with axial hypotonia, seizure and polycystic ovaries.${Q}`).includes('sex-specific-finding'));
  assert.ok(check('1', `A 10-day-old girl is evaluated for axial hypotonia, seizure and absent speech.${Q}`).includes('finding-too-early'));
  assert.ok(check('1', `A 7-year-old girl is evaluated for axial hypotonia, seizure and absent speech.${Q}`).includes('age-outside-onset'));
});

test('exclusive and redundant findings are rejected', () => {
  const stem = `A 30-year-old woman presents with axial hypotonia, hypertonia and seizure.${Q}`;
  assert.deepEqual(check('1', `A 30-year-old woman presents with hypotonia, hypertonia and seizure.${Q}`, { facts: { findings: [{ hpoId: null, term: 'Hypotonia' }, { hpoId: null, term: 'Hypertonia' }] } }).includes('exclusive-findings'), true);
  assert.ok(check('1', `A 30-year-old woman presents with anophthalmia, megalocornea and seizure.${Q}`).includes('exclusive-findings'));
  assert.ok(check('1', stem, { facts: { findings: [{ hpoId: null, term: 'Hypotonia' }, { hpoId: null, term: 'Axial hypotonia' }] } }).includes('redundant-findings'));
});

test('the answer spelled by the findings is cueing', () => {
  assert.ok(check('2', `A 6-year-old boy is evaluated for split foot, mesoaxial foot polydactyly and syndactyly.${Q}`).includes('cueing'));
  assert.ok(!check('2', `A 6-year-old boy is evaluated for syndactyly. His parents are healthy first cousins.${Q}`).includes('cueing'));
});

test('a recessive subtype gene beside a dominant pedigree, a multi-mode inheritance key, a true finding as a wrong option', () => {
  const stem = 'A 6-year-old boy is evaluated for myopia, cleft palate and hearing impairment. His father and a grandparent on the same side have similar features. Which gene?';
  assert.ok(check('828', stem, { type: 'gene', answerText: 'COL9A2', facts: { keyedGene: 'COL9A2', familyPattern: 'vertical' } }).includes('gene-key'));
  assert.ok(!check('828', stem, { type: 'gene', answerText: 'COL2A1', facts: { keyedGene: 'COL2A1', familyPattern: 'vertical' } }).includes('gene-key'));
  assert.ok(check('828', stem, { type: 'inheritance', answerText: 'Autosomal dominant' }).includes('inheritance-single-mode'));
  const phen = check('1', `A 30-year-old woman presents with absent speech, seizure and axial hypotonia. Which additional finding?`, {
    type: 'phenotype',
    answerText: 'Polycystic ovaries',
    facts: { askedFinding: 'Polycystic ovaries', distractors: [{ text: 'Hypotonia', orphaCode: null }, { text: 'Delayed speech and language development', orphaCode: null }] },
  });
  assert.ok(phen.includes('wrong-option-is-true'));
});

test('a family history of transmission for a recessive disorder is rejected; a clean question passes every rule', () => {
  const fh = 'A 6-year-old boy is evaluated for split foot, syndactyly and myopia. Similarly affected relatives are found in three successive generations.';
  assert.ok(check('2', fh, { facts: { familyPattern: 'male-to-male' } }).includes('family-history'));
  const clean = check('828', 'A 6-year-old boy is evaluated for myopia, cleft palate and hearing impairment. His parents are healthy first cousins. Which gene?', {
    type: 'gene',
    answerText: 'COL9A2',
    facts: { keyedGene: 'COL9A2', familyPattern: 'consanguinity' },
  });
  assert.deepEqual(clean, []);
});
