// Full-parameter mode and the sft / loss commands: learning, log-prob parity of the saved GGUF with llama.cpp, masks,
// bad input, finite-difference gradients of the sft loss, and resume from a full checkpoint.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { TrainerProcess, type TrainerInit, type TrainerMask, type TrainerSftMetrics } from '../../main/training/trainerProcess.js';
import { needTinyModels, tinyModel } from '../helpers/tinyModels.js';
import { cpuLlama, llamaLogprobs, maxAbsDiff, needTrainer, randomSequences, testBackend } from './harness.js';

const skip = needTrainer() ?? needTinyModels();
const dir = mkdtempSync(path.join(os.tmpdir(), 'medssr-sft-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const VOCAB = 256;
const model = (): string => tinyModel({ arch: 'llama', nEmbd: 64, nLayer: 2, nHead: 4, nHeadKv: 2, nVocab: VOCAB, seed: 3 });
const base = (extra: Partial<TrainerInit> = {}): TrainerInit => ({
  model: model(),
  mode: 'full',
  threads: 1,
  backend: testBackend(),
  seed: 7,
  optim: { lr: 3e-3 },
  ...extra,
});
// BOS (1) then random tokens: a few sequences the model can memorise
const seqs = (seed: number, n = 4, len = 24): number[][] => randomSequences(seed, n, len, VOCAB, 1);

async function withTrainer<T>(fn: (t: TrainerProcess) => Promise<T>): Promise<T> {
  const t = TrainerProcess.start();
  try {
    return await fn(t);
  } finally {
    await t.shutdown();
  }
}

/** Mask 1 on the last `answer` tokens only (the "answer" of a prompt + answer sequence). */
function answerMask(s: number[], answer: number): TrainerMask {
  return s.map((_, i) => (i >= s.length - answer ? 1 : 0));
}

test('full mode: ready reports every weight as trainable; lora mode stays the default', { skip }, async () => {
  await withTrainer(async (t) => {
    const full = await t.init(base());
    assert.equal(full.mode, 'full');
    assert.equal(full.nTrainable, full.nParams);
    assert.equal(full.lora, undefined);
    const lora = await t.init({ model: model(), threads: 1, backend: testBackend() });
    assert.equal(lora.mode, 'lora');
    assert.ok(lora.nTrainable < lora.nParams && lora.lora?.rank === 8);
  });
});

test('(a) sft over-fits a few sequences: the loss falls steadily and `loss` agrees without updating', { skip }, async () => {
  await withTrainer(async (t) => {
    await t.init(base({ optim: { lr: 3e-3, schedule: 'cosine', warmupSteps: 3, totalSteps: 40, minLrRatio: 0.1 } }));
    const data = seqs(11);
    const before = await t.loss(data);
    assert.equal(before.tokens, 4 * 23);
    const curve: TrainerSftMetrics[] = [];
    for (let i = 0; i < 40; i++) curve.push(await t.sft(data));
    const first = curve[0] as TrainerSftMetrics;
    const last = curve[curve.length - 1] as TrainerSftMetrics;
    assert.ok(Math.abs(first.loss - before.loss) < 1e-6, `sft reports the loss before its update: ${first.loss} vs ${before.loss}`);
    assert.equal(first.tokens, 4 * 23);
    assert.equal(first.sequence_tokens, 4 * 24);
    assert.equal(last.updates, 40);
    assert.ok(first.lr < 3e-3 && Math.abs((curve[3] as TrainerSftMetrics).lr - 3e-3) < 1e-9, 'warm-up, then the peak lr');
    assert.ok(last.lr < 1e-3 && last.lr >= 3e-4 - 1e-12, `cosine decays towards minLrRatio: ${last.lr}`);
    const after1 = await t.loss(data);
    const again = await t.loss(data);
    assert.equal(after1.loss, again.loss, '`loss` does not update');
    console.log(`# sft loss ${before.loss.toFixed(3)} -> ${after1.loss.toFixed(3)} over 40 updates (ln V = ${Math.log(VOCAB).toFixed(3)})`);
    assert.ok(before.loss > 0.8 * Math.log(VOCAB), 'a random model starts near ln V');
    assert.ok(after1.loss < 0.25 * before.loss, `memorised: ${after1.loss} vs ${before.loss}`);
    // sequences it was not trained on stay far worse than the memorised ones
    const unseen = await t.loss(seqs(99));
    assert.ok(unseen.loss > 3 * after1.loss);
  });
});

test('sft in lora mode trains the adapter only', { skip }, async () => {
  await withTrainer(async (t) => {
    const ready = await t.init({ model: model(), threads: 1, backend: testBackend(), seed: 3, optim: { lr: 1e-2 }, lora: { rank: 8, alpha: 16 } });
    const data = seqs(12, 2);
    const before = await t.loss(data);
    for (let i = 0; i < 15; i++) await t.sft(data);
    const afterA = await t.loss(data);
    assert.ok(afterA.loss < 0.8 * before.loss, `${afterA.loss} vs ${before.loss}`);
    // the base is untouched: with the adapter off the log-probs are the initial ones
    const fresh = TrainerProcess.start();
    try {
      await fresh.init({ model: model(), threads: 1, backend: testBackend() });
      assert.equal(maxAbsDiff(await t.logprobs(data, false), await fresh.logprobs(data, false)), 0);
    } finally {
      await fresh.shutdown();
    }
    const saved = await t.save({ adapter: path.join(dir, 'sft-lora.gguf') });
    assert.equal(saved.updates, 15);
    assert.ok(ready.nTrainable < ready.nParams);
  });
});

test('(b) the saved GGUF loads in node-llama-cpp and gives the trainer\'s log-probs within 1e-3 nats', { skip }, async () => {
  const out = path.join(dir, 'nano.gguf');
  const data = seqs(21, 3, 32);
  const probe = [...data, ...seqs(22, 2, 40)];
  let ours: number[][] = [];
  await withTrainer(async (t) => {
    await t.init(base());
    for (let i = 0; i < 10; i++) await t.sft(data);
    ours = await t.logprobs(probe);
    const saved = await t.saveModel(out);
    assert.equal(saved.model, out);
    assert.equal(saved.updates, 10);
  });
  // the file re-read by the trainer is the same model
  await withTrainer(async (t) => {
    const r = await t.init({ model: out, mode: 'full', threads: 1, backend: testBackend() });
    assert.equal(r.nParams, r.nTrainable);
    assert.equal(maxAbsDiff(await t.logprobs(probe), ours), 0);
  });
  const llama = await cpuLlama();
  const m = await llama.loadModel({ modelPath: out });
  try {
    assert.equal(m.fileInfo.metadata.general.name, 'tiny-llama', 'general.name kept');
    const meta = m.fileInfo.metadata as unknown as Record<string, Record<string, Record<string, unknown>>>;
    assert.equal(Number(meta.medssr?.trainer?.updates), 10);
    const ref = await llamaLogprobs(m, probe);
    const d = maxAbsDiff(ours, ref);
    console.log(`# trained full model: max |Δ logp| vs llama.cpp = ${d.toExponential(2)}`);
    assert.ok(d <= 1e-3, `max abs difference ${d}`);
  } finally {
    await m.dispose();
  }
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp')), [], 'no temp files left behind');
});

test('(c) masks: the loss covers the masked targets only; a sequence masked all-zero changes nothing', { skip }, async () => {
  const a = seqs(31, 1, 20)[0] as number[];
  const b = seqs(32, 1, 16)[0] as number[];
  const maskA = answerMask(a, 5);
  const zeros: TrainerMask = b.map(() => 0);
  const results: { lp: number[][]; loss: number; withZero: number; m1: TrainerSftMetrics; m2: TrainerSftMetrics }[] = [];
  for (const withZero of [false, true]) {
    await withTrainer(async (t) => {
      await t.init(base());
      const lp = await t.logprobs([a]);
      const only = await t.loss([a], [maskA]);
      const both = await t.loss([a, b], [maskA, zeros]);
      assert.equal(only.tokens, 5);
      assert.equal(both.tokens, 5);
      const m1 = withZero ? await t.sft([a, b], [maskA, zeros]) : await t.sft([a], [maskA]);
      const m2 = withZero ? await t.sft([a, b], [maskA, zeros]) : await t.sft([a], [maskA]);
      results.push({ lp, loss: only.loss, withZero: both.loss, m1, m2 });
    });
  }
  const [r0, r1] = results as [(typeof results)[0], (typeof results)[0]];
  // loss = mean of -log p over mask positions i >= 1 (log-prob entry i - 1)
  const expected = -(r0.lp[0] as number[]).slice(-5).reduce((s, x) => s + x, 0) / 5;
  assert.ok(Math.abs(r0.loss - expected) < 1e-5, `${r0.loss} vs ${expected}`);
  assert.ok(Math.abs(r0.withZero - r0.loss) < 1e-6, 'the all-zero sequence adds no loss');
  // and no gradient: the updates (hence the next loss) are those of the single masked sequence
  for (const k of ['loss', 'grad_norm'] as const) {
    assert.ok(Math.abs(r0.m1[k] - r1.m1[k]) < 1e-5, `${k}: ${r0.m1[k]} vs ${r1.m1[k]}`);
    assert.ok(Math.abs(r0.m2[k] - r1.m2[k]) < 1e-5, `second update ${k}: ${r0.m2[k]} vs ${r1.m2[k]}`);
  }
  // training on the answer tokens lowers the answer loss much more than the prompt's
  await withTrainer(async (t) => {
    await t.init(base());
    const promptMask = maskA.map((x, i) => (i >= 1 && x === 0 ? 1 : 0)) as TrainerMask;
    const p0 = await t.loss([a], [promptMask]);
    const a0 = await t.loss([a], [maskA]);
    for (let i = 0; i < 15; i++) await t.sft([a], [maskA]);
    const p1 = await t.loss([a], [promptMask]);
    const a1 = await t.loss([a], [maskA]);
    assert.ok(a0.loss - a1.loss > 2 * Math.abs(p0.loss - p1.loss), `answer ${a0.loss}->${a1.loss}, prompt ${p0.loss}->${p1.loss}`);
  });
});

test('(d) bad input answers an error naming the sequence; the process keeps serving', { skip }, async () => {
  await withTrainer(async (t) => {
    await t.init(base());
    const good = seqs(41, 1, 8)[0] as number[];
    await assert.rejects(t.sft([good, []]), /sequence 1 is empty/);
    await assert.rejects(t.sft([good, [1]]), /sequence 1 is too short/);
    await assert.rejects(t.loss([good, good, [1, 2, VOCAB]]), new RegExp(`sequence 2 has token id ${VOCAB}, out of the vocabulary`));
    await assert.rejects(t.sft([good, [1, -3, 4]]), /sequence 1 has token id -3/);
    await assert.rejects(t.sft([good, good], [good.map(() => 1) as TrainerMask]), /'masks' must be an array with one mask per sequence/);
    await assert.rejects(t.sft([good, good], [good.map(() => 1) as TrainerMask, [0, 1]]), /masks\[1\] must have one entry per token of sequence 1/);
    await assert.rejects(t.sft([good], [good.map(() => 2) as unknown as TrainerMask]), /masks\[0\]\[0\] must be 0 or 1/);
    await assert.rejects(t.sft([good], [good.map(() => 0)]), /select no target token/);
    await assert.rejects(t.sft([]), /'sequences' must be a non-empty array/);
    await assert.rejects(t.sft([randomSequences(1, 1, 600, VOCAB, 1)[0] as number[]]), /sequence 0 has 600 tokens, longer than the model's context/);
    await assert.rejects(t.save({ adapter: path.join(dir, 'x.gguf') }), /'adapter' is for mode 'lora'/);
    const ok = await t.sft([good]);
    assert.equal(ok.updates, 1, 'no failed command made an update');
    await assert.rejects(t.init({ ...base(), lora: { rank: 4 } }), /init: lora.rank is a LoRA setting; mode 'full'/);
    await assert.rejects(t.init({ ...base(), grpo: { beta: 0.1 } }), /grpo.beta needs a frozen reference model/);
    await assert.rejects(t.init(base({ sft: { microBatch: 0 } })), /sft.microBatch must be in \[1, 65536\]/);
    await assert.rejects(t.init({ ...base(), mode: 'everything' as 'full' }), /init: mode must be 'lora' or 'full'/);
    await assert.rejects(
      t.init(base({ model: tinyModel({ arch: 'llama', nEmbd: 64, nLayer: 2, nVocab: VOCAB, weightType: 'q8_0', seed: 3 }) })),
      /tensor 'token_embd.weight' is q8_0; mode 'full' trains F32, F16 or BF16 weights only/,
    );
    await t.init({ model: model(), threads: 1, backend: testBackend() });
    await assert.rejects(t.saveModel(path.join(dir, 'y.gguf')), /'model' needs mode 'full'/);
    await assert.rejects(t.sft([[]]), /sft: sequence 0 is empty/);
  });
});

test('full mode widens F16 weights and starts from the same model', { skip }, async () => {
  const f16 = tinyModel({ arch: 'llama', nEmbd: 64, nLayer: 2, nHead: 4, nHeadKv: 2, nVocab: VOCAB, weightType: 'f16', seed: 3 });
  const probe = seqs(51, 2, 16);
  await withTrainer(async (t) => {
    const r = await t.init(base({ model: f16 }));
    assert.equal(r.nTrainable, r.nParams);
    const full = await t.logprobs(probe);
    await t.init({ model: f16, threads: 1, backend: testBackend() });
    // lora mode keeps F16 on the CPU (F16 matmul rounds activations), full mode computes in F32: close, not equal
    assert.ok(maxAbsDiff(full, await t.logprobs(probe, false)) < 5e-3);
  });
});

test('(e) finite-difference check of the sft loss gradient over all weight kinds', { skip }, async () => {
  await withTrainer(async (t) => {
    await t.init(base());
    const data = seqs(61, 2, 12);
    const r = await t.gradcheckSft(data, [answerMask(data[0] as number[], 6), answerMask(data[1] as number[], 11)], 12, 1e-2);
    assert.equal(r.checks.length, 12);
    let worst = 0;
    for (const c of r.checks) {
      const e = Math.abs(c.analytic - c.numeric) / Math.max(Math.abs(c.analytic), Math.abs(c.numeric), 1e-8);
      worst = Math.max(worst, e);
      assert.ok(e <= 1e-2, `${c.tensor}[${c.index}]: analytic ${c.analytic} vs numeric ${c.numeric}`);
    }
    const kinds = new Set(r.checks.map((c) => c.tensor.replace(/^blk\.\d+\./, '')));
    console.log(`# sft gradcheck: worst rel err ${worst.toExponential(2)} over ${[...kinds].join(', ')}`);
    assert.ok(kinds.size >= 6, `several kinds of weight checked: ${[...kinds].join(', ')}`);
  });
});

test('resume from a full checkpoint: the next updates equal the uninterrupted run', { skip }, async () => {
  const init = base({ seed: 5, optim: { lr: 3e-3, schedule: 'cosine', warmupSteps: 2, totalSteps: 6, weightDecay: 0.01 }, sft: { microBatch: 2 } });
  const batch = (s: number): number[][] => seqs(70 + s, 3, 10 + s);
  const ref = await withTrainer(async (t) => {
    await t.init(init);
    const out: TrainerSftMetrics[] = [];
    for (let s = 0; s < 5; s++) out.push(await t.sft(batch(s)));
    return out;
  });
  const ckpt = path.join(dir, 'full-ckpt.gguf');
  await withTrainer(async (t) => {
    await t.init(init);
    for (let s = 0; s < 3; s++) assert.equal((await t.sft(batch(s))).loss, (ref[s] as TrainerSftMetrics).loss, `step ${s} is deterministic`);
    await t.save({ checkpoint: ckpt });
  });
  await withTrainer(async (t) => {
    await assert.rejects(t.init({ model: model(), threads: 1, backend: testBackend(), resume: ckpt }), /checkpoint is from mode 'full' but init asks for mode 'lora'/);
    const bigger = tinyModel({ arch: 'llama', nEmbd: 64, nLayer: 3, nHead: 4, nHeadKv: 2, nVocab: VOCAB, seed: 3 });
    await assert.rejects(t.init({ ...init, model: bigger, resume: ckpt }), /holds \d+ weight tensors but the model has \d+/);
    const smaller = tinyModel({ arch: 'llama', nEmbd: 64, nLayer: 1, nHead: 4, nHeadKv: 2, nVocab: VOCAB, seed: 3 });
    await assert.rejects(t.init({ ...init, model: smaller, resume: ckpt }), /holds \d+ weight tensors but the model has \d+/);
    const ready = await t.init({ ...init, resume: ckpt });
    assert.equal(ready.updates, 3);
    for (let s = 3; s < 5; s++) {
      const m = await t.sft(batch(s));
      const r = ref[s] as TrainerSftMetrics;
      for (const k of ['loss', 'grad_norm', 'lr', 'updates'] as const) assert.equal(m[k], r[k], `resumed step ${s}: ${k} ${m[k]} vs ${r[k]}`);
    }
  });
});

test('GRPO step in full mode updates the weights themselves', { skip }, async () => {
  await withTrainer(async (t) => {
    await t.init(base({ optim: { lr: 1e-3 } }));
    const prompt = seqs(81, 1, 6)[0] as number[];
    const completions = randomSequences(82, 4, 8, VOCAB);
    const probe = completions.map((c) => [...prompt, ...c]);
    const before = await t.logprobs(probe);
    const m = await t.step([{ prompt, completions, rewards: [1, 0, 0, 0] }]);
    assert.equal(m.updates, 1);
    assert.ok(Number.isFinite(m.loss) && (m.grad_norm ?? 0) > 0);
    const after1 = await t.logprobs(probe);
    const gain = (i: number): number => (after1[i] as number[]).reduce((s, x) => s + x, 0) - (before[i] as number[]).reduce((s, x) => s + x, 0);
    assert.ok(gain(0) > 0 && gain(0) > gain(1), `the rewarded completion gains log-prob: ${gain(0)} vs ${gain(1)}`);
  });
});

// tied output (the embedding's gradient comes from both ends), attention biases, per-head q/k norms
for (const arch of ['qwen2', 'qwen3'] as const) {
  test(`tiny ${arch} in full mode: sft gradcheck and learning`, { skip }, async () => {
    await withTrainer(async (t) => {
      const ready = await t.init(base({ model: tinyModel({ arch, nVocab: 512, seed: 4 }) }));
      assert.equal(ready.nTrainable, ready.nParams);
      const data = randomSequences(91, 2, 12, 512);
      const r = await t.gradcheckSft(data, undefined, 12, 1e-2);
      for (const c of r.checks) {
        const e = Math.abs(c.analytic - c.numeric) / Math.max(Math.abs(c.analytic), Math.abs(c.numeric), 1e-8);
        assert.ok(e <= 1e-2, `${c.tensor}: analytic ${c.analytic} vs numeric ${c.numeric}`);
      }
      const names = r.checks.map((c) => c.tensor);
      if (arch === 'qwen2') assert.ok(names.some((n) => n.endsWith('.bias')), `a bias is among the checked: ${names.join(', ')}`);
      const before = await t.loss(data);
      for (let i = 0; i < 10; i++) await t.sft(data);
      const after1 = await t.loss(data);
      assert.ok(after1.loss < 0.5 * before.loss, `${before.loss} -> ${after1.loss}`);
    });
  });
}
