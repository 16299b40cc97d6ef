// The trainer on node-llama-cpp's Vulkan backend equals the CPU: log-probs, gradients, GRPO steps, quantized frozen
// weights, an adapter llama.cpp loads, and the whole training graph on the device. On CI this runs on Mesa's
// software device (lavapipe, `mesa-vulkan-drivers`), which ggml uses only when GGML_VK_VISIBLE_DEVICES names it.
// Tolerances: fp16 off (GGML_VK_DISABLE_F16=1) 1e-4 nats / 1e-3 relative gradient; fp16 on 2e-2 nats / 3e-2
// relative (ggml's fp16 matmul path rounds activations). Quantized frozen weights (Q8_0, Q4_K) stay quantized on the
// device and equal an F32 model of their dequantized values on the CPU to 1e-4 nats; against the CPU on the same
// quantized file 1e-1 nats (measured 6.7e-2 / 8.1e-2 after one step: the CPU rounds activations to 8 bits).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { findBackendDirs, trainerEnv } from '../../main/training/trainerBackends.js';
import { findTrainerBinary, TrainerProcess, type GradCheck, type TrainerGroup, type TrainerInit } from '../../main/training/trainerProcess.js';
import { needShared, sharedPath } from '../helpers/shared.js';
import { needTinyModels, tinyModel, type TinyModelOptions } from '../helpers/tinyModels.js';
import { cpuLlama, llamaLogprobs, maxAbsDiff, needTrainer, randomSequences, trainerBinary } from './harness.js';

const vkEnv = { GGML_VK_VISIBLE_DEVICES: process.env.GGML_VK_VISIBLE_DEVICES ?? '0', GGML_VK_DISABLE_F16: '1' };
const stories = sharedPath('models', 'stories260K.gguf');
const dir = mkdtempSync(path.join(os.tmpdir(), 'medssr-vulkan-'));
const groups: TrainerGroup[] = [{ prompt: [1, 5, 9], completions: [[6, 7, 8, 12], [8, 30], [41, 2, 2, 9, 77]], rewards: [1, 0, 0.5] }];
let vk: TrainerProcess | undefined;
let cpu: TrainerProcess | undefined;

/** Asks a throw-away trainer for the Vulkan device, so that the tests know before they are defined. */
function vulkanAbsent(): string | undefined {
  const dirs = findBackendDirs();
  const lines = [
    JSON.stringify({ id: 1, cmd: 'init', model: stories, threads: 1, backend: 'vulkan', backendDirs: { cpu: dirs.cpu, vulkan: dirs.vulkan } }),
    JSON.stringify({ id: 2, cmd: 'shutdown' }),
  ];
  const r = spawnSync(findTrainerBinary() ?? trainerBinary, [], { input: `${lines.join('\n')}\n`, encoding: 'utf8', env: trainerEnv(dirs, { ...process.env, ...vkEnv }), timeout: 120_000 });
  const first = (r.stdout ?? '').split('\n')[0] ?? '';
  let ev: { event?: string; message?: string; device?: { description?: string } } = {};
  try {
    ev = JSON.parse(first) as typeof ev;
  } catch {
    return `skipped: the trainer did not answer the Vulkan probe (${r.error?.message ?? `status ${r.status}`})`;
  }
  if (ev.event === 'ready') {
    console.log(`# Vulkan device: ${ev.device?.description ?? '?'}`);
    return undefined;
  }
  const reason = `skipped: no Vulkan device (${ev.message ?? 'unknown'})`;
  console.log(`# ${reason}`);
  return reason;
}

/**
 * Opt in: the file takes about 2 minutes on lavapipe (2 min 10 s measured on a loaded 2-core VM), but lavapipe
 * crashes at random when a pass needs a larger compute buffer than every earlier one (native/README.md).
 */
function optIn(): string | undefined {
  if (process.env.MEDSSR_VULKAN_TESTS === '1') return undefined;
  const reason = 'skipped: Vulkan parity tests are opt-in (MEDSSR_VULKAN_TESTS=1): lavapipe crashes at random, see native/README.md';
  console.log(`# ${reason}`);
  return reason;
}

const vkSkip: string | undefined = optIn() ?? needTrainer() ?? needShared('models', 'stories260K.gguf') ?? needTinyModels() ?? vulkanAbsent();

before(() => {
  if (vkSkip) return;
  vk = TrainerProcess.start({ env: vkEnv });
  cpu = TrainerProcess.start();
});
after(async () => {
  await vk?.shutdown();
  await cpu?.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

function both(init: Omit<TrainerInit, 'backend'>): Promise<unknown[]> {
  return Promise.all([(vk as TrainerProcess).init({ ...init, backend: 'vulkan' }), (cpu as TrainerProcess).init({ ...init, backend: 'cpu' })]);
}

function gradDiff(a: GradCheck, b: GradCheck): number {
  let worst = 0;
  for (const c of a.checks) {
    const o = b.checks.find((x) => x.tensor === c.tensor && x.index === c.index);
    assert.ok(o, `gradient ${c.tensor}[${c.index}] picked on one backend only`);
    worst = Math.max(worst, Math.abs(c.analytic - o.analytic) / Math.max(1e-6, Math.abs(o.analytic)));
  }
  return worst;
}

test('Vulkan: log-probs and gradients equal the CPU (fp16 off), every node on the device', { skip: vkSkip }, async () => {
  const qwen = tinyModel({ arch: 'qwen2', nLayer: 2, nVocab: 512 });
  for (const model of [stories, qwen]) {
    await both({ model, threads: 1, seed: 3, lora: { rank: 4, initBStd: 0.02 } });
    const seqs = randomSequences(5, 3, 24, 500, 1);
    const d = maxAbsDiff(await (vk as TrainerProcess).logprobs(seqs), await (cpu as TrainerProcess).logprobs(seqs));
    const g = gradDiff(await (vk as TrainerProcess).gradcheck(groups, 6, 1e-2), await (cpu as TrainerProcess).gradcheck(groups, 6, 1e-2));
    console.log(`# ${path.basename(model)}: max |Δ logp| ${d.toExponential(2)}, max relative Δ gradient ${g.toExponential(2)}`);
    assert.ok(d < 1e-4, `logp difference ${d}`);
    assert.ok(g < 1e-3, `gradient difference ${g}`);
    const m = await (vk as TrainerProcess).step(groups);
    assert.deepEqual(Object.keys(m.placement?.nodes ?? {}), ['Vulkan0'], JSON.stringify(m.placement));
    assert.equal(m.placement?.splits, 1);
  }
});

test('Vulkan: a few GRPO steps equal the CPU, and the adapter loads in llama.cpp with equal log-probs', { skip: vkSkip }, async () => {
  await both({ model: stories, threads: 1, seed: 5, lora: { rank: 4 }, optim: { lr: 5e-3 }, grpo: { ppoEpochs: 2, beta: 0.05 } });
  for (let i = 0; i < 3; i++) {
    const [a, b] = await Promise.all([(vk as TrainerProcess).step(groups), (cpu as TrainerProcess).step(groups)]);
    assert.ok(Math.abs((a.loss ?? 0) - (b.loss ?? 0)) < 1e-4 * Math.max(1, Math.abs(b.loss ?? 0)), `step ${i}: loss ${a.loss} vs ${b.loss}`);
    assert.ok(Math.abs((a.grad_norm ?? 0) - (b.grad_norm ?? 0)) < 1e-3 * Math.max(1, b.grad_norm ?? 0), `step ${i}: grad_norm ${a.grad_norm} vs ${b.grad_norm}`);
  }
  const seqs = randomSequences(9, 2, 20, 500, 1);
  const ours = await (vk as TrainerProcess).logprobs(seqs);
  const dTrained = maxAbsDiff(ours, await (cpu as TrainerProcess).logprobs(seqs));
  console.log(`# after 3 steps (6 updates): max |Δ logp| Vulkan vs CPU ${dTrained.toExponential(2)}`);
  // AdamW at lr 5e-3 normalises each update, so gradient differences of ~1e-6 relative move the weights apart by up
  // to lr per update: measured 1.5e-3 nats after 6 updates
  assert.ok(dTrained < 5e-3, `logp difference after training ${dTrained}`);
  const adapter = path.join(dir, 'vulkan-adapter.gguf');
  await (vk as TrainerProcess).save({ adapter });
  const llama = await cpuLlama();
  const model = await llama.loadModel({ modelPath: stories });
  try {
    const d = maxAbsDiff(ours, await llamaLogprobs(model, seqs, adapter));
    console.log(`# adapter trained on Vulkan in llama.cpp: max |Δ logp| ${d.toExponential(2)}`);
    assert.ok(d < 1e-3, `difference ${d}`);
  } finally {
    await model.dispose();
  }
});

test('Vulkan: frozen Q8_0 / Q4_K weights stay quantized on the device and equal the CPU on their dequantized values', { skip: vkSkip }, async () => {
  // Q4_K rows are 256 values: a wider tiny model
  const shapes: { type: 'q8_0' | 'q4_k'; opts: TinyModelOptions; tol: number }[] = [
    { type: 'q8_0', opts: { arch: 'llama', weightType: 'q8_0', seed: 7 }, tol: 1e-1 },
    { type: 'q4_k', opts: { arch: 'llama', weightType: 'q4_k', nEmbd: 256, nFf: 256, nVocab: 512, seed: 7 }, tol: 1e-1 },
  ];
  for (const { type, opts, tol } of shapes) {
    const quantized = tinyModel(opts);
    const init = { threads: 1, seed: 3, lora: { rank: 4, initBStd: 0.02 } };
    // the CPU on an F32 model holding exactly the dequantized weights: the device must compute the same numbers
    const [rv, rc] = await Promise.all([
      (vk as TrainerProcess).init({ ...init, model: quantized, backend: 'vulkan' }),
      (cpu as TrainerProcess).init({ ...init, model: tinyModel({ ...opts, dequantized: true }), backend: 'cpu' }),
    ]);
    // the training pass first: a pass needing a larger Vulkan compute buffer than every earlier one crashed
    // lavapipe runs at random (native/README.md, "Vulkan on lavapipe: the crash")
    const m = await (vk as TrainerProcess).step(groups);
    const mc = await (cpu as TrainerProcess).step(groups);
    const seqs = randomSequences(8, 2, 24, 500, 1);
    const ours = await (vk as TrainerProcess).logprobs(seqs);
    const d = maxAbsDiff(ours, await (cpu as TrainerProcess).logprobs(seqs));
    const g = gradDiff(await (vk as TrainerProcess).gradcheck(groups, 6, 1e-2), await (cpu as TrainerProcess).gradcheck(groups, 6, 1e-2));
    console.log(`# ${type}: weight buffer ${rv.weightBytes} B on Vulkan (F32 twin ${rc.weightBytes} B); vs the dequantized F32 model on the CPU: max |Δ logp| ${d.toExponential(2)}, max relative Δ gradient ${g.toExponential(2)}`);
    assert.ok(rv.weightBytes < rc.weightBytes / 3, `${type}: weights not kept quantized on the device (${rv.weightBytes} B vs F32 ${rc.weightBytes} B)`);
    assert.ok(d < 1e-4, `${type}: logp difference ${d}`);
    assert.ok(g < 1e-3, `${type}: gradient difference ${g}`);
    assert.ok(Math.abs((m.grad_norm ?? NaN) - (mc.grad_norm ?? NaN)) < 1e-3 * Math.max(1, mc.grad_norm ?? 0), `${type}: grad_norm ${m.grad_norm} vs ${mc.grad_norm}`);
    assert.deepEqual(Object.keys(m.placement?.nodes ?? {}), ['Vulkan0'], JSON.stringify(m.placement));
    // and the CPU on the quantized file itself: its quantized kernels round activations to 8 bits, the device's do not
    await (cpu as TrainerProcess).init({ ...init, model: quantized, backend: 'cpu' });
    const dq = maxAbsDiff(ours, await (cpu as TrainerProcess).logprobs(seqs));
    console.log(`# ${type}: max |Δ logp| vs the CPU on the same ${type} file ${dq.toExponential(2)}`);
    assert.ok(dq < tol, `${type}: difference ${dq}`);
  }
});

test('Vulkan with fp16 on: within the looser tolerance', { skip: vkSkip }, async () => {
  const f16 = TrainerProcess.start({ env: { GGML_VK_VISIBLE_DEVICES: vkEnv.GGML_VK_VISIBLE_DEVICES } });
  try {
    const init = { model: stories, threads: 1, seed: 3, lora: { rank: 4, initBStd: 0.02 } };
    await Promise.all([f16.init({ ...init, backend: 'vulkan' }), (cpu as TrainerProcess).init({ ...init, backend: 'cpu' })]);
    const seqs = randomSequences(5, 3, 24, 500, 1);
    const d = maxAbsDiff(await f16.logprobs(seqs), await (cpu as TrainerProcess).logprobs(seqs));
    const g = gradDiff(await f16.gradcheck(groups, 6, 1e-2), await (cpu as TrainerProcess).gradcheck(groups, 6, 1e-2));
    console.log(`# fp16 on: max |Δ logp| ${d.toExponential(2)}, max relative Δ gradient ${g.toExponential(2)}`);
    assert.ok(d < 2e-2, `logp difference ${d}`);
    assert.ok(g < 3e-2, `gradient difference ${g}`);
  } finally {
    await f16.shutdown();
  }
});
