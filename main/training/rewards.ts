/**
 * GRPO rewards: 1 when the completion's answer (MedSSR's extraction rules) equals the label, the pseudo-label in
 * stage 1 and the gold letter in stage 2; optionally a small bonus for stating an answer in the expected form, so
 * a model that never writes "The answer is X" gets a gradient towards it.
 */
import { extractOption, normaliseChoice } from '../labeling/index.js';

export interface RewardOutcome {
  reward: number;
  correct: boolean;
  /** The completion states an answer among the options. */
  formatted: boolean;
  answer: string | null;
}

export function scoreCompletion(text: string, label: string, letters: readonly string[], formatReward: number, modelName?: string): RewardOutcome {
  const answer = normaliseChoice(extractOption(text, modelName), letters);
  const correct = answer !== null && answer === label;
  const formatted = answer !== null;
  return { reward: (correct ? 1 : 0) + (formatted ? formatReward : 0), correct, formatted, answer };
}
