/**
 * Native trainer benchmark: tokens per second of one GRPO training step (forward + backward + AdamW update) for
 * stories260K and for a Qwen2.5-0.5B-shaped model with a tiny vocabulary, the FLOPs that step does, and the
 * fraction of this machine's matrix-multiply peak (measured with ggml in the same run) it reaches.
 *
 *   npx tsx bench/trainer.ts [--layers N] [--steps N] [--static-bin PATH] [--vulkan] [--cuda] [--out NAME]
 *
 * Each case runs on every backend variant side by side (interleaved, best of N steps): the CPU through
 * node-llama-cpp's prebuilt CPU module, the CPU module built for this machine (MEDSSR_NATIVE_CPU=1 npm run
 * build:native) when present, an older statically linked trainer given with --static-bin (the comparison the
 * dynamic build must hold: >= 0.95x), Vulkan (--vulkan; on Mesa's lavapipe this is a correctness run, not a speed
 * figure) and CUDA (--cuda). Writes bench/results/<NAME>.json (default trainer).
 *
 * FLOPs per token (frozen base, LoRA trainable): forward = 2·P + attn + lora, backward = 2·P + 2·attn + 2·lora,
 * where P counts the weights in the matmuls (incl. the output head), attn = 4·T·head_dim·n_head per layer (ggml
 * computes the full T×T score matrix) and lora = 2·r·(n_in + n_out) per adapted matrix. The backward pass needs only
 * input gradients for the frozen weights, so a step is ~4·P FLOPs per token, not the 6·P of full fine-tuning.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findBackendDirs } from '../main/training/trainerBackends.js';
import { TrainerProcess, findTrainerBinary, type TrainerGroup, type TrainerStepMetrics } from '../main/training/trainerProcess.js';
import { sharedPath } from '../tests/helpers/shared.js';
import { tinyModel } from '../tests/helpers/tinyModels.js';
import { writeBenchResult } from './results.js';

interface Shape {
  nVocab: number;
  nEmbd: number;
  nLayer: number;
  nHead: number;
  nHeadKv: number;
  headDim: number;
  nFf: number;
}

export interface TrainerBenchCase {
  name: string;
  shape: Shape;
  sequences: number;
  seqLen: number;
  tokensPerStep: number;
  stepSeconds: number;
  tokensPerSecond: number;
  flopsPerStep: number;
  achievedGflops: number;
  fractionOfPeak: number;
  peakRssBytes: number;
  computeBufferBytes: number;
}

export interface TrainerBenchVariant {
  name: string;
  backend: 'cpu' | 'cuda' | 'vulkan';
  /** The device the trainer reported (and the CPU module it loaded). */
  device: string;
  matmulPeakGflops: number;
  cases: TrainerBenchCase[];
  error?: string;
}

export interface TrainerBenchResult {
  threads: number;
  matmulPeakShape: { m: number; n: number; k: number };
  variants: TrainerBenchVariant[];
  /** tokens/s of each variant over the first (prebuilt CPU module), per case. */
  relative: Record<string, Record<string, number>>;
  skipped?: string;
}

interface VariantSpec {
  name: string;
  backend: 'cpu' | 'cuda' | 'vulkan';
  binary?: string;
  backendDirs?: { cpu?: string[] };
  env?: Record<string, string>;
}

const rank = 8;

function stepFlops(s: Shape, tokens: number, T: number): number {
  const q = s.nHead * s.headDim;
  const kv = s.nHeadKv * s.headDim;
  const mats: [number, number][] = [
    [s.nEmbd, q],
    [s.nEmbd, kv],
    [s.nEmbd, kv],
    [q, s.nEmbd],
    [s.nEmbd, s.nFf],
    [s.nEmbd, s.nFf],
    [s.nFf, s.nEmbd],
  ];
  let P = 0;
  let lora = 0;
  for (const [i, o] of mats) {
    P += i * o;
    lora += 2 * rank * (i + o);
  }
  P = P * s.nLayer + s.nEmbd * s.nVocab;
  lora *= s.nLayer;
  const attn = 4 * T * s.headDim * s.nHead * s.nLayer;
  return tokens * (2 * P + attn + lora + (2 * P + 2 * attn + 2 * lora));
}

function groupsFor(nVocab: number, sequences: number, seqLen: number, promptLen: number): TrainerGroup[] {
  let seed = 12345;
  const rnd = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const tok = (): number => 1 + Math.floor(rnd() * (nVocab - 1));
  const groups: TrainerGroup[] = [];
  const perGroup = 4;
  for (let g = 0; g < Math.max(1, sequences / perGroup); g++) {
    const prompt = Array.from({ length: promptLen }, tok);
    const completions = Array.from({ length: perGroup }, () => Array.from({ length: seqLen - promptLen }, tok));
    groups.push({ prompt, completions, rewards: [1, 0, 0, 1] });
  }
  return groups;
}

function startVariant(v: VariantSpec): TrainerProcess {
  for (const [k, val] of Object.entries(v.env ?? {})) process.env[k] = val;
  return TrainerProcess.start(v.binary ? { binary: v.binary } : {});
}

async function runCase(
  v: VariantSpec,
  name: string,
  modelPath: string,
  shape: Shape,
  sequences: number,
  seqLen: number,
  steps: number,
  threads: number,
  peak: number,
): Promise<TrainerBenchCase> {
  const t = startVariant(v);
  try {
    await t.init({
      model: modelPath,
      threads,
      backend: v.backend,
      ...(v.backendDirs ? { backendDirs: v.backendDirs } : {}),
      lora: { rank, alpha: 16 },
      grpo: { microBatch: sequences },
    });
    const groups = groupsFor(shape.nVocab, sequences, seqLen, Math.min(32, seqLen / 4));
    await t.step(groups); // warm-up: graph allocation
    const ms: TrainerStepMetrics[] = [];
    for (let i = 0; i < steps; i++) ms.push(await t.step(groups));
    const secs = Math.min(...ms.map((m) => m.step_time_s));
    const tokens = sequences * seqLen;
    const flops = stepFlops(shape, tokens, seqLen);
    const last = ms[ms.length - 1] as TrainerStepMetrics;
    return {
      name,
      shape,
      sequences,
      seqLen,
      tokensPerStep: tokens,
      stepSeconds: secs,
      tokensPerSecond: tokens / secs,
      flopsPerStep: flops,
      achievedGflops: flops / secs / 1e9,
      fractionOfPeak: flops / secs / 1e9 / peak,
      peakRssBytes: last.peak_memory_bytes ?? 0,
      computeBufferBytes: last.compute_buffer_bytes ?? 0,
    };
  } finally {
    await t.shutdown();
  }
}

export async function runTrainerBench(
  opts: { layers?: number; steps?: number; sequences?: number; write?: boolean; staticBin?: string; vulkan?: boolean; cuda?: boolean; out?: string } = {},
): Promise<TrainerBenchResult> {
  const threads = Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  const qwenShape: Shape = { nVocab: 1024, nEmbd: 896, nLayer: opts.layers ?? 24, nHead: 14, nHeadKv: 2, headDim: 64, nFf: 4864 };
  const peakShape = { m: qwenShape.nFf, n: 512, k: qwenShape.nEmbd };
  const empty: TrainerBenchResult = { threads, matmulPeakShape: peakShape, variants: [], relative: {} };
  if (!findTrainerBinary()) return { ...empty, skipped: 'trainer binary not built (npm run build:native)' };

  const dirs = findBackendDirs();
  const prebuiltCpu = dirs.cpu.filter((d) => !d.endsWith(`${path.sep}backends`));
  const specs: VariantSpec[] = [{ name: 'cpu: prebuilt module', backend: 'cpu', backendDirs: { cpu: prebuiltCpu } }];
  if (dirs.cpu.length > prebuiltCpu.length) specs.push({ name: 'cpu: module built for this CPU', backend: 'cpu', backendDirs: { cpu: dirs.cpu } });
  if (opts.staticBin) specs.push({ name: 'cpu: static build (--static-bin)', backend: 'cpu', binary: opts.staticBin });
  if (opts.vulkan) specs.push({ name: 'vulkan', backend: 'vulkan', env: { GGML_VK_VISIBLE_DEVICES: process.env.GGML_VK_VISIBLE_DEVICES ?? '0' } });
  if (opts.cuda) specs.push({ name: 'cuda', backend: 'cuda' });

  const variants: TrainerBenchVariant[] = [];
  for (const v of specs) {
    const probe = startVariant(v);
    try {
      const ready = await probe.init({
        model: sharedPath('models', 'stories260K.gguf'),
        threads,
        backend: v.backend,
        ...(v.backendDirs ? { backendDirs: v.backendDirs } : {}),
      });
      const r = await probe.request({ cmd: 'matmulPeak', ...peakShape, repeats: 5 }, 'matmulPeak');
      const dev = ready.device ? `${ready.device.description}${ready.device.cpuLibrary ? ` (${path.basename(ready.device.cpuLibrary)})` : ''}` : 'static CPU build';
      variants.push({ name: v.name, backend: v.backend, device: dev, matmulPeakGflops: Number(r.gflops), cases: [] });
    } catch (e) {
      variants.push({ name: v.name, backend: v.backend, device: '', matmulPeakGflops: 0, cases: [], error: e instanceof Error ? e.message : String(e) });
    } finally {
      await probe.shutdown();
    }
  }
  const steps = opts.steps ?? 2;
  const qwen = tinyModel({ arch: 'qwen2', ...qwenShape, tiedOutput: true, weightType: 'f32' });
  const cases: [string, string, Shape, number, number][] = [
    ['stories260K', sharedPath('models', 'stories260K.gguf'), { nVocab: 512, nEmbd: 64, nLayer: 5, nHead: 8, nHeadKv: 4, headDim: 8, nFf: 172 }, 32, 128],
    [`qwen2.5-0.5B shape (${qwenShape.nLayer} layers, vocab ${qwenShape.nVocab})`, qwen, qwenShape, opts.sequences ?? 4, 128],
  ];
  // case by case, every variant in turn, so a change in the machine's load hits them alike
  for (const [name, model, shape, seqs, len] of cases) {
    for (let i = 0; i < specs.length; i++) {
      const out = variants[i] as TrainerBenchVariant;
      if (out.error) continue;
      try {
        out.cases.push(await runCase(specs[i] as VariantSpec, name, model, shape, seqs, len, steps, threads, out.matmulPeakGflops));
      } catch (e) {
        out.error = `${name}: ${e instanceof Error ? e.message : String(e)}`;
      }
    }
  }
  const relative: Record<string, Record<string, number>> = {};
  const first = variants[0];
  for (const v of variants.slice(1)) {
    relative[v.name] = {};
    for (const c of v.cases) {
      const ref = first?.cases.find((x) => x.name === c.name);
      if (ref) (relative[v.name] as Record<string, number>)[c.name] = c.tokensPerSecond / ref.tokensPerSecond;
    }
  }
  const result: TrainerBenchResult = { threads, matmulPeakShape: peakShape, variants, relative };
  if (opts.write !== false) {
    writeBenchResult(opts.out ?? 'trainer', { measuredAt: new Date().toISOString(), ...result });
  }
  return result;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name: string): number | undefined => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? Number(process.argv[i + 1]) : undefined;
  };
  const str = (name: string): string | undefined => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const r = await runTrainerBench({
    layers: arg('--layers'),
    steps: arg('--steps'),
    sequences: arg('--seqs'),
    staticBin: str('--static-bin'),
    vulkan: process.argv.includes('--vulkan'),
    cuda: process.argv.includes('--cuda'),
    out: str('--out'),
  });
  console.log(JSON.stringify(r, null, 2));
}
