#!/usr/bin/env node
/**
 * A stand-in for native/build/medssr-trainer speaking the same line-delimited JSON protocol, for fast tests of the
 * training orchestration: init (with resume), step (metrics computed from the given rewards and tokens, the update
 * count advanced, lr from the same schedule as the real trainer), save (adapter and checkpoint files written
 * atomically), logprobs, shutdown; lora.initFrom starts from an adapter file at update 0; mode "full" with sft / loss
 * (a loss that falls with the update count) and save.model (a text file, not a GGUF). It learns nothing.
 * FAKE_TRAINER_STEP_MS slows each step down (so a test can kill it mid-run); FAKE_TRAINER_CRASH_AT=N exits with
 * status 3 on the step that would make update N, once: the file FAKE_TRAINER_CRASH_MARK records that it did.
 */
import { existsSync, renameSync, writeFileSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

const stepMs = Number(process.env.FAKE_TRAINER_STEP_MS ?? 0);
const crashAt = Number(process.env.FAKE_TRAINER_CRASH_AT ?? 0);
let state = null;

const send = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
const atomic = (file, text) => {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function handle(msg) {
  const { id, cmd } = msg;
  if (cmd === 'init') {
    if (!msg.model || !existsSync(msg.model)) return send({ id, event: 'error', message: `cannot open model ${msg.model}` });
    let updates = 0;
    if (msg.resume) {
      if (!existsSync(msg.resume)) return send({ id, event: 'error', message: `no checkpoint at ${msg.resume}` });
      updates = JSON.parse(readFileSync(msg.resume, 'utf8')).updates;
    }
    const initFrom = msg.lora?.initFrom;
    if (initFrom && !msg.resume && !existsSync(initFrom)) return send({ id, event: 'error', message: `lora.initFrom: cannot read adapter (missing or not GGUF): ${initFrom}` });
    const o = msg.optim ?? {};
    const full = msg.mode === 'full';
    if (full && msg.lora) return send({ id, event: 'error', message: 'init: lora settings are not allowed in mode full' });
    state = { full, updates, lr: o.lr ?? 1e-5, rank: msg.lora?.rank ?? 8, schedule: o.schedule ?? 'constant', warmup: o.warmupSteps ?? 0, totalSteps: o.totalSteps ?? 0, minLrRatio: o.minLrRatio ?? 0, ppoEpochs: msg.grpo?.ppoEpochs ?? 1 };
    return send({ id, event: 'ready', arch: 'fake', backend: 'cpu', nParams: 1000, nTrainable: full ? 1000 : 10 * state.rank, nVocab: 256, nLayer: 1, nEmbd: 8, updates, mode: full ? 'full' : 'lora', ...(full ? { sft: { microBatch: msg.sft?.microBatch ?? 16 } } : { lora: { rank: state.rank, alpha: msg.lora?.alpha ?? 16, targets: ['attn_q'] } }), ...(initFrom && !msg.resume ? { initFrom } : {}) });
  }
  if (!state && cmd !== 'shutdown') return send({ id, event: 'error', message: 'init first' });
  if (cmd === 'sft' || cmd === 'loss') {
    const seqs = msg.sequences ?? [];
    for (let i = 0; i < seqs.length; i++) {
      if (!Array.isArray(seqs[i]) || seqs[i].length < 2) return send({ id, event: 'error', message: `${cmd}: sequence ${i} is too short` });
      if (msg.masks && msg.masks[i]?.length !== seqs[i].length) return send({ id, event: 'error', message: `${cmd}: masks[${i}] must have one entry per token` });
    }
    const tokens = seqs.reduce((n, s, i) => n + (msg.masks ? msg.masks[i].slice(1).filter((x) => x === 1).length : s.length - 1), 0);
    const loss = 5 / (1 + 0.1 * state.updates);
    if (cmd === 'loss') return send({ id, event: 'loss', loss, tokens });
    if (stepMs) await sleep(stepMs);
    state.updates++;
    const all = seqs.reduce((n, s) => n + s.length, 0);
    return send({ id, event: 'sft', metrics: { loss, tokens, sequence_tokens: all, grad_norm: 1 / state.updates, lr: state.lr, updates: state.updates, step_time_s: stepMs / 1000, tokens_per_s: tokens / Math.max(stepMs / 1000, 1e-3) } });
  }
  if (cmd === 'step') {
    const mark = process.env.FAKE_TRAINER_CRASH_MARK;
    if (crashAt && state.updates + 1 >= crashAt && mark && !existsSync(mark)) {
      writeFileSync(mark, 'crashed');
      process.stderr.write('fake trainer: simulated crash\n');
      process.exit(3);
    }
    if (stepMs) await sleep(stepMs);
    const rewards = msg.groups.flatMap((g) => g.rewards);
    const mean = rewards.reduce((a, b) => a + b, 0) / rewards.length;
    const std = Math.sqrt(rewards.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, rewards.length - 1));
    const zero = msg.groups.filter((g) => g.rewards.every((r) => r === g.rewards[0])).length / msg.groups.length;
    const lens = msg.groups.flatMap((g) => g.completions.map((c) => c.length));
    const tokens = msg.groups.reduce((s, g) => s + g.completions.reduce((t, c) => t + g.prompt.length + c.length, 0), 0);
    // native/trainer/src/optimizer.cpp lr_at, evaluated before the update as there.
    const u = state.updates;
    let f = 1;
    if (state.warmup > 0 && u < state.warmup) f = (u + 1) / (state.warmup + 1);
    else if (state.schedule === 'cosine') {
      const p = Math.min(1, (u - state.warmup) / Math.max(1, state.totalSteps - state.warmup));
      f = state.minLrRatio + (1 - state.minLrRatio) * 0.5 * (1 + Math.cos(Math.PI * p));
    }
    const lr = state.lr * f;
    state.updates++;
    return send({
      id,
      event: 'step',
      metrics: {
        reward_mean: mean,
        reward_std: std,
        frac_reward_zero_std: zero,
        completion_length_mean: lens.reduce((a, b) => a + b, 0) / lens.length,
        completion_length_max: Math.max(...lens),
        groups: msg.groups.length,
        groups_used: msg.groups.length,
        completion_tokens: lens.reduce((a, b) => a + b, 0),
        skipped: false,
        updates: state.updates,
        step_time_s: stepMs / 1000,
        pg_loss: -0.01 * state.updates,
        kl: 0.001 * state.updates,
        entropy: 2 - 0.01 * state.updates,
        clip_ratio: 0,
        grad_norm: 1 / state.updates,
        lr,
        ppo_epochs: state.ppoEpochs,
        tokens,
        tokens_per_s: tokens / Math.max(stepMs / 1000, 1e-3),
        peak_memory_bytes: 1 << 20,
      },
    });
  }
  if (cmd === 'save') {
    try {
      if (msg.adapter) atomic(msg.adapter, `fake adapter after ${state.updates} updates\n`);
      if (msg.checkpoint) atomic(msg.checkpoint, JSON.stringify({ updates: state.updates }));
      if (msg.model) {
        if (!state.full) return send({ id, event: 'error', message: "save: 'model' needs mode 'full'" });
        atomic(msg.model, `fake model after ${state.updates} updates\n`);
      }
    } catch (e) {
      return send({ id, event: 'error', message: String(e.message) });
    }
    return send({ id, event: 'saved', adapter: msg.adapter, checkpoint: msg.checkpoint, ...(msg.model ? { model: msg.model } : {}), updates: state.updates });
  }
  if (cmd === 'logprobs') return send({ id, event: 'logprobs', logprobs: msg.sequences.map((s) => s.slice(1).map(() => -1)) });
  if (cmd === 'shutdown') {
    send({ id, event: 'shutdown' });
    process.exit(0);
  }
  return send({ id, event: 'error', message: `unknown command ${cmd}` });
}

let chain = Promise.resolve();
createInterface({ input: process.stdin }).on('line', (line) => {
  let msg;
  try {
    msg = JSON.parse(line);
  } catch {
    return send({ event: 'error', message: 'malformed JSON' });
  }
  chain = chain.then(() => handle(msg));
});
