/**
 * GGUF validation before llama.cpp sees a file: each bad model of tests/helpers/badModels.ts is refused by file
 * and field (label, eval, train and `models add` all go through assertModelLoadable), good models pass, and
 * adapters are checked against their base model.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { createApp } from '../../../main/app/index.js';
import { llamaArchitectures, validateGgufAdapter, validateGgufModel } from '../../../main/llm/ggufValidation.js';
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
  // NaN weights pass the header (the data is not read here); the model host's first forward pass refuses them.
  assert.equal(validateGgufModel(badModel(stories, 'nan-weights')).layers, 5);
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
    for (const kind of ['head-count-0', 'arch-unknown', 'truncated-header'] as const) {
      await assert.rejects(async () => app.handlers['models.add']({ path: badModel(stories, kind), copy: false }), /stories260K-.*\.gguf: /);
    }
    assert.equal((await app.handlers['models.list']({})).length, 0);
    const ok = await app.handlers['models.add']({ path: stories, copy: false });
    assert.equal(ok.name, 'stories260K');
  } finally {
    await app.close();
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
