// Proof 3: LoRA gradients of the GRPO loss equal central finite differences.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TrainerProcess, type TrainerGroup } from '../../main/training/trainerProcess.js';
import { needShared, sharedPath } from '../helpers/shared.js';
import { needTinyModels, tinyModel } from '../helpers/tinyModels.js';
import { needTrainer, randomSequences, testBackend } from './harness.js';

const skipTrainer = needTrainer();

function groups(vocab: number): TrainerGroup[] {
  return randomSequences(31, 2, 5, vocab, 1).map((prompt, i) => ({
    prompt,
    completions: randomSequences(40 + i, 4, 6 + i, vocab),
    rewards: [1, 0, 0.25, 0],
  }));
}

function relErr(a: number, n: number): number {
  return Math.abs(a - n) / Math.max(Math.abs(a), Math.abs(n), 1e-8);
}

async function check(model: string, grpo: Record<string, unknown>, withOld: boolean, env?: Record<string, string>): Promise<void> {
  const t = TrainerProcess.start(env ? { env } : {});
  try {
    // B starts random so that both A and B have non-zero gradients
    const ready = await t.init({ model, threads: 1, backend: testBackend(), seed: 5, lora: { rank: 4, alpha: 8, initBStd: 0.05 }, grpo });
    const gs = groups(ready.nVocab);
    if (withOld) {
      // old log-probs a little off the current ones keep the ratio inside the clip range, away from its kinks
      for (const g of gs) {
        const lp = await t.logprobs(g.completions.map((c) => [...g.prompt, ...c]), true);
        g.oldLogprobs = lp.map((row) => row.slice(g.prompt.length - 1).map((x, j) => x + (j % 2 ? 0.05 : -0.05)));
      }
    }
    const r = await t.gradcheck(gs, 10, 1e-2);
    assert.equal(r.checks.length, 10);
    for (const c of r.checks) {
      const e = relErr(c.analytic, c.numeric);
      assert.ok(e <= 1e-2, `${c.tensor}[${c.index}]: analytic ${c.analytic} vs numeric ${c.numeric} (rel err ${e.toExponential(2)})`);
    }
    const worst = Math.max(...r.checks.map((c) => relErr(c.analytic, c.numeric)));
    console.log(`# gradcheck ${JSON.stringify(grpo)}${withOld ? ' +PPO' : ''}${env ? ` ${JSON.stringify(env)}` : ''}: worst rel err ${worst.toExponential(2)} over ${r.checks.length} entries`);
  } finally {
    await t.shutdown();
  }
}

test('stories260K: policy-gradient loss with KL penalty', { skip: skipTrainer ?? needShared('models', 'stories260K.gguf') }, async () => {
  await check(sharedPath('models', 'stories260K.gguf'), { beta: 0.2, lossAggregation: 'token-mean' }, false);
});

test('stories260K: PPO-clipped loss, sequence-mean aggregation', { skip: skipTrainer ?? needShared('models', 'stories260K.gguf') }, async () => {
  await check(sharedPath('models', 'stories260K.gguf'), { lossAggregation: 'seq-mean-token-mean', scaleRewards: false }, true);
});

test('tiny qwen2: Dr. GRPO loss', { skip: skipTrainer ?? needTinyModels() }, async () => {
  await check(tinyModel({ arch: 'qwen2' }), { lossAggregation: 'dr-grpo', beta: 0.1 }, false);
});

test('micro-batching does not change the step (microBatch 1 vs 16)', { skip: skipTrainer ?? needShared('models', 'stories260K.gguf') }, async () => {
  const metrics = [];
  for (const microBatch of [1, 16]) {
    const t = TrainerProcess.start();
    try {
      await t.init({ model: sharedPath('models', 'stories260K.gguf'), threads: 1, backend: testBackend(), seed: 9, optim: { lr: 1e-3 }, grpo: { microBatch, beta: 0.1 } });
      await t.step(groups(512));
      metrics.push(await t.step(groups(512)));
    } finally {
      await t.shutdown();
    }
  }
  const [a, b] = metrics;
  for (const k of ['loss', 'pg_loss', 'kl', 'entropy', 'grad_norm'] as const) {
    const x = a?.[k] ?? NaN;
    const y = b?.[k] ?? NaN;
    assert.ok(Math.abs(x - y) <= 1e-4 * Math.max(1, Math.abs(x)), `${k}: ${x} vs ${y}`);
  }
});

// A GPU training pass gathers log p(target) with a one-hot product (GET_ROWS_BACK is O(V*N^2) on CUDA and Vulkan);
// MEDSSR_GATHER=onehot runs that form on the CPU, so CI checks its gradients and that it changes no step.
test('the one-hot log-prob gather (GPU training form): finite-difference gradients, and the same steps as get_rows', { skip: skipTrainer ?? needShared('models', 'stories260K.gguf') }, async () => {
  const model = sharedPath('models', 'stories260K.gguf');
  await check(model, { beta: 0.2, lossAggregation: 'token-mean' }, true, { MEDSSR_GATHER: 'onehot' });
  const metrics = [];
  for (const gather of ['rows', 'onehot']) {
    const t = TrainerProcess.start({ env: { MEDSSR_GATHER: gather } });
    try {
      await t.init({ model, threads: 1, backend: testBackend(), seed: 9, optim: { lr: 1e-3 }, grpo: { beta: 0.1, ppoEpochs: 2 } });
      await t.step(groups(512));
      metrics.push(await t.step(groups(512)));
    } finally {
      await t.shutdown();
    }
  }
  const [a, b] = metrics;
  for (const k of ['loss', 'pg_loss', 'kl', 'entropy', 'grad_norm'] as const) {
    const x = a?.[k] ?? NaN;
    const y = b?.[k] ?? NaN;
    assert.ok(Math.abs(x - y) <= 1e-5 * Math.max(1, Math.abs(x)), `${k}: ${x} (get_rows) vs ${y} (one-hot)`);
  }
});
