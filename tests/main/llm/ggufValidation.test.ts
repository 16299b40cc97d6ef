/**
 * GGUF validation before llama.cpp sees a file: each bad model of tests/helpers/badModels.ts is refused by file
 * and field (label, eval, train and `models add` all go through assertModelLoadable), good models pass, and
 * adapters are checked against their base model.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { createApp } from '../../../main/app/index.js';
import { llamaArchitectures, readGgufHeader, scanGgufWeights, validateGgufAdapter, validateGgufModel, type GgufTensor } from '../../../main/llm/ggufValidation.js';
import { assertAdapterFits, assertModelLoadable } from '../../../main/llm/modelCheck.js';
import { badModel, craftAdapter, type AdapterKind, type BadModelKind } from '../../helpers/badModels.js';
import { needShared, repoRoot, sharedPath } from '../../helpers/shared.js';
import { needTinyModels, tinyModel } from '../../helpers/tinyModels.js';

const skip = needShared('models', 'stories260K.gguf') ?? needTinyModels();
const stories = sharedPath('models', 'stories260K.gguf');
const dir = mkdtempSync(path.join(os.tmpdir(), 'medssr-gguf-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const refusals: [BadModelKind, RegExp][] = [
  ['block-count-100000', /: llama\.block_count is 100000; llama\.cpp needs 1 to 512$/],
  ['head-count-0', /: llama\.attention\.head_count is 0; a model with attention needs at least one head$/],
  ['head-count-kv-0', /: llama\.attention\.head_count_kv is 0 at layer 0; at least 1 is needed$/],
  ['embedding-0', /: llama\.embedding_length is 0; llama\.cpp needs 1 to 1048576$/],
  ['heads-not-dividing', /: llama\.embedding_length 64 does not divide into 5 heads$/],
  ['arch-unknown', /: general\.architecture "llamx" is not an architecture this llama\.cpp loads$/],
  ['tensor-type-99', /: tensor blk\.4\.ffn_norm\.weight has ggml type 99, which this llama\.cpp does not know$/],
  ['dimension-overflow', /: dimension 0 of blk\.4\.ffn_norm\.weight is 4611686018427387904, beyond any size a file can have$/],
  ['tensor-outside-file', /: tensor blk\.4\.ffn_norm\.weight lies outside the file/],
  ['version-99', /: GGUF version 99 is not one llama\.cpp reads \(2 or 3\)$/],
  ['truncated-header', /: kv_count 19 cannot fit a 200-byte file$/],
  ['truncated-data', /: tensor blk\.4\.ffn_up\.weight lies outside the file: .*\(truncated\?\)$/],
];

test('every bad model is refused by file and field before llama.cpp or node-llama-cpp reads it', { skip }, async () => {
  for (const [kind, pattern] of refusals) {
    const file = badModel(stories, kind);
    const name = path.basename(file).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    await assert.rejects(assertModelLoadable(file), (err: Error) => {
      assert.match(err.message, new RegExp(`^${name}${pattern.source}`), kind);
      return true;
    });
  }
  // NaN weights pass the header check; the weight scan behind it refuses them by tensor.
  const nan = badModel(stories, 'nan-weights');
  assert.equal(validateGgufModel(nan).layers, 5);
  await assert.rejects(assertModelLoadable(nan), /stories260K-nan-weights\.gguf: tensor \S+\.weight holds NaN \(F32 element 0\): its weights are broken/);
  // Not a GGUF at all, and an empty file.
  assert.throws(() => validateGgufModel(path.join(repoRoot, 'package.json')), /package\.json: not a GGUF file: it starts with "\{\\n {2}"/);
});

test('good models pass: stories260K and tiny llama, qwen2 and qwen3 models', { skip }, () => {
  const s = validateGgufModel(stories);
  assert.deepEqual([s.architecture, s.layers, s.embedding, s.vocab], ['llama', 5, 64, 512]);
  for (const arch of ['llama', 'qwen2', 'qwen3'] as const) assert.equal(validateGgufModel(tinyModel({ arch })).architecture, arch);
});

test('adapters are checked against their base model: architecture, layers, shapes, rank, kind', { skip }, async () => {
  const base = validateGgufModel(stories);
  assert.deepEqual(validateGgufAdapter(craftAdapter('good'), base), { architecture: 'llama', rank: 4, tensors: 1 });
  const cases: [AdapterKind, RegExp][] = [
    ['rank-mismatch', /blk\.0\.attn_q\.weight: lora_a has rank 4 but lora_b has rank 3$/],
    ['shape-mismatch', /blk\.0\.attn_q\.weight: the adapter is 32 → 64 but the model's tensor is 64 → 64$/],
    ['layer-outside', /blk\.9\.attn_q\.weight is for layer 9, but the model has 5 layers$/],
    ['other-architecture', /is an adapter for "qwen2", but the model is "llama"$/],
    ['not-lora', /adapter\.type is "ia3"; llama\.cpp applies "lora" adapters$/],
  ];
  for (const [kind, pattern] of cases) {
    await assert.rejects(assertAdapterFits(craftAdapter(kind), stories), (err: Error) => {
      assert.match(err.message, new RegExp(`^adapter-${kind}-64x64\\.gguf: ${pattern.source}`), kind);
      return true;
    });
  }
  await assert.rejects(assertAdapterFits(stories, stories), (err: Error) => {
    assert.equal(err.message, 'stories260K.gguf: is not a LoRA adapter (general.type is missing: a model given as an adapter?)');
    return true;
  });
  // The trainer's own adapters, when it is built, are the real case.
});

test('models add refuses what a job would fail on, naming file and field, and registers nothing', { skip, timeout: 120_000 }, async () => {
  const app = await createApp({ dataDir: dir, dbPath: path.join(dir, 'medssr.db'), transport: 'ipc' });
  try {
    for (const kind of ['head-count-0', 'arch-unknown', 'truncated-header', 'nan-weights'] as const) {
      await assert.rejects(async () => app.handlers['models.add']({ path: badModel(stories, kind), copy: false }), /stories260K-.*\.gguf: /);
    }
    assert.equal((await app.handlers['models.list']({})).length, 0);
    const ok = await app.handlers['models.add']({ path: stories, copy: false });
    assert.equal(ok.name, 'stories260K');
    assert.deepEqual(ok.weightCheck && [ok.weightCheck.mode, ok.weightCheck.tensors], ['full', readGgufHeader(stories).tensors.size]);
  } finally {
    await app.close();
  }
});

/** A copy of `source` with `bytes` written at byte `at` of `tensor`'s data. */
function poke(source: string, name: string, tensor: (header: ReturnType<typeof readGgufHeader>) => GgufTensor, at: (t: GgufTensor) => number, bytes: Buffer): { file: string; tensor: GgufTensor } {
  const file = path.join(dir, name);
  copyFileSync(source, file);
  const t = tensor(readGgufHeader(file));
  const fd = openSync(file, 'r+');
  writeSync(fd, bytes, 0, bytes.length, t.offset + at(t));
  closeSync(fd);
  return { file, tensor: t };
}
const largestOfType = (type: number) => (h: ReturnType<typeof readGgufHeader>): GgufTensor =>
  [...h.tensors.values()].filter((t) => t.type === type).sort((a, b) => b.bytes - a.bytes)[0] as GgufTensor;

test('weights: a clean model scans clean, fully when small and by sample when large', { skip }, async () => {
  const full = await scanGgufWeights(stories, readGgufHeader(stories));
  assert.equal(full.mode, 'full');
  assert.equal(full.tensors, readGgufHeader(stories).tensors.size);
  const sampled = await scanGgufWeights(stories, readGgufHeader(stories), { fullBelowBytes: 0 });
  assert.equal(sampled.mode, 'sampled');
  assert.ok(sampled.bytesRead < full.bytesRead, `a sample reads less (${sampled.bytesRead} of ${full.bytesRead} bytes)`);
  // A tensor full of NaN is caught by the sample too.
  await assert.rejects(scanGgufWeights(badModel(stories, 'nan-weights'), readGgufHeader(badModel(stories, 'nan-weights')), { fullBelowBytes: 0 }), /holds NaN/);
});

test('weights: one infinite F32 value deep inside a tensor is found by the full scan, by file, tensor and element', { skip }, async () => {
  const inf = Buffer.alloc(4);
  inf.writeFloatLE(Number.POSITIVE_INFINITY);
  const { file, tensor } = poke(stories, 'stories-inf.gguf', largestOfType(0), (t) => Math.floor(t.bytes / 8) * 4, inf);
  const element = Math.floor(tensor.bytes / 8);
  await assert.rejects(assertModelLoadable(file), (err: Error) => {
    assert.equal(err.message, `stories-inf.gguf: tensor ${tensor.name} holds an infinite value (F32 element ${element}): its weights are broken and every output would be NaN`);
    return true;
  });
});

test('weights: F16 and BF16 values and Q8_0, Q4_0 and Q4_1 block scales', { skip, timeout: 120_000 }, async () => {
  const cases: [NonNullable<Parameters<typeof tinyModel>[0]['weightType']>, number, number, number, RegExp][] = [
    // weight type, ggml type id, bytes per unit, byte within the unit, what the message says
    ['f16', 1, 2, 0, /holds NaN \(F16 element 3\)/],
    ['bf16', 30, 2, 0, /holds NaN \(BF16 element 3\)/],
    ['q8_0', 8, 34, 0, /holds NaN \(the scale of Q8_0 block 3\)/],
    ['q4_0', 2, 18, 0, /holds NaN \(the scale of Q4_0 block 3\)/],
    // Q4_1's second half is its block minimum.
    ['q4_1', 3, 20, 2, /holds NaN \(the scale of Q4_1 block 3\)/],
  ];
  for (const [weightType, type, unit, within, pattern] of cases) {
    const good = tinyModel({ arch: 'llama', weightType });
    const scan = (await assertModelLoadable(good))?.weights;
    assert.equal(scan?.mode, 'full', weightType);
    const nan = Buffer.alloc(2);
    nan.writeUInt16LE(weightType === 'bf16' ? 0x7fc0 : 0x7e00);
    const { file, tensor } = poke(good, `tiny-${weightType}-nan.gguf`, largestOfType(type), () => 3 * unit + within, nan);
    await assert.rejects(assertModelLoadable(file), (err: Error) => {
      assert.match(err.message, new RegExp(`^tiny-${weightType}-nan\\.gguf: tensor ${tensor.name.replace(/\./g, '\\.')} ${pattern.source}`), weightType);
      return true;
    });
  }
});

test('the list of architectures is the bundled llama.cpp\'s', () => {
  const file = path.join(repoRoot, 'native', 'deps', 'llama.cpp', 'src', 'llama-arch.cpp');
  if (!existsSync(file)) {
    console.log(`# skipped the comparison: ${file} is absent (run npm run build:native)`);
    return;
  }
  const block = /LLM_ARCH_NAMES\s*=\s*\{([\s\S]*?)\};/.exec(readFileSync(file, 'utf8'))?.[1] ?? '';
  const names = [...block.matchAll(/\{\s*LLM_ARCH_\w+,\s*"([^"]+)"\s*\}/g)].map((m) => m[1] as string).filter((n) => n !== 'clip' && n !== '(unknown)');
  assert.deepEqual([...llamaArchitectures].sort(), names.sort());
});
