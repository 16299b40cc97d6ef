// The trainer checks a model's hyperparameters, its own settings and matmulPeak's sizes at the door: each bad value
// answers an `error` naming the field (no SIGFPE, no ggml abort), and the same process keeps serving.
import assert from 'node:assert/strict';
import os from 'node:os';
import { after, before, test } from 'node:test';
import { TrainerProcess } from '../../main/training/trainerProcess.js';
import { needShared, sharedPath } from '../helpers/shared.js';
import { needTinyModels, tinyModel, type TinyModelOptions } from '../helpers/tinyModels.js';
import { needTrainer } from './harness.js';

const skip = needTrainer() ?? needShared('models', 'stories260K.gguf') ?? needTinyModels();
let t: TrainerProcess;

before(() => {
  if (!skip) t = TrainerProcess.start();
});
after(async () => {
  if (!skip) await t.shutdown();
});

async function alive(): Promise<void> {
  const r = await t.request({ cmd: 'ping' }, 'pong');
  assert.equal(r.event, 'pong');
}

const base: TinyModelOptions = { arch: 'llama', nEmbd: 64, nLayer: 2, nHead: 4, nHeadKv: 2, nFf: 96, nVocab: 256 };
const badHeaders: [string, TinyModelOptions['header'], RegExp][] = [
  ['head_count 0', { head_count: 0 }, /attention\.head_count = 0 is out of range/],
  ['head_count_kv 0', { head_count_kv: 0 }, /attention\.head_count_kv = 0 is out of range/],
  ['embedding_length 0', { embedding_length: 0 }, /embedding_length = 0 is out of range/],
  ['block_count 100000', { block_count: 100000 }, /block_count = 100000 is out of range/],
  ['heads not a multiple of kv heads', { head_count: 4, head_count_kv: 3 }, /head_count \(4\) is not a multiple of head_count_kv \(3\)/],
  ['embedding not a multiple of heads', { head_count: 5, head_count_kv: 5 }, /embedding_length \(64\) is not a multiple of attention\.head_count \(5\)/],
  ['kv head count that disagrees with the tensors', { head_count_kv: 1 }, /tensor 'blk\.0\.attn_k\.weight' has shape \[64, 32, 1\] but the hyperparameters need \[64, 16\]/],
  ['more layers than tensors', { block_count: 3 }, /tensor 'blk\.2\.attn_norm\.weight' is missing/],
  ['feed_forward_length that disagrees', { feed_forward_length: 100 }, /ffn_gate\.weight' has shape/],
];

for (const [name, header, msg] of badHeaders) {
  test(`model hyperparameters: ${name} answers an error naming the key`, { skip }, async () => {
    const model = tinyModel({ ...base, header });
    await assert.rejects(t.init({ model, threads: 1 }), msg);
    await alive();
  });
}

test('the untouched tiny model loads (the cases above differ only in their header)', { skip }, async () => {
  const ready = await t.init({ model: tinyModel(base), threads: 1 });
  assert.equal(ready.nLayer, 2);
});

test('settings out of range are refused by name', { skip }, async () => {
  const model = sharedPath('models', 'stories260K.gguf');
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ threads: -1 }, /threads must be >= 0/],
    [{ lora: { rank: 0 } }, /lora\.rank must be in \[1, 4096\], got 0/],
    [{ lora: { alpha: 0 } }, /lora\.alpha must be > 0/],
    [{ optim: { lr: -1 } }, /optim\.lr must be >= 0/],
    [{ optim: { betas: [1.5, 0.9] } }, /optim\.betas must both be in \[0, 1\)/],
    [{ optim: { eps: 0 } }, /optim\.eps must be > 0/],
    [{ grpo: { microBatch: 0 } }, /grpo\.microBatch must be >= 1/],
    [{ grpo: { maxLogitsBytes: 0 } }, /grpo\.maxLogitsBytes must be > 0/],
    [{ grpo: { ppoEpochs: 0 } }, /grpo\.ppoEpochs must be >= 1/],
    [{ backend: 'tpu' }, /unknown backend 'tpu'/],
    [{ device: -2 }, /'device' must be a device index >= 0/],
  ];
  for (const [extra, msg] of cases) {
    await assert.rejects(t.request({ cmd: 'init', model, ...extra }, 'ready'), msg, JSON.stringify(extra));
  }
  await alive();
});

test('threads beyond the machine are clamped, and ready says so', { skip }, async () => {
  const ready = await t.init({ model: sharedPath('models', 'stories260K.gguf'), threads: 100000 });
  assert.equal(ready.threads, Math.max(1, os.availableParallelism()));
  assert.ok(ready.warnings.some((w) => w.includes('threads 100000 clamped')), JSON.stringify(ready.warnings));
  const m = await t.step([{ prompt: [1, 5], completions: [[6, 7], [8]], rewards: [1, 0] }]);
  assert.equal(m.updates, 1);
});

test('matmulPeak with zero or absurd sizes answers an error naming the field', { skip }, async () => {
  await t.init({ model: sharedPath('models', 'stories260K.gguf'), threads: 1 });
  await assert.rejects(t.request({ cmd: 'matmulPeak', m: 0, n: 8, k: 8 }, 'matmulPeak'), /'m' must be in \[1, 65536\], got 0/);
  await assert.rejects(t.request({ cmd: 'matmulPeak', m: 8, n: 8, k: 0 }, 'matmulPeak'), /'k' must be in/);
  await assert.rejects(t.request({ cmd: 'matmulPeak', m: 65536, n: 65536, k: 65536 }, 'matmulPeak'), /at most 2\^28 elements/);
  await assert.rejects(t.request({ cmd: 'matmulPeak', m: 8, n: 8, k: 8, type: 'q4' }, 'matmulPeak'), /'type' must be f32 or f16/);
  const r = await t.request({ cmd: 'matmulPeak', m: 64, n: 16, k: 32, repeats: 1 }, 'matmulPeak');
  assert.ok(Number(r.gflops) > 0);
  await alive();
});
