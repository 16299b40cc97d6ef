/**
 * The optional HPO import: hp.obo parsed (obsolete terms left out, exact synonyms kept), stored all or nothing
 * through the Api, and the checker's "no wrong option that is a true finding or generalises one" rule then
 * also judges by ancestors: "Abnormal muscle tone" beside "Axial hypotonia" shares no word with it, yet is
 * refused once the ontology says it is above it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createApp } from '../../../main/app/index.js';
import { HpoOntology, parseObo } from '../../../main/knowledge/index.js';
import { checkQuestion, type CheckFacts } from '../../../main/synthesis/checker/rules.js';
import type { DisorderFactsInput } from '../../../main/synthesis/disorderFacts.js';
import { KnowledgeIndex } from '../../../main/synthesis/knowledgeIndex.js';
import { repoRoot } from '../../helpers/shared.js';

const fixture = path.join(repoRoot, 'tests', 'main', 'knowledge', 'fixtures', 'hp-tiny.obo');
const freq = 'Very frequent (99-80%)';

function disorder(code: string, name: string, terms: [string, string][]): DisorderFactsInput {
  return {
    orphaCode: code,
    name,
    disorderType: 'Disease',
    phenotypes: terms.map(([hpoId, term]) => ({ hpoId, term, frequency: freq })),
    genes: [],
    inheritance: ['Autosomal recessive'],
    onsets: ['Childhood'],
    prevalences: [],
    branches: [],
    parents: [{ orphaCode: '900', name: 'Group', present: true }],
    children: [],
    synonyms: [],
  };
}

function failedRules(index: KnowledgeIndex, distractor: string): { rule: string; detail?: string }[] {
  const answer = index.byCode.get('1')!;
  const stem = 'A 6-year-old boy is evaluated for axial hypotonia, absent speech and seizure. Which additional finding is most likely?';
  const facts: CheckFacts = {
    findings: answer.phenotypes.filter((p) => p.term !== 'Polycystic kidneys').map((p) => ({ hpoId: p.hpoId, term: p.term })),
    familyPattern: null,
    keyedGene: null,
    askedFinding: 'Polycystic kidneys',
    distractors: [{ text: distractor, orphaCode: null }],
    namesNotInStem: [],
  };
  return checkQuestion({
    draft: {
      questionType: 'phenotype',
      difficulty: 'easy',
      stem,
      options: [
        { letter: 'A', text: 'Polycystic kidneys' },
        { letter: 'B', text: distractor },
      ],
      intendedAnswer: 'A',
      provenance: { orphaCodes: ['1'], facts: [], cell: {}, generator: { kind: 'template', version: 't' }, seed: 1, filters: {} },
    },
    answerText: 'Polycystic kidneys',
    answer,
    facts,
    index,
  }).filter((r) => !r.passed);
}

test('hp.obo is parsed: obsolete terms left out, synonyms and ancestors kept', () => {
  const { version, terms } = parseObo(readFileSync(fixture, 'utf8'), 'hp-tiny.obo');
  assert.equal(version, 'hp/releases/2025-01-01-tiny');
  assert.equal(terms.length, 8);
  assert.ok(!terms.some((t) => t.id === 'HP:0009999'), 'the obsolete term is left out');
  const hpo = new HpoOntology(terms);
  assert.equal(hpo.idOf('low MUSCLE tone'), 'HP:0001252', 'an exact synonym names its term');
  assert.deepEqual([...hpo.ancestors('HP:0008936')].sort(), ['HP:0000001', 'HP:0000118', 'HP:0000707', 'HP:0001252', 'HP:0003808']);
  assert.equal(hpo.isAncestor('HP:0001276', 'HP:0008936'), false, 'a sibling is not an ancestor');
  assert.throws(() => parseObo('format-version: 1.2\n[Typedef]\nid: part_of\nname: part of\n', 'x.obo'), /no HPO term .* is this hp\.obo\?/);
  assert.throws(() => parseObo('[Term]\nname: nameless\n', 'x.obo'), /x\.obo: the \[Term\] stanza at line 1 has no id/);
});

test('a wrong option that is an HPO ancestor of a true finding is refused only when the ontology says so', () => {
  const facts = [
    disorder('900', 'Group', []),
    disorder('1', 'Test syndrome', [
      ['HP:0008936', 'Axial hypotonia'],
      ['HP:0001250', 'Seizure'],
      ['HP:0001344', 'Absent speech'],
      ['HP:0000113', 'Polycystic kidneys'],
    ]),
  ];
  const withoutHpo = new KnowledgeIndex(facts);
  assert.deepEqual(
    failedRules(withoutHpo, 'Abnormal muscle tone').map((r) => r.rule),
    [],
    'by words alone "Abnormal muscle tone" is not a finding of the answer',
  );
  const hpo = new HpoOntology(parseObo(readFileSync(fixture, 'utf8'), 'hp-tiny.obo').terms);
  const withHpo = new KnowledgeIndex(facts, hpo);
  const failed = failedRules(withHpo, 'Abnormal muscle tone');
  assert.deepEqual(failed.map((r) => r.rule), ['wrong-option-is-true']);
  assert.match(failed[0]!.detail ?? '', /"Abnormal muscle tone" \(HP:0003808\) is an HPO ancestor of "Axial hypotonia" \(HP:0008936\)/);
  assert.deepEqual(failedRules(withHpo, 'Hypertonia').map((r) => r.rule), [], 'a sibling term is a fair wrong option');
});

test('knowledge.importHpo stores the ontology; a file that is not hp.obo is refused and the stored one stays', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'medssr-hpo-'));
  const app = await createApp({ dataDir: dir, dbPath: ':memory:', transport: 'ipc' });
  try {
    assert.equal(await app.call('knowledge.hpo'), null);
    const r = await app.call('knowledge.importHpo', { path: fixture });
    assert.equal(r.terms, 8);
    assert.equal(r.version, 'hp/releases/2025-01-01-tiny');
    const bad = path.join(dir, 'not.obo');
    writeFileSync(bad, '{"this": "is json"}');
    await assert.rejects(app.call('knowledge.importHpo', { path: bad }), /no HPO term .* is this hp\.obo\?/);
    await assert.rejects(app.call('knowledge.importHpo', { path: path.join(dir, 'missing.obo') }), /missing\.obo/);
    assert.equal((await app.call('knowledge.hpo'))?.terms, 8, 'the earlier import is untouched');
    assert.equal(app.context.knowledge.hpoOntology()?.isAncestor('HP:0003808', 'HP:0008936'), true);
  } finally {
    await app.close();
  }
});
