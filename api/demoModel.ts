/**
 * The nano demo model (issue 13): a tiny llama-architecture model trained here, from the imported knowledge base,
 * so that the offline demo shows MedSSR's stages changing something. Shapes shared by main, the CLI and the renderer.
 */
import { z } from 'zod';
import { emptyInput, method } from './method.js';

export const DEMO_DEFAULT_MINUTES = 20;

export const demoBuildInputSchema = z
  .object({
    /** Training budget in minutes; turned into a fixed step count (see DemoModelCard.calibration). */
    minutes: z.number().positive().max(24 * 60).default(DEMO_DEFAULT_MINUTES),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
    /** Trainer CPU threads: part of what makes a build reproducible. */
    threads: z.number().int().min(1).max(256).default(2),
    /** The model file; default <data folder>/models/nano-demo-s<seed>.gguf. */
    out: z.string().min(1).max(4096).optional(),
    /** Exactly this many optimizer steps instead of the minutes' (tests, benchmarks). */
    steps: z.number().int().min(1).max(1_000_000).optional(),
    /** At most this many disorders (a seeded sample of the knowledge base); 0 = all. */
    maxDisorders: z.number().int().min(0).max(100_000).default(400),
    /** Register the finished model in the Models list. */
    register: z.boolean().default(true),
  })
  .strict();
export type DemoBuildInput = z.output<typeof demoBuildInputSchema>;
export type DemoBuildInputRaw = z.input<typeof demoBuildInputSchema>;

export interface DemoArch {
  nEmbd: number;
  nLayer: number;
  nHead: number;
  nHeadKv: number;
  nFf: number;
  contextLength: number;
}

/** FILE.card.json beside the model: what it was trained on and how, so that it can be judged and rebuilt. */
export interface DemoModelCard {
  format: 'medssr-nano-card/1';
  model: string;
  command: string;
  seed: number;
  threads: number;
  minutes: number;
  steps: number;
  /** How minutes became steps: a constant measured once, never the speed of this run (that would break determinism). */
  calibration: { stepsPerMinute: number; measuredOn: string; stepsOverride: boolean };
  arch: DemoArch;
  parameters: number;
  vocab: { size: number; chars: number; merges: number; byteFallbackRate: number };
  data: {
    knowledgeVersion: string | null;
    disorders: number;
    cards: number;
    trainQuestions: number;
    sequences: number;
    tokens: number;
    trainedTokensPerEpoch: number;
    droppedTooLong: number;
    questionFile: string;
  };
  /** ORPHA codes of each split: train = cards and questions seen; stage1/stage2/heldOut = cards only. */
  split: { train: string[]; stage1: string[]; stage2: string[]; heldOut: string[]; cardOnly: string[] };
  optim: { lr: number; betas: [number, number]; weightDecay: number; maxGradNorm: number; schedule: 'cosine'; warmupSteps: number; minLrRatio: number; batch: number };
  lossCurve: { step: number; loss: number }[];
  /** Mean cross-entropy on the answer tokens of held-out questions, before and after training (no update). */
  heldOutAnswerLoss: { init: number; final: number; tokens: number };
  trainer: { backend: string; device: string; threads: number; nParams: number };
  time: { corpusS: number; trainS: number; totalS: number; resumedFromStep: number | null };
}

export interface DemoBuildResult {
  path: string;
  cardPath: string;
  questionsPath: string;
  steps: number;
  firstLoss: number;
  finalLoss: number;
  modelId: string | null;
}

export interface DemoModelStatus {
  /** Nano models found in the models folder, with their cards. */
  models: { path: string; card: DemoModelCard | null }[];
  /** What the offer says: the default budget. */
  defaultMinutes: number;
  /** Disorders in the knowledge base (the corpus is built from them). */
  disorders: number;
  trainerBuilt: boolean;
}

/** The demo's example: a nano model and its split's question files (beside the model), for the Training and Evaluation pages. */
export const demoExampleSchema = z
  .object({
    /** A nano model file; the first one in the models folder when absent. */
    model: z.string().min(1).max(4096).optional(),
  })
  .strict();

export interface DemoExample {
  model: string;
  /** The model's registry id: the example registers it (idempotent, as `models add`). */
  modelId: string;
  card: DemoModelCard;
  /** Questions about held-out disorders (cards seen, questions never), in MedSSR's format: the evaluation set. */
  heldOut: { path: string; name: string; questions: number };
  /** Questions about the stage-2 disorders with their gold answers: stage 2's human-labelled file. */
  stage2: { path: string; questions: number };
}

export const demoModelMethods = {
  /** Starts a 'demoModel.build' job; progress (steps, loss, ETA) comes as job events. */
  'demoModel.build': method<{ jobId: string }>()(demoBuildInputSchema),
  'demoModel.status': method<DemoModelStatus>()(emptyInput),
  /** Writes (or reuses) the example's question files beside the model and registers the model; refused when no nano model is built. */
  'demoModel.example': method<DemoExample>()(demoExampleSchema),
} as const;
