/**
 * Two-stage GRPO training shapes shared by main, the CLI and the renderer: run settings (presets plus advanced
 * overrides), the data of each stage, and what a run records (per-step metrics with timings, quick evaluations,
 * checkpoints, adapters, logs).
 */
import { z } from 'zod';
import type { LearningSignal } from './trainingSignal.js';
import { emptyInput, method } from './method.js';

export const loraTargets = ['attn_q', 'attn_k', 'attn_v', 'attn_output', 'ffn_gate', 'ffn_up', 'ffn_down'] as const;
export type LoraTarget = (typeof loraTargets)[number];

export const lossAggregations = ['token-mean', 'seq-mean-token-mean', 'dr-grpo'] as const;
export const presetNames = ['cpu-demo', 'small-gpu', 'full-gpu'] as const;
export type PresetName = (typeof presetNames)[number];

export const trainSettingsSchema = z
  .object({
    /** Where the trainer runs: 'auto' picks as node-llama-cpp's runtime would (see native/README.md). */
    backend: z.enum(['auto', 'cpu', 'cuda', 'vulkan']),
    /** CPU threads for rollouts and the trainer (they run one after the other); 0 = chosen from the model size. */
    threads: z.number().int().min(0).max(256),
    seed: z.number().int().min(0).max(2 ** 31 - 1),
    /** G: completions sampled per prompt. */
    groupSize: z.number().int().min(2).max(64),
    promptsPerStep: z.number().int().min(1).max(512),
    lr: z.number().positive().max(1),
    schedule: z.enum(['constant', 'cosine']),
    warmupSteps: z.number().int().min(0).max(100_000),
    weightDecay: z.number().min(0).max(1),
    maxGradNorm: z.number().min(0).max(1000),
    loraRank: z.number().int().min(1).max(512),
    loraAlpha: z.number().positive().max(4096),
    loraTargets: z.array(z.enum(loraTargets)).min(1),
    epsilonLow: z.number().min(0).max(1),
    epsilonHigh: z.number().min(0).max(1),
    /** KL penalty to the base model; 0 turns it off (as in DAPO / Dr. GRPO). */
    beta: z.number().min(0).max(10),
    lossAggregation: z.enum(lossAggregations),
    /** Scale advantages by the group's reward std (false = Dr. GRPO). */
    scaleRewards: z.boolean(),
    skipZeroStdGroups: z.boolean(),
    maxCompletionTokens: z.number().int().min(1).max(32768),
    temperature: z.number().min(0).max(5),
    topP: z.number().min(0).max(1),
    topK: z.number().int().min(0).max(1000),
    stage1Steps: z.number().int().min(0).max(1_000_000),
    stage2Steps: z.number().int().min(0).max(1_000_000),
    /**
     * 'fresh': stage 2 is its own training, as in the paper: it starts from stage 1's adapter with a new AdamW
     * state, and the learning-rate schedule and warm-up run again over stage 2's steps. 'continue': stage 1's
     * optimizer state carries on and one schedule spans both stages.
     */
    stage2Optimizer: z.enum(['fresh', 'continue']),
    /**
     * Updates per batch of rollouts. ε-low/high clip the importance ratio, which differs from 1 only from the
     * second update on a batch, so with 1 they have no effect.
     */
    ppoEpochs: z.number().int().min(1).max(16),
    /** Added to the reward when the completion states its answer in the expected form; 0 = off. */
    formatReward: z.number().min(0).max(1),
    checkpointEvery: z.number().int().min(1).max(100_000),
    /** Quick evaluation on the held-out slice every N steps (and at each stage's end); 0 = only at stage ends. */
    evalEvery: z.number().int().min(0).max(100_000),
    /** Questions of each stage kept out of training for the quick evaluation. */
    heldOut: z.number().int().min(0).max(10_000),
  })
  .strict();
export type TrainSettings = z.output<typeof trainSettingsSchema>;

const common = {
  seed: 1,
  threads: 0,
  schedule: 'constant',
  warmupSteps: 0,
  weightDecay: 0,
  maxGradNorm: 1,
  loraTargets: [...loraTargets],
  epsilonLow: 0.2,
  epsilonHigh: 0.28,
  beta: 0,
  lossAggregation: 'token-mean',
  scaleRewards: true,
  skipZeroStdGroups: false,
  topP: 1,
  topK: 0,
  formatReward: 0,
  stage2Optimizer: 'fresh',
  ppoEpochs: 1,
} as const;

/** Starting points; every field can be overridden in the advanced settings. */
export const presets: Record<PresetName, { label: string; description: string; settings: TrainSettings }> = {
  'cpu-demo': {
    label: 'Quick CPU demo',
    description: 'A few steps on the CPU with short completions: shows the loop and the charts in minutes, not a useful model.',
    settings: {
      ...common,
      loraTargets: [...common.loraTargets],
      backend: 'cpu',
      groupSize: 4,
      promptsPerStep: 2,
      lr: 1e-3,
      loraRank: 4,
      loraAlpha: 8,
      maxCompletionTokens: 48,
      temperature: 1,
      stage1Steps: 6,
      stage2Steps: 4,
      checkpointEvery: 2,
      evalEvery: 0,
      heldOut: 4,
    },
  },
  'small-gpu': {
    label: 'Small GPU (8–16 GB)',
    description: 'A 0.5B–1.5B model with LoRA rank 16 and 512-token completions.',
    settings: {
      ...common,
      loraTargets: [...common.loraTargets],
      backend: 'cuda',
      groupSize: 8,
      promptsPerStep: 8,
      lr: 2e-4,
      loraRank: 16,
      loraAlpha: 32,
      maxCompletionTokens: 512,
      temperature: 1,
      stage1Steps: 200,
      stage2Steps: 100,
      checkpointEvery: 20,
      evalEvery: 20,
      heldOut: 64,
    },
  },
  'full-gpu': {
    label: 'Full GPU (24 GB and more)',
    description: "Close to MedSSR's settings: G = 8, 1024-token completions, cosine schedule; clip-higher ε acts with PPO epochs > 1.",
    settings: {
      ...common,
      loraTargets: [...common.loraTargets],
      backend: 'cuda',
      groupSize: 8,
      promptsPerStep: 32,
      lr: 1e-4,
      schedule: 'cosine',
      warmupSteps: 10,
      loraRank: 64,
      loraAlpha: 128,
      maxCompletionTokens: 1024,
      temperature: 1,
      stage1Steps: 500,
      stage2Steps: 200,
      checkpointEvery: 25,
      evalEvery: 25,
      heldOut: 128,
    },
  },
};

export const reviewFilters = ['any', 'not-rejected', 'approved'] as const;

export const stage1DataSchema = z
  .object({
    /** Synthetic dataset (pseudo-labelled by a 'label' job). */
    dataset: z.string().trim().min(1).max(200).optional(),
    /**
     * Pseudo-labelled sets in MedSSR's JSON shape (the released synthetic set, or this app's export): the label and
     * vote share from meta.pseudoLabel / meta.voteShare (or top-level pseudoLabel/pseudo_label, voteShare/vote_share),
     * else gold; extra fields are kept.
     */
    files: z.array(z.string().min(1).max(4096)).max(50).default([]),
    version: z.number().int().min(1).optional(),
    /** Keep questions whose pseudo-label won at least this share of the votes. */
    minVoteShare: z.number().min(0).max(1).default(0.5),
    /** Review status filter; applies when the review tables exist. */
    review: z.enum(reviewFilters).default('any'),
    limit: z.number().int().min(1).max(1_000_000).optional(),
  })
  .strict()
  .refine((d) => d.dataset !== undefined || d.files.length > 0, { message: 'stage 1 needs a dataset or files' });
export type Stage1Data = z.output<typeof stage1DataSchema>;

export const stage2DataSchema = z
  .object({
    /** Human-labelled questions in MedSSR's JSON format ({ id, question, gold, ... }). */
    files: z.array(z.string().min(1).max(4096)).max(50).default([]),
    /** A synthetic dataset whose reviewed answers serve as gold (questions a reviewer approved or corrected). */
    reviewedDataset: z.object({ dataset: z.string().trim().min(1).max(200), version: z.number().int().min(1).optional() }).strict().optional(),
    limit: z.number().int().min(1).max(1_000_000).optional(),
  })
  .strict();
export type Stage2Data = z.output<typeof stage2DataSchema>;

export const trainInputSchema = z
  .object({
    name: z.string().trim().min(1).max(200).default('run'),
    modelPath: z.string().min(1).max(4096),
    stage1: stage1DataSchema.optional(),
    stage2: stage2DataSchema.optional(),
    preset: z.enum(presetNames).default('cpu-demo'),
    /** Overrides of the preset's settings. */
    settings: trainSettingsSchema.partial().default({}),
  })
  .strict()
  .refine((i) => i.stage1 !== undefined || i.stage2 !== undefined, { message: 'give stage 1 data, stage 2 data or both' });
export type TrainInput = z.output<typeof trainInputSchema>;
export type TrainInputRaw = z.input<typeof trainInputSchema>;

export function resolveSettings(input: Pick<TrainInput, 'preset' | 'settings'>): TrainSettings {
  return trainSettingsSchema.parse({ ...presets[input.preset].settings, ...input.settings });
}

export interface StepTimings {
  /** Sampling the G completions per prompt from the current policy. */
  rolloutS: number;
  /** Loading the latest adapter into the sampling context. */
  policyReloadS: number;
  rewardS: number;
  /** The trainer's step command (forward, backward, update) as seen from here. */
  trainerS: number;
  /** Writing the adapter the next rollouts use. */
  adapterSaveS: number;
  /** Everything else: batching, tokenising, storing metrics. */
  overheadS: number;
  totalS: number;
}

export interface StepRecord {
  step: number;
  stage: 1 | 2;
  stageStep: number;
  metrics: Record<string, number | boolean>;
  timings: StepTimings;
  createdAt: string;
}

export interface EvalRecord {
  step: number;
  stage: 1 | 2;
  n: number;
  correct: number;
  invalid: number;
  accuracy: number;
}

export interface TrainLogLine {
  id: number;
  at: string;
  level: 'info' | 'warn' | 'error';
  message: string;
}

export type RunState = 'preparing' | 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted';

export interface StageDataSummary {
  train: number;
  heldOut: number;
  sources: string[];
}

export interface RunSummary {
  /** Whether the steps recorded so far had any reward difference to learn from (see trainingSignal.ts). */
  learning: LearningSignal;
  id: number;
  name: string;
  jobId: string | null;
  state: RunState;
  createdAt: string;
  finishedAt: string | null;
  modelPath: string;
  preset: PresetName;
  settings: TrainSettings;
  data: { stage1: StageDataSummary | null; stage2: StageDataSummary | null };
  totalSteps: number;
  stepsDone: number;
  lastEval: EvalRecord | null;
  error: string | null;
}

export interface AdapterRecord {
  id: number;
  runId: number;
  runName: string;
  step: number;
  stage: 1 | 2;
  kind: 'checkpoint' | 'stage-end' | 'final';
  path: string;
  sizeBytes: number | null;
  createdAt: string;
  modelPath: string;
  data: RunSummary['data'];
  eval: EvalRecord | null;
  /** The learning signal of its run up to this adapter's step: `none` marks an adapter that learned nothing. */
  learning: LearningSignal;
}

export interface CheckpointRecord {
  step: number;
  stage: 1 | 2;
  checkpointPath: string;
  adapterPath: string;
  createdAt: string;
}

export interface RunDetail extends RunSummary {
  checkpoints: CheckpointRecord[];
  adapters: AdapterRecord[];
  evals: EvalRecord[];
  trainer: Record<string, unknown> | null;
}

export interface TrainEstimate {
  stage1Items: number;
  stage2Items: number;
  totalSteps: number;
  /** Completion tokens sampled over the whole run (upper bound: every completion at max length). */
  rolloutTokens: number;
  seconds: number;
  memoryBytes: number;
  /** How the figures were obtained (measured on this machine or assumed). */
  basis: string[];
}

export const runRefSchema = z.object({ runId: z.number().int().min(1) }).strict();
export const metricsQuerySchema = z.object({ runId: z.number().int().min(1), afterStep: z.number().int().min(0).default(0) }).strict();
export const logsQuerySchema = z.object({ runId: z.number().int().min(1), afterId: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(5000).default(500) }).strict();
export const exportAdapterSchema = z.object({ adapterId: z.number().int().min(1), path: z.string().min(1).max(4096) }).strict();
export const mergeAdapterSchema = z
  .object({
    adapterId: z.number().int().min(1),
    /** Destination .gguf file (or a folder: run-N-step-M-merged.gguf inside it). */
    path: z.string().min(1).max(4096),
    /** Add the merged model to the model registry. */
    register: z.boolean().default(true),
  })
  .strict();
/** Where the verl run will go: verl needs the cluster's shape written into its configuration. */
export const exportVerlSchema = z
  .object({
    runId: z.number().int().min(1),
    dir: z.string().min(1).max(4096),
    /** GPUs on each node (trainer.n_gpus_per_node). */
    gpusPerNode: z.number().int().min(1).max(64).default(1),
    nnodes: z.number().int().min(1).max(1024).default(1),
    /** vLLM tensor parallelism of the rollouts (rollout.tensor_model_parallel_size); must divide the GPUs of a node. */
    tensorParallel: z.number().int().min(1).max(64).default(1),
  })
  .strict()
  .refine((v) => v.gpusPerNode % v.tensorParallel === 0, { message: 'tensorParallel must divide gpusPerNode', path: ['tensorParallel'] });

export interface VerlExport {
  dir: string;
  files: string[];
  format: 'parquet' | 'jsonl';
  /** data.max_prompt_length written, and how the longest prompt was measured. */
  maxPromptLength: number;
  longestPromptTokens: number;
  promptLengthBasis: string;
  /** 'tokenizer': counted with the run's GGUF tokenizer; 'bytes': the UTF-8 upper bound (the README says why). */
  promptLengthMethod: 'tokenizer' | 'bytes';
  /** What run.sh defaults BASE_MODEL to (still overridable) and the GGUF metadata key it came from; null: it must be given. */
  baseModel: { id: string; from: string } | null;
  /** Where there is no default: what the GGUF's metadata does say, to check by hand. */
  baseModelHint: string | null;
  /** Everything verl will do differently from the local run (also in the export's README). */
  warnings: string[];
}

/** A verl checkpoint's LoRA adapter (PEFT) brought back as a GGUF adapter of `base`, registered as an imported run. */
export const importVerlSchema = z
  .object({
    /** A PEFT folder (adapter_model.safetensors + adapter_config.json), or verl's global_step_N / actor folder holding lora_adapter/. */
    checkpoint: z.string().min(1).max(4096),
    /** The base GGUF the adapter was trained on (the GGUF of the Hugging Face checkpoint verl trained). */
    base: z.string().min(1).max(4096),
    name: z.string().trim().min(1).max(200).optional(),
    /** lora_alpha, where adapter_config.json lacks it (verl's model merger writes 0). */
    alpha: z.number().positive().max(4096).optional(),
  })
  .strict();

export interface VerlImport {
  runId: number;
  adapterId: number;
  path: string;
  arch: string;
  rank: number;
  alpha: number;
  tensors: number;
  layers: number;
}

export const estimateInputSchema = z
  .object({
    run: trainInputSchema,
    /** Measure this machine's speed now (loads the model) when no earlier run on it has. */
    measure: z.boolean().default(false),
  })
  .strict();

/** Spread into the contract's apiMethods. */
export const trainingMethods = {
  'training.estimate': method<TrainEstimate>()(estimateInputSchema),
  /** Starts a 'train' job; metrics arrive as the run records them (training.metrics), progress as job events. */
  'training.start': method<{ jobId: string }>()(trainInputSchema),
  'training.runs': method<RunSummary[]>()(emptyInput),
  'training.run': method<RunDetail | null>()(runRefSchema),
  'training.metrics': method<StepRecord[]>()(metricsQuerySchema),
  'training.logs': method<TrainLogLine[]>()(logsQuerySchema),
  'training.adapters': method<AdapterRecord[]>()(emptyInput),
  'training.exportAdapter': method<{ path: string }>()(exportAdapterSchema),
  'training.exportVerl': method<VerlExport>()(exportVerlSchema),
  'training.importVerl': method<VerlImport>()(importVerlSchema),
  /** The adapter merged into its base model as a full GGUF (F32/F16/BF16 bases). */
  'training.mergeAdapter': method<{ path: string; mergedTensors: number }>()(mergeAdapterSchema),
} as const;

/** A completed 'train' job's result. */
export interface TrainResult {
  runId: number;
  steps: number;
  restarts: number;
  finalAdapter: string | null;
  lastEval: EvalRecord | null;
  meanTimings: StepTimings | null;
}
