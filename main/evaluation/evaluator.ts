/**
 * Runs MedSSR's protocol on one question: the missing generations are sampled (system prompt + question through
 * the chat template, or the COT template), each is scored by MedSSR's extraction, and each one without an answer
 * gets the recovery pass: its own answer plus "Respond with one option only. The answer is ", then either one
 * token constrained to the question's option letters (grammar) or the script's own pass (logit-bias: +100 on the
 * file's letters, greedy, one or two tokens by its model-name rule).
 */
import type { EvalGeneration, EvalSampling } from '../../api/evaluation.js';
import { answerPrompt, recoveryPrompt } from '../labeling/index.js';
import { fallbackRecoveryPrompt } from '../llm/index.js';
import type { GenerationContext, PromptSpec } from '../llm/index.js';
import type { Token } from 'node-llama-cpp';
import { recoveredAnswer } from './protocol.js';
import { needsRecovery, scoreGeneration } from './metrics.js';

export interface EvalQuestion {
  seq: number;
  question: string;
  gold: string;
}

export interface EvaluatedGeneration extends EvalGeneration {
  stopReason: string | null;
}

export interface QuestionRunOptions {
  /** Generation indices still to do (a resumed run skips stored ones). */
  missing: readonly number[];
  sampling: EvalSampling;
  /** Letters the recovery pass may choose: the question's options. */
  letters: readonly string[];
  recovery: boolean;
  /** The script's logit-bias pass instead of the letter grammar. */
  logitBias?: { tokens: readonly Token[]; bias: number; maxTokens: number };
  /** Chat was asked for but the model has no template: the script's fallback recovery text. */
  fallbackPrompt?: boolean;
  modelName?: string;
  /** Generation g samples with seed `seedBase + g`, so a redone generation is the same draw. */
  seedBase: number;
  signal?: AbortSignal;
}

/** Contiguous runs of indices, so a run of missing generations samples in parallel in one call. */
function contiguousRuns(indices: readonly number[]): number[][] {
  const runs: number[][] = [];
  for (const i of [...indices].sort((a, b) => a - b)) {
    const last = runs[runs.length - 1];
    if (last && last[last.length - 1] === i - 1) last.push(i);
    else runs.push([i]);
  }
  return runs;
}

export async function evaluateQuestion(ctx: GenerationContext, q: EvalQuestion, opts: QuestionRunOptions): Promise<{ generations: EvaluatedGeneration[]; tokens: number }> {
  const prompt = answerPrompt(q.question);
  const out: EvaluatedGeneration[] = [];
  let tokens = 0;
  for (const run of contiguousRuns(opts.missing)) {
    if (opts.signal?.aborted) break;
    const start = run[0] as number;
    const samples = await ctx.sample(prompt, run.length, { ...opts.sampling, seed: opts.seedBase + start }, opts.signal);
    if (opts.signal?.aborted) break;
    // Sample j of this call ran on sequence j % parallel, whose cache still holds its prompt and answer.
    const pending = samples.map((s, j) => ({ generation: start + j, sequence: j % ctx.parallel, text: s.text.trim(), tokens: s.tokens, stopReason: s.stopReason as string }));
    for (let b = 0; b < pending.length; b += ctx.parallel) {
      const batch = pending.slice(b, b + ctx.parallel);
      const letters = await Promise.all(
        batch.map(async (p): Promise<string | null> => {
          if (!opts.recovery || !needsRecovery(p.text, opts.modelName) || opts.signal?.aborted) return null;
          // The question did not fit the context: the model never saw it whole, so no answer is recovered (invalid).
          if (p.stopReason === 'contextFull' && p.tokens === 0) return null;
          try {
            const spec: PromptSpec = opts.fallbackPrompt
              ? { ...recoveryPrompt(q.question, p.text), baseText: fallbackRecoveryPrompt(q.question, p.text) }
              : recoveryPrompt(q.question, p.text);
            if (opts.logitBias) {
              const out = await ctx.biasedGreedy(spec, opts.logitBias.tokens, opts.logitBias.bias, opts.logitBias.maxTokens, p.sequence);
              tokens += out.tokens;
              return recoveredAnswer(out.text);
            }
            const { letter } = await ctx.chooseLetter(spec, opts.letters, p.sequence);
            tokens += 1;
            return letter;
          } catch {
            // A prompt that no longer fits the context leaves the generation without an answer: invalid.
            return null;
          }
        }),
      );
      batch.forEach((p, k) => {
        tokens += p.tokens;
        const scored = scoreGeneration(p.text, q.gold, letters[k] ?? null, opts.modelName);
        out.push({ generation: p.generation, text: p.text, tokens: p.tokens, stopReason: p.stopReason, ...scored });
      });
    }
  }
  return { generations: opts.signal?.aborted ? [] : out, tokens };
}
