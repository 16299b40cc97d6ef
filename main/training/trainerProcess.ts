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

export type TrainerTarget = 'attn_q' | 'attn_k' | 'attn_v' | 'attn_output' | 'ffn_gate' | 'ffn_up' | 'ffn_down';

export interface TrainerInit {
  model: string;
  backend?: 'cpu' | 'cuda';
  threads?: number;
  seed?: number;
  /** CUDA device index. */
  device?: number;
  /** initFrom: start from this adapter GGUF's weights with a fresh optimizer (update 0), e.g. a new stage. */
  lora?: { rank?: number; alpha?: number; targets?: TrainerTarget[]; initBStd?: number; initFrom?: string };
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
  /** Checkpoint to resume from (adapter, optimizer state, update count, RNG). */
  resume?: string;
}

export interface TrainerReady {
  arch: string;
  backend: string;
  nParams: number;
  nTrainable: number;
  nVocab: number;
  nLayer: number;
  nEmbd: number;
  updates: number;
  lora: { rank: number; alpha: number; targets: TrainerTarget[] };
}

export interface TrainerGroup {
  prompt: number[];
  completions: number[][];
  rewards: number[];
  /** Log-probs of each completion token under the policy that sampled it (turns on the PPO ratio). */
  oldLogprobs?: number[][];
}

export interface TrainerStepMetrics {
  reward_mean: number;
  reward_std: number;
  frac_reward_zero_std: number;
  completion_length_mean: number;
  completion_length_max: number;
  groups: number;
  groups_used: number;
  completion_tokens: number;
  skipped: boolean;
  updates: number;
  step_time_s: number;
  pg_loss?: number;
  loss?: number;
  kl?: number;
  entropy?: number;
  clip_ratio_low?: number;
  clip_ratio_high?: number;
  clip_ratio?: number;
  grad_norm?: number;
  lr?: number;
  tokens?: number;
  tokens_per_s?: number;
  peak_memory_bytes?: number;
  compute_buffer_bytes?: number;
}

export interface GradCheck {
  loss: number;
  checks: { tensor: string; index: number; analytic: number; numeric: number }[];
}

export interface TrainerSaved {
  adapter?: string;
  checkpoint?: string;
  updates: number;
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
  /** stderr lines (ggml and trainer logs). Default: dropped. */
  onLog?: (line: string) => void;
  /** Error events that carry no id (e.g. a line the trainer could not parse). */
  onUnmatched?: (event: Record<string, unknown>) => void;
}

const here = path.dirname(fileURLToPath(import.meta.url));

/** The trainer binary: $MEDSSR_TRAINER_BIN, else native/build/medssr-trainer in the checkout (source or dist layout). */
export function findTrainerBinary(): string | undefined {
  const env = process.env.MEDSSR_TRAINER_BIN;
  if (env) return existsSync(env) ? env : undefined;
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

  private constructor(binary: string, opts: TrainerProcessOptions) {
    this.child = spawn(binary, [], { stdio: ['pipe', 'pipe', 'pipe'] });
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
    return (await this.request({ cmd: 'init', ...opts }, 'ready')) as unknown as TrainerReady;
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

  async save(paths: { adapter?: string; checkpoint?: string }): Promise<TrainerSaved> {
    return (await this.request({ cmd: 'save', ...paths }, 'saved')) as unknown as TrainerSaved;
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
