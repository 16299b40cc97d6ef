/**
 * Jobs sample through a model host: a child process per job that loads the model and runs the scheduler, so a
 * native abort inside llama.cpp (GGML_ASSERT on absurd hyperparameters, a crash on broken weights) ends that
 * process, not the app. The job then fails with the reason ("model process exited with SIGABRT while loading
 * X: <its last stderr lines>") and, since nothing was half-written, is resumable; the next job starts a fresh
 * host. The process is a utility process inside Electron and a Node child elsewhere (hostChannel.ts).
 * MEDSSR_MODEL_HOST=inline keeps everything in this process (debugging only).
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GbnfJsonSchema, Token } from 'node-llama-cpp';
import { LocalGenerationContext, loadModel, type ContextOptions, type Generator, type PromptSpec, type Sample, type SampleSettings } from './generation.js';
import { launchHost, type HostChannel } from './hostChannel.js';
import type { GpuSetting } from './llama.js';
import { assertAdapterFits, assertModelLoadable } from './modelCheck.js';
import type { FromHost, HostMethod, OpenedInfo, ToHost } from './modelHostProtocol.js';
import type { SchedulerStats } from './scheduler.js';

export interface OpenGeneratorOptions extends ContextOptions {
  gpu?: GpuSetting;
}

/** The model process died or failed outside a request; the message names the phase and the process's last words. */
export class ModelProcessError extends Error {
  override name = 'ModelProcessError';
}

const STDERR_TAIL = 2000;
const CLOSE_TIMEOUT_MS = 10_000;

function hostEntry(): { file: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  const ext = path.extname(here);
  const file = path.join(path.dirname(here), `modelHostProcess${ext}`);
  // Under tsx (tests, `npm run bench`) the child must load TypeScript the same way.
  return { file, execArgv: ext === '.ts' ? ['--import', import.meta.resolve('tsx')] : [] };
}

/** The last lines of what the process wrote to stderr (llama.cpp prints its assertion there before aborting). */
function tail(text: string): string {
  const lines = text.trim().split('\n').filter((l) => l.trim() !== '');
  return lines.slice(-6).join('\n').slice(-STDERR_TAIL);
}

/** " (SIGABRT if a signal ended it)" for an exit code that is a fatal signal's number; '' otherwise. */
function signalHint(code: number | null): string {
  const fatal = ['SIGABRT', 'SIGSEGV', 'SIGFPE', 'SIGBUS', 'SIGILL', 'SIGKILL', 'SIGTERM'] as const;
  const name = fatal.find((s) => os.constants.signals[s] === code);
  return name ? ` (${name} if a signal ended it)` : '';
}

const emptyStats: SchedulerStats = { promptTokensEvaluated: 0, promptTokensRequested: 0, generatedTokens: 0, promptCopies: 0, promptSeconds: 0, busySeconds: 0 };

class HostedGenerator implements Generator {
  mode: 'chat' | 'base' = 'base';
  threads = 0;
  parallel = 0;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private stderr = '';
  private phase: string;
  private lastStats: SchedulerStats = emptyStats;
  private fatalMessage: string | null = null;
  private dead: ModelProcessError | null = null;
  private readonly exited: Promise<void>;

  constructor(
    private readonly child: HostChannel,
    private readonly modelName: string,
  ) {
    this.phase = `loading ${modelName}`;
    child.onStderr((chunk) => {
      this.stderr = (this.stderr + chunk).slice(-4 * STDERR_TAIL);
    });
    child.onMessage((msg) => this.onMessage(msg));
    this.exited = new Promise((resolve) => {
      child.onExit((code, signal) => {
        this.onExit(code, signal);
        resolve();
      });
      child.onError((err) => {
        this.fail(new ModelProcessError(`model process could not run while ${this.phase}: ${err.message}`));
        resolve();
      });
    });
  }

  private onMessage(msg: FromHost): void {
    if (msg.op === 'fatal') {
      this.fatalMessage = msg.message;
      return;
    }
    if (msg.stats) this.lastStats = msg.stats;
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.value);
    else p.reject(new Error(msg.message));
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.phase === 'closed') return;
    const how = signal ? `exited with ${signal}` : `exited with code ${code}${this.child.signalsAsCodes ? signalHint(code) : ''}`;
    const cause = this.fatalMessage ?? tail(this.stderr);
    this.fail(new ModelProcessError(`model process ${how} while ${this.phase}${cause ? `: ${cause}` : ''}`));
  }

  private fail(err: ModelProcessError): void {
    this.dead ??= err;
    for (const p of this.pending.values()) p.reject(this.dead);
    this.pending.clear();
  }

  request(msg: Omit<Extract<ToHost, { op: 'open' }>, 'id'> | Omit<Extract<ToHost, { op: 'call' }>, 'id'> | { op: 'close' }, signal?: AbortSignal): Promise<unknown> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ ...msg, id } as ToHost, (err) => {
        if (this.pending.delete(id)) reject(this.dead ?? new ModelProcessError(`model process is not reachable while ${this.phase}: ${err.message}`));
      });
      if (signal) {
        const onAbort = (): void => this.child.send({ op: 'abort', id } satisfies ToHost, () => undefined);
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      }
    });
  }

  async open(modelPath: string, opts: OpenGeneratorOptions): Promise<void> {
    const { gpu, ...context } = opts;
    const info = (await this.request({ op: 'open', modelPath, gpu, context })) as OpenedInfo;
    this.mode = info.mode;
    this.threads = info.threads;
    this.parallel = info.parallel;
    this.phase = `sampling with ${this.modelName}`;
  }

  private call<T>(method: HostMethod, args: unknown[], signal?: AbortSignal): Promise<T> {
    return this.request({ op: 'call', method, args, abortable: signal !== undefined }, signal) as Promise<T>;
  }

  sample(spec: PromptSpec, n: number, settings: SampleSettings, signal?: AbortSignal): Promise<Sample[]> {
    return this.call('sample', [spec, n, settings], signal);
  }

  chooseLetter(spec: PromptSpec, letters: readonly string[], _sequence?: number, withProbabilities = false): Promise<{ letter: string; probabilities: Record<string, number> }> {
    return this.call('chooseLetter', [spec, letters, withProbabilities]);
  }

  continuationLogProbs(spec: PromptSpec, continuations: readonly string[]): Promise<number[]> {
    return this.call('continuationLogProbs', [spec, continuations]);
  }

  generateJson<T>(spec: PromptSpec, schema: GbnfJsonSchema, settings: SampleSettings, signal?: AbortSignal): Promise<{ value: T; text: string; tokens: number }> {
    return this.call('generateJson', [spec, schema, settings], signal);
  }

  biasedGreedy(spec: PromptSpec, biasTokens: readonly Token[], bias: number, maxTokens: number): Promise<{ text: string; tokens: number }> {
    return this.call('biasedGreedy', [spec, [...biasTokens], bias, maxTokens]);
  }

  encode(texts: readonly string[]): Promise<Token[][]> {
    return this.call('encode', [[...texts]]);
  }

  stats(): SchedulerStats {
    return this.lastStats;
  }

  /** Asks the host to free the model and exit; kills it when it does not within 10 s. Never throws. */
  async dispose(): Promise<void> {
    if (!this.dead && !this.child.exited) {
      this.phase = 'closing';
      const timer = setTimeout(() => this.child.kill(), CLOSE_TIMEOUT_MS);
      await this.request({ op: 'close' }).catch(() => undefined);
      this.phase = 'closed';
      await this.exited;
      clearTimeout(timer);
    } else {
      this.phase = 'closed';
    }
  }

  /** For tests: the process id of the host. */
  get pid(): number | undefined {
    return this.child.pid;
  }
}

/** In-process generator that owns its model (MEDSSR_MODEL_HOST=inline). */
async function openInline(modelPath: string, opts: OpenGeneratorOptions): Promise<Generator> {
  const { gpu, ...context } = opts;
  const loaded = await loadModel(modelPath, gpu);
  try {
    const gen = await LocalGenerationContext.create(loaded, context);
    await gen.assertFiniteOutput();
    const dispose = gen.dispose.bind(gen);
    gen.dispose = async () => {
      await dispose();
      await loaded.model.dispose();
    };
    return gen;
  } catch (err) {
    await loaded.model.dispose();
    throw err;
  }
}

/**
 * Loads `modelPath` in a fresh model host process and returns the generator the job samples with. The caller
 * disposes it (which ends the process). Rejects with a ModelProcessError when the host dies while loading.
 */
export async function openGenerator(modelPath: string, opts: OpenGeneratorOptions): Promise<Generator> {
  const model = await assertModelLoadable(modelPath);
  if (opts.adapterPath) await assertAdapterFits(opts.adapterPath, modelPath, model);
  if (process.env.MEDSSR_MODEL_HOST === 'inline') return openInline(modelPath, opts);
  const { file, execArgv } = hostEntry();
  const host = new HostedGenerator(await launchHost({ file, execArgv, env: process.env }), path.basename(modelPath));
  try {
    await host.open(modelPath, opts);
    return host;
  } catch (err) {
    await host.dispose();
    throw err;
  }
}
