/**
 * One scheduler per context: every sequence takes the next piece of work as soon as it is free (continuous
 * batching across questions, as long as callers keep more than one question in flight), and the N samples of
 * one prompt share a single evaluation of it.
 *
 * Sharing the prompt: node-llama-cpp 3.21.1 exposes no KV-cache copy between sequences (llama.cpp's
 * `llama_memory_seq_cp` is not bound; the checkpoints it keeps are per sequence). It does bind
 * `llama_state_seq_save_file` / `llama_state_seq_load_file`, which copy one sequence's cache through a file into
 * another sequence. So the first sample of a prompt evaluates it (all but its last token), saves that state to a
 * file in a private temporary folder (in memory where the system has /dev/shm), and the other samples load it;
 * each then evaluates only the prompt's last token, whose logits start its own draw. A sequence whose cache
 * already holds the prompt (a previous sample of the same question ran there) keeps it and loads nothing.
 *
 * Reproducible mode (seeded labelling and evaluation): llama.cpp's logits depend on the batch a token was
 * evaluated in (its size and the other sequences in it, which vary with timing when several sequences share a
 * context) and on where a prompt was split between cached and fresh tokens. So here every slot is the only
 * sequence of its own context (the contexts share the model's weights), the prompt's owner evaluates it from an
 * empty cache, the other samples load that exact state, and a cached prompt is kept only when it is that state.
 * Each draw then sees the same floating-point sums whichever slot runs it and whatever else runs beside it.
 */
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LlamaGrammarEvaluationState, type LlamaContext, type LlamaContextSequence, type LlamaGrammar, type LlamaModel, type Token } from 'node-llama-cpp';

export interface DrawSettings {
  temperature: number;
  topP: number;
  topK: number;
  maxTokens: number;
  seed: number;
}

export type StopReason = 'eog' | 'maxTokens' | 'abort' | 'contextFull';

export interface Draw {
  /** Generated tokens; the end-of-generation token is included only when `keepEog` was asked for. */
  tokens: Token[];
  stopReason: StopReason;
}

export interface DrawOptions {
  grammar?: LlamaGrammar;
  /** Training keeps the end-of-generation token: the policy learns when to stop. */
  keepEog?: boolean;
  /** Stops once the text so far is complete (a JSON grammar lets whitespace follow the closing brace). */
  isComplete?: (tokens: Token[]) => boolean;
  signal?: AbortSignal;
}

/** Counters since the scheduler was created: what llama.cpp evaluated, so callers can report tokens/s. */
export interface SchedulerStats {
  /** Prompt tokens llama.cpp evaluated (shared prefixes counted once, cached prefixes not at all). */
  promptTokensEvaluated: number;
  /** Prompt tokens requested: what evaluating every sample's prompt from scratch would have cost. */
  promptTokensRequested: number;
  generatedTokens: number;
  /** Times a sequence took a shared prompt from another one's saved state instead of evaluating it. */
  promptCopies: number;
  /** Wall time spent evaluating prompts (overlaps with generation on other sequences). */
  promptSeconds: number;
  /** Wall time with at least one sequence at work. */
  busySeconds: number;
}

interface Slot {
  seq: LlamaContextSequence;
  index: number;
  /** Reproducible mode: the shared prompt whose exact state this sequence's cache starts with. */
  holds: PromptShare | null;
}

export interface SchedulerOptions {
  /** Same seeds give the same draws whatever runs beside them (see the module comment); contexts must have one sequence each. */
  reproducible?: boolean;
}

/** One evaluation of a prompt shared by its N samples: the first to start evaluates and saves it. */
interface PromptShare {
  prefix: Token[];
  file: string;
  owner: boolean;
  ready: Promise<boolean>;
  settle(ok: boolean): void;
}

function commonPrefixLength(a: readonly Token[], b: readonly Token[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

function tempRoot(): string {
  // Saved states are written and read once per question: memory-backed where available.
  return existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
}

export class SequenceScheduler {
  private readonly slots: Slot[];
  private readonly free: Slot[];
  private readonly waiting: { prompt: readonly Token[]; give: (slot: Slot) => void }[] = [];
  private stateDir: string | null = null;
  private shares = 0;
  private busy = 0;
  private busySince = 0;
  private readonly counters: SchedulerStats = { promptTokensEvaluated: 0, promptTokensRequested: 0, generatedTokens: 0, promptCopies: 0, promptSeconds: 0, busySeconds: 0 };

  private readonly reproducible: boolean;
  private readonly bySeq = new Map<LlamaContextSequence, Slot>();

  constructor(
    private readonly model: LlamaModel,
    contexts: LlamaContext | readonly LlamaContext[],
    opts: SchedulerOptions = {},
  ) {
    const list = Array.isArray(contexts) ? (contexts as readonly LlamaContext[]) : [contexts as LlamaContext];
    this.reproducible = opts.reproducible ?? false;
    if (this.reproducible && list.some((c) => c.totalSequences !== 1)) throw new Error('A reproducible scheduler needs contexts of one sequence each');
    const seqs = list.flatMap((c) => Array.from({ length: c.totalSequences }, () => c.getSequence()));
    this.slots = seqs.map((seq, index) => ({ seq, index, holds: null }));
    for (const slot of this.slots) this.bySeq.set(slot.seq, slot);
    this.free = [...this.slots];
  }

  get parallel(): number {
    return this.slots.length;
  }

  stats(): SchedulerStats {
    const now = performance.now();
    return { ...this.counters, busySeconds: this.counters.busySeconds + (this.busy > 0 ? (now - this.busySince) / 1000 : 0) };
  }

  /** Runs `fn` on the free sequence whose cache shares the longest prefix with `prompt`, waiting for one if none is free. */
  async withSequence<T>(prompt: readonly Token[], fn: (seq: LlamaContextSequence) => Promise<T>): Promise<T> {
    const slot = await this.acquire(prompt);
    try {
      return await fn(slot.seq);
    } finally {
      this.release(slot);
    }
  }

  private acquire(prompt: readonly Token[]): Promise<Slot> {
    if (this.free.length > 0 && this.waiting.length === 0) return Promise.resolve(this.take(prompt));
    return new Promise((give) => this.waiting.push({ prompt, give }));
  }

  private take(prompt: readonly Token[]): Slot {
    let best = 0;
    let bestLen = -1;
    this.free.forEach((slot, i) => {
      const len = commonPrefixLength(slot.seq.contextTokens, prompt);
      if (len > bestLen) {
        best = i;
        bestLen = len;
      }
    });
    const [slot] = this.free.splice(best, 1) as [Slot];
    if (this.busy++ === 0) this.busySince = performance.now();
    return slot;
  }

  private release(slot: Slot): void {
    if (--this.busy === 0) this.counters.busySeconds += (performance.now() - this.busySince) / 1000;
    this.free.push(slot);
    const next = this.waiting.shift();
    if (next) next.give(this.take(next.prompt));
  }

  /**
   * Keeps the longest prefix of `tokens` already in the sequence's cache and returns the rest to evaluate (at
   * least one token, so the evaluation yields the next-token distribution).
   */
  async reusePrefix(seq: LlamaContextSequence, tokens: Token[]): Promise<Token[]> {
    this.counters.promptTokensRequested += tokens.length;
    const fresh = await this.keepPrefix(seq, tokens);
    this.counters.promptTokensEvaluated += fresh.length;
    return fresh;
  }

  private async keepPrefix(seq: LlamaContextSequence, tokens: Token[]): Promise<Token[]> {
    const slot = this.bySeq.get(seq);
    if (slot) slot.holds = null;
    if (this.reproducible) {
      // Where a prompt splits between cached and fresh tokens changes its sums: always from an empty cache.
      await seq.clearHistory();
      return tokens;
    }
    await seq.adaptStateToTokens(tokens, false);
    let keep = Math.min(seq.nextTokenIndex, tokens.length - 1);
    if (keep < 0) keep = 0;
    if (seq.nextTokenIndex > keep) await seq.eraseContextTokenRanges([{ start: keep, end: seq.nextTokenIndex }]);
    return tokens.slice(keep);
  }

  private newShare(prompt: Token[]): PromptShare {
    this.stateDir ??= mkdtempSync(path.join(tempRoot(), `medssr-kv-${process.pid}-`));
    let settle: (ok: boolean) => void = () => undefined;
    const ready = new Promise<boolean>((resolve) => (settle = resolve));
    return { prefix: prompt.slice(0, -1), file: path.join(this.stateDir, `p${this.shares++}.state`), owner: false, ready, settle };
  }

  /** Brings the sequence to "prompt minus its last token evaluated" and returns what is left to evaluate. */
  private async preparePrompt(seq: LlamaContextSequence, prompt: Token[], share: PromptShare | null): Promise<Token[]> {
    if (!share) return this.reusePrefix(seq, prompt);
    const slot = this.bySeq.get(seq);
    const cached = commonPrefixLength(seq.contextTokens, prompt);
    if (cached >= share.prefix.length && (!this.reproducible || slot?.holds === share)) {
      if (!this.reproducible) return this.reusePrefix(seq, prompt);
      // The cache starts with this prompt's shared state: drop what the previous sample generated after it.
      this.counters.promptTokensRequested += prompt.length;
      if (seq.nextTokenIndex > share.prefix.length) await seq.eraseContextTokenRanges([{ start: share.prefix.length, end: seq.nextTokenIndex }]);
      this.counters.promptTokensEvaluated += 1;
      return prompt.slice(-1);
    }
    if (!share.owner) {
      share.owner = true;
      const started = performance.now();
      try {
        this.counters.promptTokensRequested += prompt.length;
        const fresh = await this.keepPrefix(seq, prompt);
        const head = fresh.slice(0, -1);
        if (head.length > 0) await seq.evaluateWithoutGeneratingNewTokens(head);
        this.counters.promptTokensEvaluated += fresh.length;
        await seq.saveStateToFile(share.file);
        if (slot) slot.holds = share;
        share.settle(true);
        return fresh.slice(-1);
      } catch (err) {
        share.settle(false);
        throw err;
      } finally {
        this.counters.promptSeconds += (performance.now() - started) / 1000;
      }
    }
    if (!(await share.ready)) return this.reusePrefix(seq, prompt);
    this.counters.promptTokensRequested += prompt.length;
    await seq.loadStateFromFile(share.file, { acceptRisk: true });
    if (slot) slot.holds = share;
    this.counters.promptCopies++;
    this.counters.promptTokensEvaluated += 1;
    return prompt.slice(-1);
  }

  /**
   * `n` draws from one prompt, each on the next free sequence; draw j uses `settingsFor(j)`. The prompt is
   * evaluated once and shared (see the module comment).
   */
  async drawMany(prompt: Token[], n: number, settingsFor: (j: number) => DrawSettings, opts: DrawOptions = {}): Promise<Draw[]> {
    const share = n > 1 && this.slots.length > 1 && prompt.length > 1 ? this.newShare(prompt) : null;
    try {
      return await Promise.all(
        Array.from({ length: n }, (_, j) =>
          this.withSequence(prompt, async (seq) => {
            if (opts.signal?.aborted) return { tokens: [], stopReason: 'abort' as const };
            return this.generate(seq, prompt, share, settingsFor(j), opts);
          }),
        ),
      );
    } finally {
      if (share) await unlink(share.file).catch(() => undefined);
    }
  }

  private async generate(seq: LlamaContextSequence, prompt: Token[], share: PromptShare | null, s: DrawSettings, opts: DrawOptions): Promise<Draw> {
    const room = seq.contextSize - prompt.length - 1;
    if (room <= 0) return { tokens: [], stopReason: 'contextFull' };
    const limit = Math.min(s.maxTokens, room);
    const fresh = await this.preparePrompt(seq, prompt, share);
    const tokens: Token[] = [];
    let stopReason: StopReason = 'maxTokens';
    const grammarEvaluationState = opts.grammar ? new LlamaGrammarEvaluationState({ model: this.model, grammar: opts.grammar }) : undefined;
    for await (const token of seq.evaluate(fresh, { temperature: s.temperature, topP: s.topP, topK: s.topK, seed: s.seed, grammarEvaluationState })) {
      if (opts.signal?.aborted) {
        stopReason = 'abort';
        break;
      }
      if (this.model.isEogToken(token)) {
        if (opts.keepEog) tokens.push(token);
        stopReason = 'eog';
        break;
      }
      tokens.push(token);
      if (opts.isComplete?.(tokens)) {
        stopReason = 'eog';
        break;
      }
      if (tokens.length >= limit) {
        stopReason = tokens.length >= s.maxTokens ? 'maxTokens' : 'contextFull';
        break;
      }
    }
    this.counters.generatedTokens += tokens.length;
    return { tokens, stopReason };
  }

  /** Removes the saved prompt states; the context itself belongs to the caller. */
  dispose(): void {
    if (this.stateDir) rmSync(this.stateDir, { recursive: true, force: true });
    this.stateDir = null;
  }
}
