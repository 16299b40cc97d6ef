/**
 * A loaded model with one context of several sequences: N samples of one prompt run as N parallel sequences
 * that llama.cpp evaluates in shared batches. Prompts are given both as chat turns (used through the model's
 * own chat template) and as plain text (used when the model has none, e.g. base models like stories260K).
 */
import {
  LlamaGrammar,
  LlamaGrammarEvaluationState,
  resolveChatWrapper,
  TokenBias,
  type ChatHistoryItem,
  type GbnfJsonSchema,
  type Llama,
  type LlamaContext,
  type LlamaContextSequence,
  type LlamaModel,
  type Token,
} from 'node-llama-cpp';
import { chooseThreads, getRuntime, type GpuSetting } from './llama.js';
import { readGgufSummary, type GgufSummary } from './ggufMetadata.js';
import { checkReadablePath } from '../platform/safePath.js';
import { SequenceScheduler, type SchedulerStats } from './scheduler.js';

export type { SchedulerStats } from './scheduler.js';

export interface ChatTurn {
  role: 'system' | 'user' | 'assistant';
  text: string;
}

export interface PromptSpec {
  turns: ChatTurn[];
  /** Used verbatim when the model has no chat template. */
  baseText: string;
}

export interface SampleSettings {
  temperature: number;
  topP: number;
  topK: number;
  maxTokens: number;
  seed: number;
}

export interface Sample {
  text: string;
  tokens: number;
  stopReason: 'eog' | 'maxTokens' | 'abort' | 'contextFull';
}

export interface LoadedModel {
  path: string;
  llama: Llama;
  model: LlamaModel;
  summary: GgufSummary;
}

function isCompleteJson(text: string): boolean {
  const t = text.trimEnd();
  if (!t.endsWith('}') && !t.endsWith(']')) return false;
  try {
    JSON.parse(t);
    return true;
  } catch {
    return false;
  }
}

/**
 * Loads the model at `path`. The caller owns it and disposes it (jobs load a model for their run and release it
 * at the end, so a CLI process exits and the app does not pin gigabytes between runs).
 */
export async function loadModel(path: string, gpu?: GpuSetting): Promise<LoadedModel> {
  const { summary } = await readGgufSummary(path);
  const llama = await getRuntime(gpu);
  const model = await llama.loadModel({ modelPath: path });
  return { path, llama, model, summary };
}

export interface ContextOptions {
  sequences: number;
  contextSize?: number;
  threads?: number;
  adapterPath?: string;
  adapterScale?: number;
  /** Forces the prompt form; by default the chat template when the GGUF has one, else the plain text. */
  promptMode?: 'chat' | 'base';
  /**
   * Same seeds give bit-for-bit the same samples at any parallelism: each sequence gets a context of its own
   * (sharing the model's weights), so no batch mixes sequences (see scheduler.ts). Costs batching across them.
   */
  reproducible?: boolean;
}

/**
 * What labelling, evaluation and synthesis need from a model. Jobs get one from `openGenerator` (modelHost.ts),
 * which runs it in a supervised child process; `GenerationContext.create` makes one in this process.
 */
export interface Generator {
  readonly mode: 'chat' | 'base';
  readonly threads: number;
  readonly parallel: number;
  sample(spec: PromptSpec, n: number, settings: SampleSettings, signal?: AbortSignal): Promise<Sample[]>;
  chooseLetter(spec: PromptSpec, letters: readonly string[], sequence?: number, withProbabilities?: boolean): Promise<{ letter: string; probabilities: Record<string, number> }>;
  continuationLogProbs(spec: PromptSpec, continuations: readonly string[]): Promise<number[]>;
  generateJson<T>(spec: PromptSpec, schema: GbnfJsonSchema, settings: SampleSettings, signal?: AbortSignal): Promise<{ value: T; text: string; tokens: number }>;
  /** MedSSR's logit-bias recovery: greedy decoding with `bias` added to `biasTokens`' logits. */
  biasedGreedy(spec: PromptSpec, biasTokens: readonly Token[], bias: number, maxTokens: number, sequence?: number): Promise<{ text: string; tokens: number }>;
  /**
   * Each text as Hugging Face's `tokenizer.encode` gives it: BOS first where the GGUF says the tokenizer adds one
   * (MedSSR's logit-bias recovery biases `encode(letter)[0]`, which for such tokenizers is BOS).
   */
  encode(texts: readonly string[]): Promise<Token[][]>;
  stats(): SchedulerStats;
  dispose(): Promise<void>;
}

export class LocalGenerationContext implements Generator {
  readonly mode: 'chat' | 'base';
  readonly threads: number;
  private readonly scheduler: SequenceScheduler;
  private readonly grammars = new Map<string, LlamaGrammar>();

  private constructor(
    readonly loaded: LoadedModel,
    readonly contexts: readonly LlamaContext[],
    threads: number,
    promptMode?: 'chat' | 'base',
    reproducible = false,
  ) {
    // Chat needs a template: without one the plain text is the only prompt there is (as in MedSSR's fallback).
    this.mode = promptMode === 'base' || !loaded.summary.chatTemplate ? 'base' : 'chat';
    this.threads = threads;
    this.scheduler = new SequenceScheduler(loaded.model, contexts, { reproducible });
  }

  static async create(loaded: LoadedModel, opts: ContextOptions): Promise<LocalGenerationContext> {
    if (opts.adapterPath) checkReadablePath(opts.adapterPath, 'Adapter file');
    const threads = chooseThreads(loaded.summary.parameters, opts.threads, loaded.llama.cpuMathCores);
    const train = loaded.model.trainContextSize;
    const contextSize = Math.min(opts.contextSize ?? 4096, train > 0 ? train : 4096);
    const sequences = Math.max(1, opts.sequences);
    const lora = opts.adapterPath ? { lora: { adapters: [{ filePath: opts.adapterPath, scale: opts.adapterScale ?? 1 }] } } : {};
    if (!opts.reproducible || sequences === 1) {
      const context = await loaded.model.createContext({ sequences, contextSize, threads, ...lora });
      return new LocalGenerationContext(loaded, [context], threads, opts.promptMode, opts.reproducible ?? false);
    }
    // One context per sequence; their evaluations run at the same time, so they split the CPU threads.
    const perContext = Math.max(1, Math.floor(threads / sequences));
    const contexts: LlamaContext[] = [];
    try {
      for (let i = 0; i < sequences; i++) contexts.push(await loaded.model.createContext({ sequences: 1, contextSize, threads: perContext, ...lora }));
    } catch (err) {
      await Promise.all(contexts.map((c) => c.dispose()));
      throw err;
    }
    return new LocalGenerationContext(loaded, contexts, threads, opts.promptMode, true);
  }

  get parallel(): number {
    return this.scheduler.parallel;
  }

  /** What llama.cpp evaluated and generated in this context so far (for tokens/s in job progress and results). */
  stats(): SchedulerStats {
    return this.scheduler.stats();
  }

  get model(): LlamaModel {
    return this.loaded.model;
  }

  /** Prompt tokens: the chat template's rendering of the turns plus an open assistant turn, or BOS + text. */
  promptTokens(spec: PromptSpec): Token[] {
    const model = this.loaded.model;
    if (this.mode === 'chat') {
      const wrapper = resolveChatWrapper(model);
      const history: ChatHistoryItem[] = spec.turns.map((t) =>
        t.role === 'system' ? { type: 'system', text: t.text } : t.role === 'user' ? { type: 'user', text: t.text } : { type: 'model', response: [t.text] },
      );
      history.push({ type: 'model', response: [] });
      return wrapper.generateContextState({ chatHistory: history }).contextText.tokenize(model.tokenizer);
    }
    const tokens = model.tokenize(spec.baseText);
    const bos = model.tokens.bos;
    return bos !== null && model.tokens.shouldPrependBosToken && tokens[0] !== bos ? [bos, ...tokens] : tokens;
  }

  /**
   * `n` samples of one prompt; sample j draws with seed `settings.seed + j`. The samples run on whichever
   * sequences are free (other questions' work may share the context at the same time) and share one evaluation
   * of the prompt.
   */
  async sample(spec: PromptSpec, n: number, settings: SampleSettings, signal?: AbortSignal): Promise<Sample[]> {
    const model = this.loaded.model;
    const draws = await this.scheduler.drawMany(this.promptTokens(spec), n, (j) => ({ ...settings, seed: settings.seed + j }), signal ? { signal } : {});
    return draws.map((d) => ({ text: model.detokenize(d.tokens), tokens: d.tokens.length, stopReason: d.stopReason }));
  }

  private letterGrammar(letters: readonly string[]): LlamaGrammar {
    const key = letters.join('');
    let g = this.grammars.get(key);
    if (!g) {
      g = new LlamaGrammar(this.loaded.llama, { grammar: `root ::= ${letters.map((l) => JSON.stringify(l)).join(' | ')}` });
      this.grammars.set(key, g);
    }
    return g;
  }

  /**
   * One greedy token constrained to the allowed letters (MedSSR's recovery pass uses a +100 logit bias on
   * them; a grammar is the same constraint without the arbitrary constant). Returns the letter and the
   * constrained distribution over the letters. It runs on the free sequence whose cache shares the most with
   * the prompt (usually the one that wrote the answer being recovered); `_sequence` is no longer needed and
   * kept for callers that pass it.
   */
  async chooseLetter(spec: PromptSpec, letters: readonly string[], _sequence = 0, withProbabilities = false): Promise<{ letter: string; probabilities: Record<string, number> }> {
    const tokens = this.promptTokens(spec);
    return this.scheduler.withSequence(tokens, (seq) => this.chooseLetterOn(seq, tokens, letters, withProbabilities));
  }

  private async chooseLetterOn(seq: LlamaContextSequence, tokens: Token[], letters: readonly string[], withProbabilities: boolean): Promise<{ letter: string; probabilities: Record<string, number> }> {
    const model = this.loaded.model;
    const grammarEvaluationState = new LlamaGrammarEvaluationState({ model, grammar: this.letterGrammar(letters) });
    const prompt = await this.scheduler.reusePrefix(seq, tokens);
    // The full distribution is a Map over the whole vocabulary (150k entries for Qwen): only built on request.
    for await (const out of seq.evaluateWithMetadata(prompt, { probabilities: withProbabilities }, { temperature: 0, grammarEvaluationState })) {
      const probabilities: Record<string, number> = {};
      for (const [tok, p] of (out as { probabilities?: Map<Token, number> }).probabilities ?? []) {
        const text = model.detokenize([tok]).trim();
        if (letters.includes(text)) probabilities[text] = (probabilities[text] ?? 0) + p;
      }
      const letter = model.detokenize([out.token]).trim();
      return { letter: letters.includes(letter) ? letter : (letters[0] as string), probabilities };
    }
    throw new Error('The model produced no token for the recovery pass');
  }

  /**
   * Greedy decoding of at most `maxTokens` tokens with `bias` added to the logits of `biasTokens` (MedSSR's
   * logit-bias recovery: +100 on the allowed answer tokens, nothing forbidden). Returns the decoded text.
   */
  async biasedGreedy(spec: PromptSpec, biasTokens: readonly Token[], bias: number, maxTokens: number, _sequence = 0): Promise<{ text: string; tokens: number }> {
    const tokens = this.promptTokens(spec);
    return this.scheduler.withSequence(tokens, async (seq) => {
      const model = this.loaded.model;
      const tokenBias = new TokenBias(model.tokenizer);
      for (const t of new Set(biasTokens)) tokenBias.set(t, { logit: bias });
      const prompt = await this.scheduler.reusePrefix(seq, tokens);
      const generated: Token[] = [];
      for await (const token of seq.evaluate(prompt, { temperature: 0, tokenBias })) {
        if (model.isEogToken(token)) break;
        generated.push(token);
        if (generated.length >= maxTokens) break;
      }
      return { text: model.detokenize(generated), tokens: generated.length };
    });
  }

  async encode(texts: readonly string[]): Promise<Token[][]> {
    const model = this.loaded.model;
    const bos = model.tokens.bos;
    return texts.map((text) => {
      const t = model.tokenize(text);
      return bos !== null && model.tokens.shouldPrependBosToken ? [bos, ...t] : t;
    });
  }

  /**
   * Log-probability of each continuation text after the prompt (sum of its tokens' log-probabilities). The
   * prompt is evaluated once; each continuation is evaluated after erasing the previous one.
   */
  async continuationLogProbs(spec: PromptSpec, continuations: readonly string[]): Promise<number[]> {
    const prompt = this.promptTokens(spec);
    return this.scheduler.withSequence(prompt, (seq) => this.continuationLogProbsOn(seq, prompt, continuations));
  }

  private async continuationLogProbsOn(seq: LlamaContextSequence, prompt: Token[], continuations: readonly string[]): Promise<number[]> {
    await seq.clearHistory();
    const model = this.loaded.model;
    const first = await seq.controlledEvaluate(prompt.map((t, i) => (i === prompt.length - 1 ? [t, { generateNext: { probabilities: true } }] : t)));
    const firstDist = first[prompt.length - 1]?.next?.probabilities;
    if (!firstDist) throw new Error('No next-token distribution after the prompt');
    const floor = 1e-30;
    const out: number[] = [];
    for (const text of continuations) {
      const cont = model.tokenize(text, false, 'trimLeadingSpace');
      if (seq.nextTokenIndex > prompt.length) await seq.eraseContextTokenRanges([{ start: prompt.length, end: seq.nextTokenIndex }]);
      let logp = Math.log(Math.max(firstDist.get(cont[0] as Token) ?? 0, floor));
      if (cont.length > 1) {
        const res = await seq.controlledEvaluate(cont.slice(0, -1).map((t) => [t, { generateNext: { probabilities: true } }]));
        for (let i = 1; i < cont.length; i++) {
          const p = res[i - 1]?.next?.probabilities?.get(cont[i] as Token) ?? 0;
          logp += Math.log(Math.max(p, floor));
        }
      }
      out.push(logp);
    }
    return out;
  }

  /**
   * Throws when the model's next-token distribution after one token is not finite: weights with NaN or Inf
   * load and then sample garbage (every token the same) without any error from llama.cpp.
   */
  async assertFiniteOutput(): Promise<void> {
    const model = this.loaded.model;
    const probe = model.tokens.bos ?? model.tokenize('a')[0];
    if (probe === undefined) return;
    await this.scheduler.withSequence([probe], async (seq) => {
      await seq.clearHistory();
      const [out] = await seq.controlledEvaluate([[probe, { generateNext: { probabilities: true } }]]);
      await seq.clearHistory();
      const probabilities = out?.next?.probabilities;
      const bad = probabilities ? [...probabilities.values()].some((p) => !Number.isFinite(p)) || probabilities.size === 0 : true;
      if (bad) throw new Error(`${this.loaded.path}: the model's output is not a number (NaN) after one token: its weights hold NaN or infinite values; it cannot be used`);
    });
  }

  /** Text constrained by a JSON schema grammar, parsed; throws when the output does not parse. */
  async generateJson<T>(spec: PromptSpec, schema: GbnfJsonSchema, settings: SampleSettings, signal?: AbortSignal): Promise<{ value: T; text: string; tokens: number }> {
    const create = this.loaded.llama.createGrammarForJsonSchema.bind(this.loaded.llama) as (s: GbnfJsonSchema) => Promise<LlamaGrammar & { parse(text: string): unknown }>;
    const grammar = await create(schema);
    const model = this.loaded.model;
    const [draw] = await this.scheduler.drawMany(this.promptTokens(spec), 1, () => settings, {
      grammar,
      isComplete: (tokens) => isCompleteJson(model.detokenize(tokens)),
      ...(signal ? { signal } : {}),
    });
    const text = model.detokenize(draw?.tokens ?? []);
    return { value: grammar.parse(text) as T, text, tokens: draw?.tokens.length ?? 0 };
  }

  async dispose(): Promise<void> {
    this.scheduler.dispose();
    await Promise.all(this.contexts.map((c) => c.dispose()));
  }
}

/** The type every caller takes (in-process or hosted); the value keeps `GenerationContext.create` for in-process use. */
export type GenerationContext = Generator;
export const GenerationContext = LocalGenerationContext;
