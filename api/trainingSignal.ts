/**
 * Whether a training run had anything to learn from. GRPO learns only from differences between the rewards of
 * one prompt's completions: a group whose completions all scored the same has zero advantage and moves nothing.
 * A run in which every group was like that finished its steps, but learned nothing, and must say so.
 */

/** Aggregates of the recorded steps (up to some step), as the store computes them. */
export interface StepSignalStats {
  steps: number;
  /** Steps with at least one group whose rewards differed (frac_reward_zero_std < 1, or not recorded). */
  stepsWithSignal: number;
  maxAccuracy: number | null;
  minAccuracy: number | null;
  maxFormatRate: number | null;
}

export interface LearningSignal {
  steps: number;
  stepsWithSignal: number;
  /** True when steps were recorded and none had a reward difference in any group. */
  none: boolean;
  /** Why there was no signal, in words a user can act on; null while there is one. */
  reason: string | null;
}

export function learningSignal(s: StepSignalStats): LearningSignal {
  const none = s.steps > 0 && s.stepsWithSignal === 0;
  let reason: string | null = null;
  if (none) {
    const why =
      (s.maxFormatRate ?? 0) === 0 && (s.maxAccuracy ?? 0) === 0
        ? 'the model never wrote an answer in the expected form'
        : (s.minAccuracy ?? 0) >= 1
          ? 'every completion was already right'
          : (s.maxAccuracy ?? 0) === 0
            ? 'no completion was ever right'
            : "each prompt's completions were all right or all wrong";
    reason = `${why}, so every group's completions got equal rewards in all ${s.steps} step${s.steps === 1 ? '' : 's'} and nothing was learned`;
  }
  return { steps: s.steps, stepsWithSignal: s.stepsWithSignal, none, reason };
}
