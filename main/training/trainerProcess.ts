/**
 * Client for the native trainer (native/trainer, binary medssr-trainer): spawns it and speaks its line-delimited
 * JSON protocol. Every request gets a fresh id; the answer with that id resolves the request, an `error` event with
 * that id rejects it, and the process exiting rejects everything still pending, so a caller never hangs.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { SftMetricName, StepAnswerMetrics, TrainerMetricExtra } from '../../api/trainingMetrics.js';
import { findBackendDirs, trainerEnv, type BackendDirs } from './trainerBackends.js';

export type TrainerTarget = 'attn_q' | 'attn_k' | 'attn_v' | 'attn_output' | 'ffn_gate' | 'ffn_up' | 'ffn_down';

export type TrainerMode = 'lora' | 'full';

export interface TrainerInit {
  model: string;
  /**
   * "lora" (default): adapters on a frozen base. "full": every weight of the GGUF trains in F32 (F16/BF16 widened,
   * quantized refused); `lora` settings and `grpo.beta` > 0 are errors there.
   */
  mode?: TrainerMode;
  /** Default "auto": CUDA, then Vulkan (GPU-type devices only), then the CPU, as node-llama-cpp chooses. */
  backend?: TrainerBackendName;
  threads?: number;
  seed?: number;
  /** Device index within the backend. */
  device?: number;
  /** Where the backend modules are; TrainerProcess fills this in from the installed node-llama-cpp packages. */
  backendDirs?: Partial<Pick<BackendDirs, 'cpu' | 'cuda' | 'vulkan'>>;
  lora?: {
    rank?: number;
    alpha?: number;
    targets?: TrainerTarget[];
    initBStd?: number;
    /** Start from this adapter's A/B (same rank, alpha and targets) with a fresh optimizer and update count 0. */
    initFrom?: string;
  };
  optim?: {
    lr?: number;
    betas?: [number, number];
    eps?: number;
    weightDecay?: number;
    maxGradNorm?: number;
    schedule?: 'constant' | 'cosine';
    warmupSteps?: number;
    totalSteps?: number;
    minLrRatio?: number;
  };
  grpo?: {
    epsilonLow?: number;
    epsilonHigh?: number;
    beta?: number;
    scaleRewards?: boolean;
    lossAggregation?: 'token-mean' | 'seq-mean-token-mean' | 'dr-grpo';
    maxCompletionLength?: number;
    skipZeroStdGroups?: boolean;
    ppoEpochs?: number;
    microBatch?: number;
    maxLogitsBytes?: number;
  };
  /** sft / loss: sequences per forward/backward pass (gradients accumulate across passes); default 16. */
  sft?: { microBatch?: number };
  /** Checkpoint to resume from (adapter or full weights, optimizer state, update count, RNG); its mode must match. */
  resume?: string;
}

export type TrainerBackendName = 'auto' | 'cpu' | 'cuda' | 'vulkan';

export interface TrainerDevice {
  /** cpu | cuda | vulkan: the backend that trains. */
  name: string;
  /** ggml's device name (CPU, CUDA0, Vulkan0) and description (the GPU's or CPU's name). */
  device: string;
  description: string;
  memoryTotal?: number;
  memoryFree?: number;
  /** The CPU module that was loaded (fallback for nodes the GPU lacks). */
  cpuLibrary?: string;
  /** Why each requested or considered backend was not used, e.g. "cuda: libcuda.so.1: cannot open shared object file". */
  notUsed: string[];
}

export interface TrainerReady {
  arch: string;
  backend: 'cpu' | 'cuda' | 'vulkan';
  device: TrainerDevice;
  threads: number;
  weightBytes: number;
  warnings: string[];
  initFrom?: string;
  nParams: number;
  nTrainable: number;
  nVocab: number;
  nLayer: number;
  nEmbd: number;
  updates: number;
  mode: TrainerMode;
  /** Absent in full mode. */
  lora?: { rank: number; alpha: number; targets: TrainerTarget[] };
  /** Full mode only. */
  sft?: { microBatch: number };
}

export interface TrainerGroup {
  prompt: number[];
  completions: number[][];
  rewards: number[];
  /** Log-probs of each completion token under the policy that sampled it (turns on the PPO ratio). */
  oldLogprobs?: number[][];
}

/** Where the last training pass ran: graph splits, tensor copies between backends, nodes per backend. */
export interface TrainerPlacement {
  splits: number;
  copies: number;
  nodes: Record<string, number>;
}

/** The 'step' answer: its names and which are always present come from api/trainingMetrics.ts. */
export type TrainerStepMetrics = StepAnswerMetrics & { placement?: TrainerPlacement };

export interface GradCheck {
  loss: number;
  checks: { tensor: string; index: number; analytic: number; numeric: number }[];
}

export interface TrainerSaved {
  adapter?: string;
  checkpoint?: string;
  /** Full mode: the GGUF model written. */
  model?: string;
  updates: number;
}

const placementSchema = z.object({ splits: z.number(), copies: z.number(), nodes: z.record(z.string(), z.number()) });

/** Metrics of one `sft` update: mean next-token cross-entropy over the target tokens, before the update. */
// The shape names only catalogued sft metrics (api/trainingMetrics.ts): a misspelt or new name fails to compile.
export const trainerSftMetricsSchema = z.object({
  loss: z.number(),
  /** Target tokens counted (mask 1, positions 1..n-1). */
  tokens: z.number().int(),
  /** All tokens through the model. */
  sequence_tokens: z.number().int(),
  grad_norm: z.number(),
  lr: z.number(),
  updates: z.number().int(),
  step_time_s: z.number(),
  /** Target tokens per second of wall time. */
  tokens_per_s: z.number(),
  peak_memory_bytes: z.number().optional(),
  compute_buffer_bytes: z.number().optional(),
  placement: placementSchema.optional(),
} satisfies Record<SftMetricName, z.ZodType> & Partial<Record<TrainerMetricExtra, z.ZodType>>);
export type TrainerSftMetrics = z.infer<typeof trainerSftMetricsSchema>;

export const trainerLossSchema = z.object({ loss: z.number(), tokens: z.number().int() });
export type TrainerLoss = z.infer<typeof trainerLossSchema>;

const savedSchema = z.object({
  adapter: z.string().optional(),
  checkpoint: z.string().optional(),
  model: z.string().optional(),
  updates: z.number().int(),
});

/** A mask holds one 0 or 1 per token; entry 0 is ignored (nothing predicts the first token). */
export type TrainerMask = (0 | 1)[];

function parseAnswer<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new TrainerError(`the trainer's '${what}' answer is malformed: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}

export class TrainerError extends Error {
  constructor(
    message: string,
    readonly fatal = false,
  ) {
    super(message);
    this.name = 'TrainerError';
  }
}

interface Pending {
  resolve: (v: Record<string, unknown>) => void;
  reject: (e: Error) => void;
  expect: string;
}

export interface TrainerProcessOptions {
  binary?: string;
  /** Backend module folders; default: found from the installed node-llama-cpp packages. */
  backendDirs?: BackendDirs;
  /** Extra environment (e.g. GGML_VK_VISIBLE_DEVICES, GGML_VK_DISABLE_F16). */
  env?: Record<string, string>;
  /** stderr lines (ggml and trainer logs). Default: dropped. */
  onLog?: (line: string) => void;
  /** Error events that carry no id (e.g. a line the trainer could not parse). */
  onUnmatched?: (event: Record<string, unknown>) => void;
}

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * The trainer binary: $MEDSSR_TRAINER_BIN, else resources/trainer/ of an installed app (electron-builder's
 * extraResources), else native/build/medssr-trainer in the checkout (source or dist layout).
 */
export function findTrainerBinary(resourcesPath = (process as { resourcesPath?: string }).resourcesPath): string | undefined {
  const env = process.env.MEDSSR_TRAINER_BIN;
  if (env) return existsSync(env) ? env : undefined;
  if (resourcesPath) {
    const p = path.join(resourcesPath, 'trainer', process.platform === 'win32' ? 'medssr-trainer.exe' : 'medssr-trainer');
    if (existsSync(p)) return p;
  }
  for (const up of [['..', '..'], ['..', '..', '..']]) {
    const p = path.resolve(here, ...up, 'native', 'build', 'medssr-trainer');
    if (existsSync(p)) return p;
  }
  return undefined;
}

export class TrainerProcess {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private lastFatal: string | undefined;
  readonly backendDirs: BackendDirs;

  private constructor(binary: string, opts: TrainerProcessOptions) {
    this.backendDirs = opts.backendDirs ?? findBackendDirs({ trainerBinary: binary });
    this.child = spawn(binary, [], { stdio: ['pipe', 'pipe', 'pipe'], env: trainerEnv(this.backendDirs, { ...process.env, ...opts.env }) });
    createInterface({ input: this.child.stdout }).on('line', (line) => this.onLine(line, opts));
    createInterface({ input: this.child.stderr }).on('line', (line) => opts.onLog?.(line));
    // Writes after the process died fail with EPIPE; the exit handler reports that to the callers instead.
    this.child.stdin.on('error', () => undefined);
    this.exited = new Promise((resolve) => {
      const done = (code: number | null, signal: NodeJS.Signals | null): void => {
        if (this.exitInfo) return;
        this.exitInfo = { code, signal };
        const why = `trainer exited (code ${code ?? 'none'}, signal ${signal ?? 'none'})${this.lastFatal ? `: ${this.lastFatal}` : ''}`;
        for (const p of this.pending.values()) p.reject(new TrainerError(why, true));
        this.pending.clear();
        resolve({ code, signal });
      };
      this.child.on('exit', done);
      this.child.on('error', (e) => {
        this.lastFatal = e.message;
        done(null, null);
      });
    });
  }

  static start(opts: TrainerProcessOptions = {}): TrainerProcess {
    const binary = opts.binary ?? findTrainerBinary();
    if (!binary) throw new TrainerError('trainer binary not found (run `npm run build:native` or set MEDSSR_TRAINER_BIN)');
    return new TrainerProcess(binary, opts);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  private onLine(line: string, opts: TrainerProcessOptions): void {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(line) as Record<string, unknown>;
    } catch {
      opts.onLog?.(`[stdout] ${line}`);
      return;
    }
    const id = typeof msg.id === 'number' ? msg.id : undefined;
    if (msg.event === 'error' && msg.fatal === true) this.lastFatal = String(msg.message);
    const p = id === undefined ? undefined : this.pending.get(id);
    if (!p) {
      opts.onUnmatched?.(msg);
      return;
    }
    this.pending.delete(id as number);
    if (msg.event === 'error') p.reject(new TrainerError(String(msg.message ?? 'unknown trainer error'), msg.fatal === true));
    else if (msg.event !== p.expect) p.reject(new TrainerError(`expected '${p.expect}' but the trainer answered '${String(msg.event)}'`));
    else p.resolve(msg);
  }

  /** Sends one command and resolves with the answer carrying its id. */
  request(cmd: Record<string, unknown>, expect: string): Promise<Record<string, unknown>> {
    if (this.exitInfo) return Promise.reject(new TrainerError('trainer is not running', true));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, expect });
      this.child.stdin.write(`${JSON.stringify({ ...cmd, id })}\n`);
    });
  }

  /** Writes a raw line (tests use it to send malformed input). */
  writeRaw(line: string): void {
    this.child.stdin.write(line.endsWith('\n') ? line : `${line}\n`);
  }

  async init(opts: TrainerInit): Promise<TrainerReady> {
    const { cpu, cuda, vulkan } = this.backendDirs;
    const backendDirs = { cpu, cuda, vulkan, ...opts.backendDirs };
    return (await this.request({ cmd: 'init', ...opts, backendDirs }, 'ready')) as unknown as TrainerReady;
  }

  async logprobs(sequences: number[][], adapter = true): Promise<number[][]> {
    const r = await this.request({ cmd: 'logprobs', sequences, adapter }, 'logprobs');
    return r.logprobs as number[][];
  }

  async step(groups: TrainerGroup[]): Promise<TrainerStepMetrics> {
    const r = await this.request({ cmd: 'step', groups }, 'step');
    return r.metrics as TrainerStepMetrics;
  }

  async gradcheck(groups: TrainerGroup[], samples = 8, eps = 1e-2): Promise<GradCheck> {
    return (await this.request({ cmd: 'gradcheck', groups, samples, eps }, 'gradcheck')) as unknown as GradCheck;
  }

  /**
   * One optimizer update on the mean next-token cross-entropy over the target tokens (masks[s][i] = 1, i >= 1; all
   * when no masks). Full mode trains every weight, lora mode the adapter.
   */
  async sft(sequences: number[][], masks?: TrainerMask[]): Promise<TrainerSftMetrics> {
    const r = await this.request({ cmd: 'sft', sequences, ...(masks ? { masks } : {}) }, 'sft');
    return parseAnswer(trainerSftMetricsSchema, r.metrics, 'sft');
  }

  /** The same loss as `sft` on the current weights, without an update. */
  async loss(sequences: number[][], masks?: TrainerMask[]): Promise<TrainerLoss> {
    const r = await this.request({ cmd: 'loss', sequences, ...(masks ? { masks } : {}) }, 'loss');
    return parseAnswer(trainerLossSchema, r, 'loss');
  }

  /** Analytic vs central-difference gradients of the sft loss (no update). */
  async gradcheckSft(sequences: number[][], masks?: TrainerMask[], samples = 8, eps = 1e-2): Promise<GradCheck> {
    return (await this.request({ cmd: 'gradcheck', sequences, ...(masks ? { masks } : {}), samples, eps }, 'gradcheck')) as unknown as GradCheck;
  }

  async save(paths: { adapter?: string; checkpoint?: string; model?: string }): Promise<TrainerSaved> {
    return parseAnswer(savedSchema, await this.request({ cmd: 'save', ...paths }, 'saved'), 'saved');
  }

  /** Full mode: writes the current weights as a GGUF model node-llama-cpp loads (the input's metadata and tokenizer). */
  async saveModel(file: string): Promise<TrainerSaved> {
    return this.save({ model: file });
  }

  /** Asks the trainer to exit and waits for it; kills it if it does not go within the grace period. */
  async shutdown(graceMs = 5000): Promise<void> {
    if (this.exitInfo) return;
    const timer = setTimeout(() => this.kill(), graceMs);
    try {
      await this.request({ cmd: 'shutdown' }, 'shutdown');
    } catch {
      // already gone: the exit is what we wanted
    }
    await this.exited;
    clearTimeout(timer);
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (!this.exitInfo) this.child.kill(signal);
  }
}
