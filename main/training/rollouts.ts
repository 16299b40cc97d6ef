/**
 * Rollouts from the current policy: the base GGUF plus the latest adapter the trainer wrote, sampled with
 * node-llama-cpp. Returns token ids (the trainer scores exactly the tokens that were sampled) and text (the reward
 * reads the answer from it). The context is rebuilt when the adapter changes, so no KV state from the previous
 * policy survives; llama.cpp caches adapters by path, hence a fresh path per adapter and the old one released.
 */
import path from 'node:path';
import { resolveChatWrapper, type ChatHistoryItem, type ChatWrapper, type LlamaContext, type LlamaContextSequence, type LlamaModel, type Token } from 'node-llama-cpp';
import { answerPrompt } from '../labeling/index.js';
import { assertModelLoadable, loadModel, type LoadedModel, type PromptSpec } from '../llm/index.js';
import { chooseThreads, type GpuSetting } from '../llm/index.js';

export interface Rollout {
  tokens: number[];
  text: string;
  stop: 'eog' | 'maxTokens' | 'abort' | 'contextFull';
}

export interface RolloutSampling {
  temperature: number;
  topP: number;
  topK: number;
  maxTokens: number;
  seed: number;
}

/** What the orchestrator needs from a sampler; tests give it a scripted one. */
export interface RolloutEngine {
  readonly threads: number;
  readonly modelName: string;
  readonly parameters: number | null;
  promptTokens(question: string): number[];
  /** Makes the next samples come from base + this adapter (null: the base alone). */
  setAdapter(adapterPath: string | null): Promise<void>;
  /** `perPrompt` samples of each prompt; result[i][j] is sample j of prompt i. */
  sample(prompts: number[][], perPrompt: number, s: RolloutSampling, signal?: AbortSignal): Promise<Rollout[][]>;
  dispose(): Promise<void>;
}

interface LoraInternals {
  _loraAdapters?: Map<string, { dispose?: () => unknown }>;
}

export class LlamaRolloutEngine implements RolloutEngine {
  readonly threads: number;
  private context: LlamaContext | null = null;
  private sequences: LlamaContextSequence[] = [];
  private adapter: string | null = null;
  /** Resolved once: node-llama-cpp checks the template against sample chats, far too slow to repeat per prompt. */
  private readonly wrapper: ChatWrapper | null;

  private constructor(
    private readonly loaded: LoadedModel,
    threads: number,
    private readonly parallel: number,
    private readonly contextSize: number,
  ) {
    this.threads = threads;
    this.wrapper = loaded.summary.chatTemplate ? resolveChatWrapper(loaded.model) : null;
  }

  /**
   * `parallel`: sequences sampled together in one batch; `contextSize`: tokens per sequence (prompt + completion).
   * `threads` 0 picks 1 for tiny models and the machine's math cores otherwise (llama.cpp's default is far slower).
   */
  static async create(modelPath: string, opts: { threads: number; parallel: number; contextSize: number; gpu?: GpuSetting }): Promise<LlamaRolloutEngine> {
    // Rollouts still load the model in this process: the header is validated first, so a file that would make
    // llama.cpp abort is refused by file and field instead.
    await assertModelLoadable(modelPath);
    const loaded = await loadModel(modelPath, opts.gpu);
    const threads = chooseThreads(loaded.summary.parameters, opts.threads || undefined, loaded.llama.cpuMathCores);
    const train = loaded.model.trainContextSize;
    const contextSize = Math.min(opts.contextSize, train > 0 ? train : opts.contextSize);
    return new LlamaRolloutEngine(loaded, threads, Math.max(1, opts.parallel), contextSize);
  }

  get model(): LlamaModel {
    return this.loaded.model;
  }

  /** The name answer extraction keys on (its gemma rule): the model's file name, as labelling and evaluation use. */
  get modelName(): string {
    return path.basename(this.loaded.path);
  }

  get parameters(): number | null {
    return this.loaded.summary.parameters;
  }

  get maxContext(): number {
    return this.contextSize;
  }

  /** The labelling prompt (MedSSR's protocol): chat template with its system prompt, or the COT text for base models. */
  promptTokens(question: string): number[] {
    return this.render(answerPrompt(question));
  }

  private render(spec: PromptSpec): number[] {
    const model = this.loaded.model;
    if (this.wrapper) {
      const history: ChatHistoryItem[] = spec.turns.map((t) =>
        t.role === 'system' ? { type: 'system', text: t.text } : t.role === 'user' ? { type: 'user', text: t.text } : { type: 'model', response: [t.text] },
      );
      history.push({ type: 'model', response: [] });
      return this.wrapper.generateContextState({ chatHistory: history }).contextText.tokenize(model.tokenizer);
    }
    const tokens = model.tokenize(spec.baseText);
    const bos = model.tokens.bos;
    return bos !== null && model.tokens.shouldPrependBosToken && tokens[0] !== bos ? [bos, ...tokens] : tokens;
  }

  async setAdapter(adapterPath: string | null): Promise<void> {
    if (this.context && adapterPath === this.adapter) return;
    const previous = this.adapter;
    await this.context?.dispose();
    this.context = null;
    this.releaseAdapter(previous, adapterPath);
    this.context = await this.loaded.model.createContext({
      sequences: this.parallel,
      contextSize: this.contextSize,
      threads: this.threads,
      ...(adapterPath ? { lora: { adapters: [{ filePath: adapterPath }] } } : {}),
    });
    this.sequences = Array.from({ length: this.context.totalSequences }, () => (this.context as LlamaContext).getSequence());
    this.adapter = adapterPath;
  }

  /** Frees an adapter no context uses any more (node-llama-cpp keeps each loaded path until the model goes). */
  private releaseAdapter(previous: string | null, next: string | null): void {
    if (!previous || previous === next) return;
    const cache = (this.loaded.model as unknown as LoraInternals)._loraAdapters;
    for (const [key, lora] of cache ?? []) {
      if (key.endsWith(previous) || key === previous) {
        cache?.delete(key);
        try {
          lora.dispose?.();
        } catch {
          // Already freed with its context: nothing left to release.
        }
      }
    }
  }

  async sample(prompts: number[][], perPrompt: number, s: RolloutSampling, signal?: AbortSignal): Promise<Rollout[][]> {
    if (!this.context) await this.setAdapter(this.adapter);
    const jobs: { p: number; j: number }[] = [];
    prompts.forEach((_, p) => {
      for (let j = 0; j < perPrompt; j++) jobs.push({ p, j });
    });
    const out: Rollout[][] = prompts.map(() => new Array<Rollout>(perPrompt));
    for (let start = 0; start < jobs.length; start += this.sequences.length) {
      const wave = jobs.slice(start, start + this.sequences.length);
      await Promise.all(
        wave.map(async ({ p, j }, w) => {
          const seq = this.sequences[w] as LlamaContextSequence;
          (out[p] as Rollout[])[j] = await this.sampleOne(seq, prompts[p] as number[], { ...s, seed: s.seed + p * 1000 + j }, signal);
        }),
      );
    }
    return out;
  }

  private async sampleOne(seq: LlamaContextSequence, prompt: number[], s: RolloutSampling, signal?: AbortSignal): Promise<Rollout> {
    await seq.clearHistory();
    const model = this.loaded.model;
    const room = seq.contextSize - prompt.length - 1;
    if (room <= 0) return { tokens: [], text: '', stop: 'contextFull' };
    const limit = Math.min(s.maxTokens, room);
    const tokens: number[] = [];
    let stop: Rollout['stop'] = 'maxTokens';
    for await (const token of seq.evaluate(prompt as Token[], { temperature: s.temperature, topP: s.topP, topK: s.topK, seed: s.seed })) {
      if (signal?.aborted) {
        stop = 'abort';
        break;
      }
      tokens.push(token);
      // The end-of-generation token stays in the completion: the policy learns when to stop, as in TRL and verl.
      if (model.isEogToken(token)) {
        stop = 'eog';
        break;
      }
      if (tokens.length >= limit) {
        stop = tokens.length >= s.maxTokens ? 'maxTokens' : 'contextFull';
        break;
      }
    }
    const textTokens = stop === 'eog' ? tokens.slice(0, -1) : tokens;
    return { tokens, text: model.detokenize(textTokens as Token[]), stop };
  }

  async dispose(): Promise<void> {
    await this.context?.dispose();
    this.context = null;
    await this.loaded.model.dispose();
  }
}
