/**
 * Benchmark import: the six real MedSSR sets (skipped with a reason when ../shared is absent), versioning by
 * content, and malformed files rejected with messages naming the file and the entry, storing nothing.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { openAppDatabase } from '../../../main/app/index.js';
import { BenchmarkFormatError, parseBenchmarkText, parseOptions } from '../../../main/platform/benchmarkFile.js';
import { EvaluationService } from '../../../main/evaluation/service.js';
import { needShared, sharedPath } from '../../helpers/shared.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'medssr-bench-import-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function service(): EvaluationService {
  return new EvaluationService(openAppDatabase(':memory:'), dir);
}

function file(name: string, content: unknown): string {
  const p = path.join(dir, name);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
}

const sets: [string, number, number][] = [
  ['medqa', 1273, 4],
  ['medmcqa', 1200, 4],
  ['mmlu', 1089, 4],
  ['bioasq', 782, 2],
  ['pubmedqa', 500, 3],
  ['medbullets', 308, 5],
];
const realSkip = needShared('data', 'benchmarks', 'test_short_medqa.json');

test('the six real sets import with their sizes, options and letters', { skip: realSkip }, () => {
  const svc = service();
  for (const [name, count, optionCount] of sets) {
    const result = svc.importFile(sharedPath('data', 'benchmarks', `test_short_${name}.json`));
    assert.equal(result.sets.length, 1);
    const s = result.sets[0]!;
    assert.deepEqual([s.name, s.version, s.questions, s.created], [name, 1, count, true]);
    assert.deepEqual(s.letters, Array.from({ length: optionCount }, (_, i) => String.fromCharCode(65 + i)));
    const questions = svc.repo.questions(s.id);
    assert.equal(questions.length, count);
    for (const q of questions) {
      assert.equal(q.options.length, optionCount, `${name} ${q.externalId}`);
      assert.ok(q.options.some((o) => o.letter === q.gold));
    }
    // The prompt is the file's question, untouched.
    const raw = JSON.parse(readFileSync(sharedPath('data', 'benchmarks', `test_short_${name}.json`), 'utf8')) as { id: string; question: string }[];
    assert.equal(questions[0]!.question, raw[0]!.question);
    assert.equal(questions[0]!.externalId, raw[0]!.id);
  }
  // Some MedQA entries end with a stray quote after the options: kept, and noted.
  const again = svc.importFile(sharedPath('data', 'benchmarks', 'test_short_medqa.json'));
  assert.equal(again.sets[0]!.created, false, 'same content is not a new version');
  assert.equal(again.warnings.length, 38);
  assert.equal(svc.repo.benchmarks().length, 6);
});

test('extra fields are kept; missing name falls back to the file name; changed content is a new version', () => {
  const svc = service();
  const base = [
    { id: 'x1', question: 'Stem one?\nA. yes\nB. no', gold: 'A', name: 'tiny', long: false, answer_content: 'yes' },
    { id: 2, question: 'Stem two?\nA) first\nB) second\nC) third', gold: 'c', name: 'tiny' },
  ];
  const v1 = svc.importFile(file('tiny.json', base));
  assert.equal(v1.sets[0]!.version, 1);
  assert.deepEqual(svc.repo.questions(v1.sets[0]!.id).map((q) => [q.externalId, q.gold, q.options.length]), [
    ['x1', 'A', 2],
    ['2', 'C', 3],
  ]);
  const v2 = svc.importFile(file('tiny2.json', [...base, { id: 'x3', question: 'Three?\nA. a\nB. b', gold: 'B', name: 'tiny' }]));
  assert.deepEqual([v2.sets[0]!.version, v2.sets[0]!.questions, v2.sets[0]!.created], [2, 3, true]);
  const noName = svc.importFile(file('test_short_custom.json', [{ id: 'a', question: 'Q?\nA. a\nB. b', gold: 'A' }]));
  assert.equal(noName.sets[0]!.name, 'custom');
  const two = svc.importFile(file('two.json', [
    { id: 'a', question: 'Q?\nA. a\nB. b', gold: 'A', name: 'one' },
    { id: 'a', question: 'Q?\nA. a\nB. b', gold: 'B', name: 'two' },
  ]));
  assert.deepEqual(two.sets.map((s) => s.name), ['one', 'two']);
});

test('malformed files fail with the file and entry named, and store nothing', () => {
  const svc = service();
  const cases: [string, unknown, RegExp][] = [
    ['broken.json', '[{"id": 1,', /broken\.json is not a valid MedSSR benchmark file:\nnot valid JSON/],
    // Named by position: nothing of a file that is not JSON (a note, a key file) is echoed back.
    ['notes.json', 'Patient Jane Doe, born 1970', /notes\.json is not a valid MedSSR benchmark file:\nnot valid JSON at line 1, column 1 \(unexpected character\)$/],
    ['object.json', { id: 1 }, /expected a JSON array of questions, found object/],
    ['empty.json', [], /holds no questions/],
    ['nogold.json', [{ id: 'a', question: 'Q\nA. x\nB. y', gold: 'A', name: 's' }, { id: 'b', question: 'Q\nA. x\nB. y', name: 's' }], /entry 2 \(id "b"\): "gold" must be one answer letter, found null/],
    ['badgold.json', [{ id: 'a', question: 'Q\nA. x\nB. y', gold: 'E', name: 's' }], /entry 1 \(id "a"\): "gold" is E but the options are A–B/],
    ['noopts.json', [{ id: 'a', question: 'What is it?', gold: 'A', name: 's' }], /entry 1 \(id "a"\): the question has no option lines/],
    ['notobj.json', [42], /entry 1: expected an object, found number/],
    ['dup.json', [{ id: 'a', question: 'Q\nA. x\nB. y', gold: 'A', name: 's' }, { id: 'a', question: 'Q\nA. x\nB. y', gold: 'B', name: 's' }], /entry 2 \(id "a"\): duplicate id "a" in set "s"/],
  ];
  for (const [name, content, pattern] of cases) {
    const p = file(name, content);
    assert.throws(() => svc.importFile(p), (err: Error) => {
      assert.match(err.message, pattern, name);
      assert.ok(err.message.includes(p), `${name}: message names the file`);
      return err instanceof BenchmarkFormatError;
    });
  }
  assert.throws(() => svc.importFile(path.join(dir, 'nope.json')), /No benchmark file at/);
  assert.equal(svc.repo.benchmarks().length, 0);
});

test('a 10 MB stem is refused by entry and field; lower-case gold and many options are accepted with a warning', () => {
  const svc = service();
  const huge = file('huge.json', [{ id: 'h', question: `${'x'.repeat(10 * 1024 * 1024)}\nA. a\nB. b`, gold: 'A', name: 's' }]);
  assert.throws(() => svc.importFile(huge), /entry 1 \(id "h"\): "question" is 10,485,7\d\d characters long; at most 100,000 are accepted/);
  assert.equal(svc.repo.benchmarks().length, 0);
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('');
  const many = file('many.json', [
    { id: 'l', question: 'Q\nA. x\nB. y', gold: 'b', name: 'odd' },
    { id: 'm', question: `Q\n${letters.map((l) => `${l}. option ${l}`).join('\n')}`, gold: 'Z', name: 'odd' },
  ]);
  const r = svc.importFile(many);
  assert.equal(r.sets[0]?.questions, 2);
  assert.deepEqual(r.warnings, ['entry 1 (id "l"): "gold" "b" is read as B', 'entry 2 (id "m"): 26 options (A–Z); MedSSR\'s sets have at most 10']);
});

test('option parsing takes the last run of lettered lines', () => {
  const { options, trailing } = parseOptions('Which?\nA. is not an option here\n\nOptions:\nA. first\nB. second\n"');
  assert.deepEqual(options.map((o) => o.text), ['first', 'second']);
  assert.equal(trailing, '"');
  const parsed = parseBenchmarkText(JSON.stringify([{ id: 'a', question: 'Q\nA. x\nB. y', gold: 'b.', name: 's', extra: { nested: [1] } }]), 'f.json');
  assert.equal(parsed.sets[0]!.questions[0]!.gold, 'B');
  assert.deepEqual(parsed.sets[0]!.questions[0]!.extra, { extra: { nested: [1] } });
});
