/**
 * The llm service on real GGUF files: header metadata, the registry (reference, copy, remove, bad files,
 * offline download), explicit thread choice, and the decoding primitives labelling and filtering rely on.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import type { Db } from '../../../main/platform/db/open.js';
import { openAppDatabase } from '../../../main/app/index.js';
import { readGgufSummary, modelFit } from '../../../main/llm/ggufMetadata.js';
import { GenerationContext, loadModel, type LoadedModel } from '../../../main/llm/generation.js';
import { chooseThreads, getRuntime } from '../../../main/llm/llama.js';
import { ModelRegistry } from '../../../main/llm/registry.js';
import { reasoningProb, reasoningProbFromLogProbs } from '../../../main/synthesis/reasoningFilter.js';
import { needShared, sharedPath } from '../../helpers/shared.js';
import { needTinyModels, tinyModel } from '../../helpers/tinyModels.js';

process.env.MEDSSR_GPU = 'false';
const skip = needShared('models', 'stories260K.gguf');
const stories = sharedPath('models', 'stories260K.gguf');
const dir = mkdtempSync(path.join(os.tmpdir(), 'medssr-llm-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('threads are explicit: 1 for tiny models, the setting when given, else the math cores', () => {
  assert.equal(chooseThreads(292_800, undefined, 2), 1);
  assert.equal(chooseThreads(292_800, 4, 2), 4);
  assert.equal(chooseThreads(500_000_000, undefined, 2), 2);
  assert.equal(chooseThreads(null, undefined, 8), 8);
});

test('reasoning_prob normalises the two labels', () => {
  assert.ok(Math.abs(reasoningProbFromLogProbs(Math.log(0.3), Math.log(0.1)) - 0.75) < 1e-12);
  assert.ok(Math.abs(reasoningProbFromLogProbs(-1000, -1001) - 1 / (1 + Math.exp(-1))) < 1e-12);
});

test('GGUF metadata of stories260K', { skip }, async () => {
  const { summary } = await readGgufSummary(stories);
  assert.equal(summary.architecture, 'llama');
  assert.ok(summary.parameters !== null && summary.parameters > 250_000 && summary.parameters < 400_000, `parameters ${summary.parameters}`);
  assert.equal(summary.quantization, 'F32');
  assert.equal(summary.contextLength, 2048);
  assert.equal(summary.chatTemplate, null);
});

test('a file that is not GGUF is refused with its name', async () => {
  const bad = path.join(dir, 'notes.gguf');
  writeFileSync(bad, 'this is not a model');
  await assert.rejects(readGgufSummary(bad), (err: Error) => err.message.includes(bad) && /not a readable GGUF/.test(err.message));
});

test('registry: reference, copy into the data folder, duplicates, remove, bad input, offline download', { skip }, async () => {
  const db: Db = openAppDatabase(path.join(dir, 'reg.db'));
  try {
    const reg = new ModelRegistry(db, dir);
    const ref = await reg.add(stories);
    assert.equal(ref.copied, false);
    assert.equal(ref.path, stories);
    assert.equal(ref.architecture, 'llama');
    assert.equal((await reg.add(stories)).id, ref.id, 'adding the same file twice returns the entry');
    const copy = await reg.add(stories, { copy: true, name: 'stories copy' });
    assert.equal(copy.copied, true);
    assert.ok(copy.path.startsWith(path.join(dir, 'models')) && existsSync(copy.path));
    assert.equal(reg.list().length, 2);
    reg.remove(copy.id);
    assert.equal(existsSync(copy.path), false, 'a copy is deleted with its entry');
    assert.equal(existsSync(stories), true, 'a referenced file is never deleted');
    reg.remove(ref.id);
    assert.equal(existsSync(stories), true);
    await assert.rejects(reg.add(path.join(dir, 'missing.gguf')), /No model file/);
    const fit = await reg.fit((await reg.add(stories)).id);
    assert.equal(fit.runsOn, 'cpu');
    const started = Date.now();
    await assert.rejects(reg.download('hf:nobody/does-not-exist-GGUF:Q4_K_M', undefined, AbortSignal.timeout(30_000)), /No network|Could not download/);
    assert.ok(Date.now() - started < 35_000);
    assert.equal(reg.list().length, 1, 'a failed download registers nothing');
  } finally {
    db.close();
  }
});

test('decoding primitives on stories260K (base mode, one thread)', { skip, timeout: 120_000 }, async () => {
  const loaded: LoadedModel = await loadModel(stories, false);
  const ctx = await GenerationContext.create(loaded, { sequences: 4, contextSize: 512 });
  try {
    assert.equal(ctx.mode, 'base');
    assert.equal(ctx.threads, 1);
    assert.equal(ctx.parallel, 4);
    const spec = { turns: [], baseText: 'Once upon a time' };
    const settings = { temperature: 0.6, topP: 0.95, topK: 20, maxTokens: 24, seed: 5 };
    const a = await ctx.sample(spec, 6, settings);
    const b = await ctx.sample(spec, 6, settings);
    assert.equal(a.length, 6);
    assert.deepEqual(a.map((s) => s.text), b.map((s) => s.text), 'seeded sampling is reproducible');
    assert.ok(new Set(a.map((s) => s.text)).size > 1, 'samples differ from each other');
    assert.ok(a.every((s) => s.tokens > 0 && s.tokens <= 24));

    const greedy = await ctx.sample({ turns: [], baseText: '' }, 1, { ...settings, temperature: 0, maxTokens: 12 });
    assert.match(greedy[0]!.text, /Once upon a time/, 'greedy decoding from BOS writes the known story opening');

    const choice = await ctx.chooseLetter({ turns: [], baseText: 'The answer is ' }, ['A', 'B', 'C', 'D'], 0, true);
    assert.ok(['A', 'B', 'C', 'D'].includes(choice.letter));
    const total = Object.values(choice.probabilities).reduce((s, p) => s + p, 0);
    assert.ok(total > 0.99 && total < 1.01, `constrained probabilities sum to ${total}`);
    assert.equal(choice.letter, Object.entries(choice.probabilities).sort((x, y) => y[1] - x[1])[0]![0], 'greedy picks the most probable letter');

    const [likely, unlikely] = await ctx.continuationLogProbs({ turns: [], baseText: 'Once upon a' }, [' time', ' Reasoning']);
    assert.ok(likely! > unlikely!, `${likely} > ${unlikely}`);
    const p = await reasoningProb(ctx, 'Which gene?\nA. FBN1\nB. CFTR');
    assert.ok(p >= 0 && p <= 1);

    const json = await ctx.generateJson<{ stem: string; options: string[] }>(
      { turns: [], baseText: 'Question: ' },
      { type: 'object', properties: { stem: { type: 'string', maxLength: 30 }, options: { type: 'array', items: { type: 'string', maxLength: 12 }, minItems: 2, maxItems: 2 } } },
      { ...settings, maxTokens: 200 },
    );
    assert.equal(typeof json.value.stem, 'string');
    assert.equal(json.value.options.length, 2, 'the JSON schema grammar holds the shape');
    const fit = await modelFit(await getRuntime(false), (await readGgufSummary(stories)).info);
    assert.equal(fit.gpu, false);
  } finally {
    await ctx.dispose();
    await loaded.model.dispose();
  }
});

test('chat mode through the model\'s own template (tiny qwen2) ', { skip: needTinyModels(), timeout: 120_000 }, async () => {
  const loaded = await loadModel(tinyModel({ arch: 'qwen2', contextLength: 1024 }), false);
  const ctx = await GenerationContext.create(loaded, { sequences: 2 });
  try {
    assert.equal(ctx.mode, 'chat');
    const tokens = ctx.promptTokens({ turns: [{ role: 'system', text: 'S' }, { role: 'user', text: 'Q' }], baseText: '' });
    const text = loaded.model.detokenize(tokens, true);
    assert.match(text, /<\|im_start\|>system\nS<\|im_end\|>/);
    assert.match(text, /<\|im_start\|>assistant\n$/, 'the prompt ends with an open assistant turn');
    const letter = await ctx.chooseLetter({ turns: [{ role: 'user', text: 'Pick' }], baseText: '' }, ['A', 'B', 'C']);
    assert.ok(['A', 'B', 'C'].includes(letter.letter));
  } finally {
    await ctx.dispose();
    await loaded.model.dispose();
  }
});

