/**
 * The corpus vocabulary written into a GGUF is a tokenizer llama.cpp (through node-llama-cpp) runs: every text
 * round-trips exactly, medical terms, digits, punctuation and non-ASCII included, with few byte-fallback tokens;
 * and the seeded random-init model is byte-identical for a seed and loads as a model.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { getLlama, LlamaLogLevel, type Llama } from 'node-llama-cpp';
import { buildCorpus } from '../../../main/demoModel/corpus.js';
import { defaultArch, writeInitModel, type ArchSpec } from '../../../main/demoModel/initModel.js';
import { BYTE_TOKENS, buildVocab, escapeText, splitUnits, type Vocab } from '../../../main/demoModel/vocab.js';
import { demoKnowledge } from './fixtures.js';
import { needShared, sharedPath } from '../../helpers/shared.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'medssr-nano-vocab-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const tiny: ArchSpec = { nEmbd: 32, nLayer: 1, nHead: 2, nHeadKv: 1, nFf: 64, contextLength: 128 };
const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

/** Texts the corpus never had, in the shapes it has: they must round-trip through byte fallback. */
const extra = [
  'Café-au-lait macules, Straße, α-thalassemia and β-thalassemia; Ménière disease.',
  'Ωmega 46,XY 12.5% (n=3) [HP:0001250] → “quotes” — dash… ellipsis',
  '  two leading spaces, trailing space ',
  'Line one\nline two\n\nThe answer is C.',
  '日本語 テキスト 🙂',
  'x',
];

describe('corpus vocabulary through node-llama-cpp', () => {
  let llama: Llama;
  let vocab: Vocab;
  let texts: string[];
  before(async () => {
    const { disorders, db } = await demoKnowledge();
    const corpus = buildCorpus(disorders, { seed: 3 });
    db.close();
    texts = corpus.texts.flatMap((t) => (t.answer !== undefined ? [t.text, t.answer] : [t.text]));
    vocab = buildVocab(texts, { size: 1024 });
    llama = await getLlama({ gpu: false, logLevel: LlamaLogLevel.error, build: 'never', progressLogs: false });
  });

  test('vocabulary shape: specials, 256 byte tokens, pieces with ▁, size as asked', () => {
    assert.equal(vocab.tokens.length, 1024);
    assert.deepEqual(vocab.tokens.slice(0, 3), ['<unk>', '<s>', '</s>']);
    assert.equal(vocab.tokens[BYTE_TOKENS.from], '<0x00>');
    assert.equal(vocab.tokens[BYTE_TOKENS.to - 1], '<0xFF>');
    assert.equal(new Set(vocab.tokens).size, vocab.tokens.length, 'no piece twice');
    assert.ok(vocab.tokens.includes('▁the') || vocab.tokens.includes('▁of'), 'frequent words became pieces');
    assert.deepEqual(splitUnits(escapeText('Gene FBN1, 12%')), ['▁Gene', '▁FBN', '1', ',', '▁1', '2', '%']);
    assert.deepEqual(buildVocab(texts, { size: 1024 }), vocab, 'deterministic');
  });

  test('every corpus text and the extra ones round-trip exactly; few byte-fallback tokens', async () => {
    const file = path.join(dir, 'vocab.gguf');
    writeInitModel(file, { arch: tiny, vocab, seed: 1, name: 'nano-test' });
    const model = await llama.loadModel({ modelPath: file, vocabOnly: true });
    try {
      assert.ok(texts.length >= 200, `${texts.length} corpus texts`);
      let tokens = 0;
      let bytes = 0;
      for (const t of texts) {
        const ids = model.tokenize(t);
        assert.equal(model.detokenize(ids), t);
        tokens += ids.length;
        bytes += ids.filter((i) => i >= BYTE_TOKENS.from && i < BYTE_TOKENS.to).length;
      }
      const rate = bytes / tokens;
      console.log(`# ${texts.length} corpus texts, ${tokens} tokens (${(texts.join('').length / tokens).toFixed(2)} chars/token), byte-fallback rate ${(100 * rate).toFixed(3)}%`);
      assert.ok(rate < 0.01, `byte-fallback rate ${rate}`);
      for (const t of extra) assert.equal(model.detokenize(model.tokenize(t)), t, JSON.stringify(t));
      const greek = model.tokenize('α-thalassemia');
      assert.ok(greek.some((i) => i >= BYTE_TOKENS.from && i < BYTE_TOKENS.to), 'a character the corpus lacks is spelt in bytes');
      // The answer format: "The answer is B." is a handful of pieces, the letter its own.
      const ans = model.tokenize('The answer is B.', false, 'trimLeadingSpace').map((i) => vocab.tokens[i]);
      assert.ok(ans.includes('▁B'), ans.join(' '));
    } finally {
      await model.dispose();
    }
  });

  test('the random-init model: byte-identical for a seed, different for another, loads and evaluates', async () => {
    const a = path.join(dir, 'a.gguf');
    const b = path.join(dir, 'b.gguf');
    const c = path.join(dir, 'c.gguf');
    writeInitModel(a, { arch: defaultArch, vocab, seed: 7, name: 'nano' });
    writeInitModel(b, { arch: defaultArch, vocab, seed: 7, name: 'nano' });
    writeInitModel(c, { arch: defaultArch, vocab, seed: 8, name: 'nano' });
    assert.equal(sha(a), sha(b));
    assert.notEqual(sha(a), sha(c));
    const model = await llama.loadModel({ modelPath: a });
    try {
      assert.equal(model.fileInsights.totalLayers, defaultArch.nLayer + 1);
      const ctx = await model.createContext({ contextSize: 128, threads: 1 });
      const seq = ctx.getSequence();
      const it = seq.evaluate(model.tokenize('Marfan syndrome is'), { temperature: 0 });
      const first = await it.next();
      assert.equal(typeof first.value, 'number');
      await ctx.dispose();
    } finally {
      await model.dispose();
    }
  });

  test('real Orphanet texts (../shared): 2,000+ strings of 1,000 packets round-trip with a vocabulary learnt from them', { skip: needShared('data', 'orphapacket', 'json') }, async () => {
    const folder = sharedPath('data', 'orphapacket', 'json');
    const strings: string[] = [];
    const walk = (o: unknown): void => {
      if (typeof o === 'string' && o.length > 3) strings.push(o);
      else if (Array.isArray(o)) o.forEach(walk);
      else if (o && typeof o === 'object') Object.values(o).forEach(walk);
    };
    for (const f of readdirSync(folder).sort().slice(0, 1000)) walk(JSON.parse(readFileSync(path.join(folder, f), 'utf8')));
    const step = Math.max(1, Math.floor(strings.length / 2000));
    // Every string with a non-ASCII character too (names like Ménière, Greek letters): the cases byte fallback is for.
    const sample = strings.filter((t, i) => i % step === 0 || /[^ -~\s]/.test(t));
    const v = buildVocab(sample, { size: 1024 });
    const file = path.join(dir, 'orphanet.gguf');
    writeInitModel(file, { arch: tiny, vocab: v, seed: 1, name: 'nano-test' });
    const model = await llama.loadModel({ modelPath: file, vocabOnly: true });
    try {
      let tokens = 0;
      let bytes = 0;
      const nonAscii = sample.filter((t) => /[^ -~\s]/.test(t)).length;
      for (const t of sample) {
        const ids = model.tokenize(t);
        assert.equal(model.detokenize(ids), t);
        tokens += ids.length;
        bytes += ids.filter((i) => i >= BYTE_TOKENS.from && i < BYTE_TOKENS.to).length;
      }
      console.log(`# Orphanet: ${sample.length} strings (${nonAscii} with non-ASCII), ${tokens} tokens, byte-fallback rate ${((100 * bytes) / tokens).toFixed(3)}%`);
      assert.ok(bytes / tokens < 0.01);
    } finally {
      await model.dispose();
    }
  });
});
