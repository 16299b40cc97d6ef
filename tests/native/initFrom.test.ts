// lora.initFrom: a new run (MedSSR's stage 2) starts from an existing adapter's A/B with a fresh optimizer and
// update count 0; an adapter that does not fit the requested LoRA shape is refused by name.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { TrainerProcess, type TrainerGroup } from '../../main/training/trainerProcess.js';
import { needShared, sharedPath } from '../helpers/shared.js';
import { maxAbsDiff, needTrainer, testBackend } from './harness.js';

const skip = needTrainer() ?? needShared('models', 'stories260K.gguf');
const model = sharedPath('models', 'stories260K.gguf');
const dir = mkdtempSync(path.join(os.tmpdir(), 'medssr-initfrom-'));
const adapter = path.join(dir, 'stage1.gguf');
const checkpoint = path.join(dir, 'stage1.ckpt.gguf');
const groups: TrainerGroup[] = [{ prompt: [1, 5, 9], completions: [[6, 7, 8], [8, 30], [41, 2, 2, 9]], rewards: [1, 0, 0.5] }];
const probe = [[1, 5, 9, 6, 7, 8, 22, 31]];
const lora = { rank: 4, alpha: 8, targets: ['attn_q', 'attn_v', 'ffn_up'] as const };
const optim = { lr: 1e-3, warmupSteps: 4 };
let stage1Logprobs: number[][] = [];

before(async () => {
  if (skip) return;
  const t = TrainerProcess.start();
  try {
    await t.init({ model, threads: 1, backend: testBackend(), lora: { ...lora, targets: [...lora.targets] }, optim });
    await t.step(groups);
    await t.step(groups);
    await t.save({ adapter, checkpoint });
    stage1Logprobs = await t.logprobs(probe);
  } finally {
    await t.shutdown();
  }
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('initFrom loads the adapter weights with a fresh optimizer and update 0', { skip }, async () => {
  const t = TrainerProcess.start();
  const r = TrainerProcess.start();
  try {
    const ready = await t.init({ model, threads: 1, backend: testBackend(), lora: { ...lora, targets: [...lora.targets], initFrom: adapter }, optim });
    assert.equal(ready.updates, 0);
    assert.equal(ready.initFrom, adapter);
    // same weights as stage 1 ended with
    assert.ok(maxAbsDiff(await t.logprobs(probe), stage1Logprobs) < 1e-5);
    // and an adapter-free pass is the base, so the adapter is really what moved the numbers
    assert.ok(maxAbsDiff(await t.logprobs(probe, false), stage1Logprobs) > 1e-4);
    // resuming the checkpoint continues at update 2; initFrom restarts the warm-up at update 0
    await r.init({ model, threads: 1, backend: testBackend(), resume: checkpoint, optim });
    const fresh = await t.step(groups);
    const resumed = await r.step(groups);
    assert.equal(fresh.updates, 1);
    assert.equal(resumed.updates, 3);
    assert.ok(Math.abs((fresh.lr ?? 0) - optim.lr / 5) < 1e-12, String(fresh.lr));
    assert.ok(Math.abs((resumed.lr ?? 0) - (3 * optim.lr) / 5) < 1e-12, String(resumed.lr));
    // the same gradient from the same weights, but fresh moments: the first Adam step differs from the resumed one
    assert.ok(Math.abs((fresh.grad_norm ?? 0) - (resumed.grad_norm ?? 0)) < 1e-4 * Math.max(1, resumed.grad_norm ?? 0));
    assert.ok(maxAbsDiff(await t.logprobs(probe), await r.logprobs(probe)) > 1e-6);
  } finally {
    await t.shutdown();
    await r.shutdown();
  }
});

test('an adapter that does not fit is refused by name', { skip }, async () => {
  const t = TrainerProcess.start();
  try {
    const init = (l: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
      t.request({ cmd: 'init', model, threads: 1, backend: testBackend(), lora: { ...lora, targets: [...lora.targets], initFrom: adapter, ...l }, ...extra }, 'ready');
    await assert.rejects(init({ rank: 8 }), /tensor 'blk\.0\.attn_q\.weight\.lora_a' has shape \[64, 4\] but lora\.rank 8 needs \[64, 8\]/);
    await assert.rejects(init({ targets: ['attn_q'] }), /has 30 LoRA tensors but lora\.rank\/targets make 10/);
    await assert.rejects(init({ alpha: 16 }), /adapter\.lora\.alpha is 8\.0+ but lora\.alpha is 16/);
    await assert.rejects(init({ initFrom: model }), /not a LoRA adapter/);
    await assert.rejects(init({ initFrom: path.join(dir, 'nope.gguf') }), /lora\.initFrom: cannot read adapter/);
    await assert.rejects(init({}, { resume: checkpoint }), /'resume' and 'lora\.initFrom' exclude each other/);
    const pong = await t.request({ cmd: 'ping' }, 'pong');
    assert.equal(pong.ready, false);
  } finally {
    await t.shutdown();
  }
});
