/**
 * Time and memory of a run before it starts, from the model's shape and this machine's measured speed: the
 * rollout and trainer token rates of earlier steps on the same model when there are any, else a short measurement
 * (a few sampled tokens and one trainer step), else stated assumptions. Memory counts both processes: the sampler's
 * model and KV cache, and the trainer's model, LoRA state (weights, gradients, two Adam moments) and activations.
 */
import { readGgufSummary } from '../llm/index.js';
import { resolveSettings, type TrainEstimate, type TrainInput } from '../../api/training.js';
import type { Db } from '../platform/db/open.js';
import { TrainingRepo } from './store.js';
import { stage1Candidates, stage2Candidates, type Candidate } from './data.js';
import { LlamaRolloutEngine } from './rollouts.js';
import { findTrainerBinary, TrainerProcess } from './trainerProcess.js';

interface Shape {
  layers: number;
  embd: number;
  ff: number;
  heads: number;
  kvHeads: number;
  vocab: number;
  sizeBytes: number;
  parameters: number;
}

async function modelShape(modelPath: string): Promise<Shape> {
  const { summary, info } = await readGgufSummary(modelPath);
  const a = (info.architectureMetadata ?? {}) as {
    block_count?: number;
    embedding_length?: number;
    feed_forward_length?: number;
    attention?: { head_count?: number; head_count_kv?: number };
    vocab_size?: number;
  };
  const tokens = (info.metadata as unknown as { tokenizer?: { ggml?: { tokens?: unknown[] } } }).tokenizer?.ggml?.tokens;
  const embd = a.embedding_length ?? 1024;
  return {
    layers: a.block_count ?? 24,
    embd,
    ff: a.feed_forward_length ?? embd * 4,
    heads: a.attention?.head_count ?? 16,
    kvHeads: a.attention?.head_count_kv ?? a.attention?.head_count ?? 16,
    vocab: a.vocab_size ?? tokens?.length ?? 32000,
    sizeBytes: summary.sizeBytes,
    parameters: summary.parameters ?? summary.sizeBytes / 2,
  };
}

const measured = new Map<string, { rollout: number; trainer: number }>();

/** Samples a few tokens and runs one trainer step on random tokens; cached per model for this process. */
async function measureSpeeds(modelPath: string, threads: number, question: string): Promise<{ rollout: number; trainer: number } | null> {
  const hit = measured.get(modelPath);
  if (hit) return hit;
  const engine = await LlamaRolloutEngine.create(modelPath, { threads, parallel: 4, contextSize: 1024 + 64 });
  let rollout = 0;
  try {
    await engine.setAdapter(null);
    // A real question of the run, so the rate includes evaluating prompts as long as the run's.
    const prompt = engine.promptTokens(question);
    const t = performance.now();
    const out = await engine.sample([prompt], 4, { temperature: 1, topP: 1, topK: 0, maxTokens: 32, seed: 1 });
    const toks = out.flat().reduce((s, r) => s + r.tokens.length, 0);
    rollout = toks / ((performance.now() - t) / 1000);
  } finally {
    await engine.dispose();
  }
  let trainer = 0;
  if (findTrainerBinary()) {
    const proc = TrainerProcess.start();
    try {
      await proc.init({ model: modelPath, threads: threads || undefined, lora: { rank: 8, alpha: 16 } });
      const seq = (n: number) => Array.from({ length: n }, (_, i) => 3 + ((i * 7) % 200));
      const m = await proc.step([{ prompt: seq(64), completions: [seq(64), seq(64).reverse()], rewards: [1, 0] }]);
      trainer = (m.tokens ?? 256) / Math.max(m.step_time_s, 1e-6);
    } catch {
      trainer = 0;
    } finally {
      await proc.shutdown(2000).catch(() => proc.kill());
    }
  }
  const result = { rollout, trainer };
  measured.set(modelPath, result);
  return result;
}

export function loraParameters(shape: Shape, rank: number, targets: readonly string[]): number {
  const headDim = shape.embd / shape.heads;
  const kv = shape.kvHeads * headDim;
  const perTarget: Record<string, number> = {
    attn_q: 2 * shape.embd,
    attn_k: shape.embd + kv,
    attn_v: shape.embd + kv,
    attn_output: 2 * shape.embd,
    ffn_gate: shape.embd + shape.ff,
    ffn_up: shape.embd + shape.ff,
    ffn_down: shape.ff + shape.embd,
  };
  return shape.layers * rank * targets.reduce((s, t) => s + (perTarget[t] ?? 0), 0);
}

function meanPromptTokens(items: Candidate[]): number {
  if (!items.length) return 300;
  // About 3.5 characters per token for English clinical text, plus the COT template around the question.
  return Math.round(items.reduce((s, i) => s + i.question.length, 0) / items.length / 3.5 + 80);
}

export async function estimateRun(db: Db, input: TrainInput, opts: { measure?: boolean } = {}): Promise<TrainEstimate> {
  const s = resolveSettings(input);
  const c1 = input.stage1 ? stage1Candidates(db, input.stage1).items : [];
  const c2 = input.stage2 ? stage2Candidates(db, input.stage2).items : [];
  const steps = (input.stage1 ? s.stage1Steps : 0) + (input.stage2 ? s.stage2Steps : 0);
  const shape = await modelShape(input.modelPath);
  const basis: string[] = [];
  const completions = s.promptsPerStep * s.groupSize;
  const rolloutTokens = steps * completions * s.maxCompletionTokens;
  const promptLen = meanPromptTokens([...c1, ...c2]);
  const trainTokensPerStep = completions * (promptLen + s.maxCompletionTokens);

  let rate: { rollout: number; trainer: number } | null = null;
  const past = new TrainingRepo(db).measuredSpeeds(input.modelPath);
  if (past) {
    rate = { rollout: past.rolloutTokensPerS, trainer: past.trainerTokensPerS };
    basis.push(`speeds measured over ${past.steps} earlier steps on this model: ${past.rolloutTokensPerS.toFixed(0)} sampled tokens/s, ${past.trainerTokensPerS.toFixed(0)} trained tokens/s`);
  } else if (opts.measure) {
    const question = [...c1, ...c2][0]?.question ?? 'Which option is correct?\nA. one\nB. two\nC. three\nD. four';
    rate = await measureSpeeds(input.modelPath, s.threads, question).catch(() => null);
    if (rate) basis.push(`speeds measured now on this machine: ${rate.rollout.toFixed(0)} sampled tokens/s, ${rate.trainer ? `${rate.trainer.toFixed(0)} trained tokens/s` : 'trainer not measured'}`);
  }
  if (!rate || rate.rollout <= 0) {
    // Decoding reads every weight once per token (memory-bandwidth bound, ~10 GB/s assumed for a laptop CPU), and
    // every sequence evaluates its prompt first; tiny models are bound by per-token overhead instead (~1,000/s here).
    // 'auto' is decided by the trainer at start: the estimate assumes the CPU then, and says so.
    const cuda = s.backend === 'cuda' || s.backend === 'vulkan';
    if (s.backend === 'auto') basis.push('backend auto: CPU speeds assumed (the trainer picks CUDA, Vulkan or the CPU when it starts)');
    const perToken = Math.min(cuda ? 20_000 : 1000, ((cuda ? 500e9 : 10e9) / shape.sizeBytes) * Math.min(completions, 8));
    rate = { rollout: (perToken * s.maxCompletionTokens) / (promptLen + s.maxCompletionTokens), trainer: 0 };
    basis.push(`no measurement: sampling assumed at ${perToken.toFixed(0)} tokens/s, prompts included (${cuda ? '500' : '10'} GB/s memory bandwidth)`);
  }
  if (rate.trainer <= 0) {
    // Forward + backward ≈ 6 FLOPs per parameter per token; ~50 GFLOP/s assumed on CPU, 20 TFLOP/s on a GPU.
    const gpu = s.backend === 'cuda' || s.backend === 'vulkan';
    rate.trainer = Math.min(gpu ? 100_000 : 5000, (gpu ? 20e12 : 50e9) / (6 * shape.parameters));
    basis.push(`trainer speed assumed from 6 FLOPs per parameter per token at ${gpu ? '20 TFLOP/s' : '50 GFLOP/s'}`);
  }
  // Rollout rates are sampled completion tokens per second of rollout time, prompt evaluation included.
  const perStep = (completions * s.maxCompletionTokens) / rate.rollout + trainTokensPerStep / rate.trainer;
  const evals = (s.evalEvery > 0 ? Math.floor(steps / s.evalEvery) : 0) + 3;
  const evalSeconds = (evals * Math.min(s.heldOut, 64) * s.maxCompletionTokens) / rate.rollout;
  basis.push(`upper bound: every completion runs to ${s.maxCompletionTokens} tokens; prompts ≈ ${promptLen} tokens`);

  const parallel = Math.min(completions, 16);
  const kvDim = (shape.embd / shape.heads) * shape.kvHeads;
  const kvBytes = parallel * (1024 + s.maxCompletionTokens) * shape.layers * 2 * kvDim * 2;
  const lora = loraParameters(shape, s.loraRank, s.loraTargets);
  const seqLen = promptLen + s.maxCompletionTokens;
  // Per token and layer the backward pass keeps ~ (10·embd + 3·ff) floats; logits need vocab floats twice.
  const activations = seqLen * s.groupSize * (shape.layers * (10 * shape.embd + 3 * shape.ff) + 2 * shape.vocab) * 4;
  // Runtime, graph and scratch buffers of each process: the trainer peaks at ~155 MB on a 1.2 MB model here.
  const baseline = 2 * 150 * 2 ** 20;
  const memoryBytes = Math.round(2 * shape.sizeBytes + kvBytes + lora * 16 + activations + baseline);
  basis.push(
    `memory: model twice (sampler and trainer), KV cache for ${parallel} sequences, ${lora.toLocaleString('en-US')} LoRA parameters with Adam state, activations of one group, ~150 MB runtime per process`,
  );
  return {
    stage1Items: c1.length,
    stage2Items: c2.length,
    totalSteps: steps,
    rolloutTokens,
    seconds: Math.round(steps * perStep + evalSeconds),
    memoryBytes,
    basis,
  };
}
