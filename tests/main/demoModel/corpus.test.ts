/**
 * The nano corpus and its split: four disjoint sets of answerable disorders, cards for every disorder, questions
 * in the corpus only about training disorders (never a held-out or stage question), answers in MedSSR's format,
 * masks that train on answers only, and a seeded batch order that covers each epoch once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DisorderDetail } from '../../../api/knowledge.js';
import { batchAt, tokenizeCorpus, type Tokenizer } from '../../../main/demoModel/build.js';
import { buildCorpus, splitNames, type DemoCorpus } from '../../../main/demoModel/corpus.js';
import { buildVocab } from '../../../main/demoModel/vocab.js';
import { cotTemplate } from '../../../main/llm/index.js';
import type { Db } from '../../../main/platform/db/open.js';
import { demoKnowledge } from './fixtures.js';

describe('nano corpus and split', () => {
  let db: Db;
  let disorders: DisorderDetail[];
  let corpus: DemoCorpus;
  before(async () => {
    ({ db, disorders } = await demoKnowledge());
    corpus = buildCorpus(disorders, { seed: 11 });
  });
  after(() => db.close());

  test('the four splits are disjoint, non-empty, and with the card-only disorders cover every disorder', () => {
    const seen = new Map<string, string>();
    for (const s of splitNames) {
      assert.ok(corpus.split[s].length > 0, s);
      for (const c of corpus.split[s]) {
        assert.ok(!seen.has(c), `ORPHA:${c} in ${seen.get(c)} and ${s}`);
        seen.set(c, s);
      }
    }
    for (const c of corpus.cardOnly) assert.ok(!seen.has(c));
    assert.equal(seen.size + corpus.cardOnly.length, disorders.length);
    const carded = new Set(corpus.texts.filter((t) => t.kind === 'card').map((t) => t.orphaCode));
    assert.equal(carded.size, disorders.length, 'a card for every disorder, held-out ones included');
  });

  test('no held-out or stage question is in the corpus; corpus questions are about training disorders only', () => {
    const train = new Set(corpus.split.train);
    const qs = corpus.texts.filter((t) => t.kind === 'question');
    assert.ok(qs.length > 0);
    for (const q of qs) assert.ok(train.has(q.orphaCode), `a question about ORPHA:${q.orphaCode} (not a training disorder)`);
    const corpusText = corpus.texts.map((t) => t.text).join('\n');
    for (const s of ['heldOut', 'stage1', 'stage2'] as const) {
      assert.ok(corpus.questions[s].length > 0, `${s} has questions`);
      for (const q of corpus.questions[s]) {
        assert.ok(!train.has(q.orphaCode));
        assert.ok(!corpusText.includes(q.stem), `${s} question ${q.id} is in the corpus`);
      }
    }
    assert.equal(corpus.questions.train.length, qs.length);
  });

  test('questions use the base-model COT prompt and end "The answer is X." with the keyed letter', () => {
    for (const t of corpus.texts.filter((x) => x.kind === 'question')) {
      assert.ok(t.text.startsWith(cotTemplate('').split('Question:')[0] as string));
      assert.match(t.answer ?? '', /The answer is [A-D]\.$/);
    }
    for (const q of corpus.questions.train) assert.match(q.question, new RegExp(`\\n${q.gold}\\. `));
  });

  test('deterministic for a seed; another seed splits differently', () => {
    assert.deepEqual(buildCorpus(disorders, { seed: 11 }), corpus);
    assert.notDeepEqual(buildCorpus(disorders, { seed: 12 }).split, corpus.split);
  });

  test('masks: cards train on every token, questions on the answer and EOS only', () => {
    const vocab = buildVocab(['a b'], { size: 300 });
    // A stand-in tokenizer (one token per word) is enough to check where the mask falls.
    const tok: Tokenizer = { tokenize: (t) => t.split(/\s+/).filter(Boolean).map(() => 300), close: async () => undefined };
    const { seqs, dropped } = tokenizeCorpus(corpus, tok, vocab, 100_000);
    assert.equal(dropped, 0);
    corpus.texts.forEach((t, i) => {
      const s = seqs[i];
      assert.ok(s);
      assert.equal(s.tokens[0], vocab.bos);
      assert.equal(s.tokens[s.tokens.length - 1], vocab.eos);
      assert.equal(s.mask.length, s.tokens.length);
      if (t.kind === 'card') assert.ok(s.mask.every((m) => m === 1));
      else {
        const answerWords = (t.answer ?? '').split(/\s+/).filter(Boolean).length;
        assert.equal(s.mask.reduce<number>((a, b) => a + b, 0), answerWords + 1);
        assert.equal(s.mask.indexOf(1), s.tokens.length - answerWords - 1);
      }
    });
    const short = tokenizeCorpus(corpus, tok, vocab, 40);
    assert.ok(short.dropped > 0, 'questions longer than the context are dropped, not cut');
    assert.ok(short.seqs.every((s) => s.tokens.length <= 40));
  });

  test('batches: fixed size, seeded, every sequence once per epoch', () => {
    const seqs = Array.from({ length: 37 }, (_, i) => ({ tokens: [i], mask: [1 as const] }));
    const perEpoch = Math.ceil(37 / 16) + 1;
    const seen: number[] = [];
    for (let s = 0; s < perEpoch; s++) seen.push(...batchAt(seqs, 5, s).map((x) => x.tokens[0] as number));
    assert.equal(seen.length, perEpoch * 16);
    assert.deepEqual([...seen.slice(0, 37)].sort((a, b) => a - b), seqs.map((_, i) => i));
    assert.deepEqual(batchAt(seqs, 5, 3), batchAt(seqs, 5, 3));
    assert.notDeepEqual(batchAt(seqs, 5, 0), batchAt(seqs, 6, 0));
  });
});
