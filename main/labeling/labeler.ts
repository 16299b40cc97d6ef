/**
 * Pseudo-labels one question: N chain-of-thought samples in parallel, MedSSR's answer extraction, the
 * constrained one-token recovery pass for samples without an answer (kept, shown, never voted), and the
 * majority vote of the written answers.
 */
import type { PseudoLabel, QuestionOption, SamplingSettings, LabelSample } from '../../api/synthesis.js';
import type { GenerationContext, PromptSpec } from '../llm/index.js';
import { extractOption, normaliseChoice } from './answerExtraction.js';
import { baseRecoveryPrompt, cotTemplate, formatQuestion, RECOVERY_USER, SYSTEM_PROMPT } from '../llm/index.js';
import { majorityVote } from './vote.js';

export interface LabelableQuestion {
  id: string;
  stem: string;
  options: QuestionOption[];
  intendedAnswer: string | null;
}

export function answerPrompt(question: string): PromptSpec {
  return {
    turns: [
      { role: 'system', text: SYSTEM_PROMPT },
      { role: 'user', text: question },
    ],
    baseText: cotTemplate(question),
  };
}

export function recoveryPrompt(question: string, modelAnswer: string): PromptSpec {
  return {
    turns: [
      { role: 'system', text: SYSTEM_PROMPT },
      { role: 'user', text: question },
      { role: 'assistant', text: modelAnswer },
      { role: 'user', text: RECOVERY_USER },
    ],
    baseText: baseRecoveryPrompt(question, modelAnswer),
  };
}

export interface LabelOutcome {
  label: PseudoLabel;
  /** Generated tokens across all samples (recovery tokens included). */
  tokens: number;
}

export async function labelQuestion(
  ctx: GenerationContext,
  q: LabelableQuestion,
  sampling: SamplingSettings,
  opts: { modelName?: string; seed: number; signal?: AbortSignal },
): Promise<LabelOutcome> {
  const question = formatQuestion(q.stem, q.options);
  const letters = q.options.map((o) => o.letter);
  const samples = await ctx.sample(answerPrompt(question), sampling.samples, { ...sampling, seed: opts.seed }, opts.signal);
  let tokens = 0;
  const out: LabelSample[] = samples.map((s, i) => {
    tokens += s.tokens;
    const text = s.text.trim();
    return { index: i, text, extracted: normaliseChoice(extractOption(text, opts.modelName), letters), recovered: false, tokens: s.tokens };
  });
  // Recovery passes run in parallel, each on the sequence that wrote the sample (its prompt is still cached).
  const missing = out.filter((s) => !s.extracted);
  for (let start = 0; start < missing.length && !opts.signal?.aborted; start += ctx.parallel) {
    await Promise.all(
      missing.slice(start, start + ctx.parallel).map(async (s) => {
        const { letter } = await ctx.chooseLetter(recoveryPrompt(question, s.text), letters, s.index % ctx.parallel);
        s.extracted = letter;
        s.recovered = true;
        s.text = `${s.text}\nThe answer is ${letter}`;
        tokens += 1;
      }),
    );
  }
  const vote = majorityVote(out);
  return {
    tokens,
    label: {
      questionId: q.id,
      label: vote.label,
      votes: vote.votes,
      recovered: vote.recovered,
      voteShare: vote.voteShare,
      tie: vote.tie,
      written: vote.written,
      sampleCount: vote.samples,
      rarelyAnswered: vote.rarelyAnswered,
      agreesWithIntended: q.intendedAnswer && vote.label ? vote.label === q.intendedAnswer : null,
      samples: out,
    },
  };
}
