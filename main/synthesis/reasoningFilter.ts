/**
 * MedSSR's reasoning-vs-memorization filter: the model labels a question <Reasoning> or <Memorization> and
 * reasoning_prob is the normalised probability of the first label (from the two labels' token log-probabilities),
 * so the threshold (0.75 in the paper's sets) is applied to a calibrated number rather than to a sampled word.
 */
import type { GenerationContext, PromptSpec } from '../llm/index.js';

export const REASONING_LABEL = '<Reasoning>';
export const MEMORIZATION_LABEL = '<Memorization>';
export const CLASSIFIER_VERSION = 'reasoning-classifier-v1';

const instructions =
  'Classify the following multiple-choice medical question.\n' +
  `${REASONING_LABEL}: answering requires multi-step analysis, such as comparing several factors, interpreting a clinical scenario, or choosing the most likely diagnosis or the best next step.\n` +
  `${MEMORIZATION_LABEL}: the question can be answered by recalling a single fact.\n` +
  `Answer with exactly one label: ${REASONING_LABEL} or ${MEMORIZATION_LABEL}.`;

export function classifierPrompt(question: string): PromptSpec {
  return {
    turns: [
      { role: 'system', text: instructions },
      { role: 'user', text: `Question:\n${question}` },
    ],
    baseText: `${instructions}\n\nQuestion:\n${question}\n\nLabel: `,
  };
}

/** P(<Reasoning>) / (P(<Reasoning>) + P(<Memorization>)), computed in log space. */
export function reasoningProbFromLogProbs(logReasoning: number, logMemorization: number): number {
  const m = Math.max(logReasoning, logMemorization);
  const r = Math.exp(logReasoning - m);
  const k = Math.exp(logMemorization - m);
  return r / (r + k);
}

export async function reasoningProb(ctx: GenerationContext, question: string): Promise<number> {
  const [r, m] = await ctx.continuationLogProbs(classifierPrompt(question), [REASONING_LABEL, MEMORIZATION_LABEL]);
  return reasoningProbFromLogProbs(r as number, m as number);
}
