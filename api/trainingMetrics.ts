/**
 * The catalogue of training metrics: every name a step record may carry, with its label and unit, spelled once.
 * The trainer client (main/training/trainerProcess.ts) derives the types of the trainer's answers from it, the
 * session (main/training/session.ts) the metrics it adds from the rollouts, the charts
 * (renderer/src/pages/training/MetricsCharts.tsx) their titles; tests/main/training/metricCatalogue.test.ts checks
 * it against the names the native trainer emits (native/trainer/src) and the fake trainer.
 *
 * The bag stays open: a step record stores every number or boolean the trainer reports, catalogued or not, and the
 * charts show an uncatalogued one under its raw name. The catalogue gives names meaning; it does not filter them.
 */

/** How a value reads. 'flag' is the one boolean unit; every other unit is a number. */
export type MetricUnit = 'fraction' | 'reward' | 'nats' | 'tokens' | 'tokens/s' | 'bytes' | 's' | 'count' | 'learning rate' | 'norm' | 'flag';

export interface MetricInfo {
  label: string;
  unit: MetricUnit;
  /**
   * In the trainer's 'step' answer: 'always', or 'updated' when only a step that ran an update carries it (a step
   * whose groups all had equal rewards is skipped and reports none of these).
   */
  step?: 'always' | 'updated';
  /** In the trainer's 'sft' answer. */
  sft?: true;
  /** Computed by the session from the rollouts of the step, not by the trainer. */
  session?: true;
  description: string;
}

export const trainingMetrics = {
  reward_mean: { label: 'Reward (mean)', unit: 'reward', step: 'always', description: 'Mean reward over every completion of the step.' },
  reward_std: { label: 'Reward (std)', unit: 'reward', step: 'always', description: 'Sample standard deviation of the rewards of the step.' },
  frac_reward_zero_std: {
    label: 'Groups with equal rewards (no learning signal)',
    unit: 'fraction',
    step: 'always',
    description: 'Share of groups whose completions all scored the same: they have zero advantage and teach nothing.',
  },
  completion_length_mean: { label: 'Completion length', unit: 'tokens', step: 'always', description: 'Mean tokens per completion.' },
  completion_length_max: { label: 'Longest completion', unit: 'tokens', step: 'always', description: 'Tokens of the longest completion.' },
  groups: { label: 'Groups', unit: 'count', step: 'always', description: 'Prompt groups sent to the trainer.' },
  groups_used: { label: 'Groups used', unit: 'count', step: 'always', description: 'Groups that entered the loss (equal-reward groups can be skipped).' },
  completion_tokens: { label: 'Completion tokens', unit: 'tokens', step: 'always', description: 'Completion tokens over all groups.' },
  skipped: { label: 'Skipped', unit: 'flag', step: 'always', description: 'True when no group had a reward difference, so no update ran.' },
  updates: { label: 'Updates', unit: 'count', step: 'always', sft: true, description: 'Optimizer updates so far, this one included.' },
  step_time_s: { label: 'Trainer step time', unit: 's', step: 'always', sft: true, description: 'Wall time of the command inside the trainer.' },
  pg_loss: { label: 'Policy-gradient loss', unit: 'nats', step: 'updated', description: 'Policy-gradient term of the loss, mean over PPO epochs.' },
  loss: { label: 'Loss', unit: 'nats', step: 'updated', sft: true, description: 'GRPO: the loss the update minimised, mean over PPO epochs; SFT: mean next-token cross-entropy over the targets.' },
  kl: { label: 'KL to the base', unit: 'nats', step: 'updated', description: 'Per-token KL estimate between the policy and the base model.' },
  entropy: { label: 'Entropy', unit: 'nats', step: 'updated', description: 'Mean per-token entropy of the policy on the completions.' },
  clip_ratio_low: { label: 'Clip ratio (low)', unit: 'fraction', step: 'updated', description: 'Share of tokens whose ratio was clipped below 1 - epsilon_low.' },
  clip_ratio_high: { label: 'Clip ratio (high)', unit: 'fraction', step: 'updated', description: 'Share of tokens whose ratio was clipped above 1 + epsilon_high.' },
  clip_ratio: { label: 'Clip ratio', unit: 'fraction', step: 'updated', description: 'Share of tokens clipped on either side.' },
  grad_norm: { label: 'Grad norm', unit: 'norm', step: 'updated', sft: true, description: 'Gradient norm of the update (GRPO: mean over PPO epochs).' },
  lr: { label: 'Learning rate', unit: 'learning rate', step: 'updated', sft: true, description: 'Learning rate of this update (after warmup and schedule).' },
  tokens: { label: 'Trainer tokens', unit: 'tokens', step: 'updated', sft: true, description: 'GRPO: tokens through the model over every pass of the step (old policy, base, each PPO epoch); SFT: target tokens.' },
  sequence_tokens: { label: 'Sequence tokens', unit: 'tokens', sft: true, description: 'SFT: all tokens through the model, targets or not.' },
  tokens_per_s: { label: 'Trainer tokens/s', unit: 'tokens/s', step: 'updated', sft: true, description: 'Trainer tokens per second of the command\'s wall time.' },
  peak_memory_bytes: { label: 'Trainer peak memory', unit: 'bytes', step: 'updated', sft: true, description: 'Peak resident memory of the trainer process.' },
  compute_buffer_bytes: { label: 'Compute buffers', unit: 'bytes', step: 'updated', sft: true, description: 'Bytes of the ggml compute buffers of the last pass.' },
  accuracy: { label: 'Accuracy against the label', unit: 'fraction', session: true, description: 'Share of completions whose answer matched the label.' },
  format_rate: { label: 'Format rate', unit: 'fraction', session: true, description: 'Share of completions that gave an answer in the expected format.' },
  completion_clipped_ratio: {
    label: 'Completions cut at the limit',
    unit: 'fraction',
    session: true,
    description: 'Share of completions that stopped at max tokens instead of an end-of-generation token.',
  },
  rollout_tokens: { label: 'Rollout tokens', unit: 'tokens', session: true, description: 'Tokens sampled for the step.' },
  rollout_tokens_per_s: { label: 'Rollout tokens/s', unit: 'tokens/s', session: true, description: 'Sampled tokens per second of rollout time.' },
} as const satisfies Record<string, MetricInfo>;

export type TrainingMetricName = keyof typeof trainingMetrics;

export const trainingMetricNames = Object.keys(trainingMetrics) as TrainingMetricName[];

/**
 * Fields of the trainer's metric answers that are not metrics of the bag: the session stores numbers and booleans
 * only, so these never reach a step record.
 */
export const trainerMetricExtras = {
  placement: 'Where the last pass ran (graph splits, copies between backends, nodes per backend): an object, logged by benchmarks, not stored per step.',
} as const;

export type TrainerMetricExtra = keyof typeof trainerMetricExtras;

type Catalogue = typeof trainingMetrics;
type ValueOf<K extends TrainingMetricName> = Catalogue[K]['unit'] extends 'flag' ? boolean : number;
type NamesWhere<Shape> = { [K in TrainingMetricName]: Catalogue[K] extends Shape ? K : never }[TrainingMetricName];

/** The metrics of the trainer's 'step' answer, as the catalogue declares them. */
export type StepAnswerMetrics = { [K in NamesWhere<{ step: 'always' }>]: ValueOf<K> } & { [K in NamesWhere<{ step: 'updated' }>]?: ValueOf<K> };

/** Names the trainer's 'sft' answer carries. */
export type SftMetricName = NamesWhere<{ sft: true }>;

/** The metrics the session adds to every step record. */
export type SessionMetrics = { [K in NamesWhere<{ session: true }>]: ValueOf<K> };

export function isTrainingMetric(name: string): name is TrainingMetricName {
  return Object.hasOwn(trainingMetrics, name);
}

/** A finite number of a step's metric bag, or null when the step lacks it. */
export function metricNumber(metrics: Readonly<Record<string, number | boolean>>, name: string): number | null {
  const v = metrics[name];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
