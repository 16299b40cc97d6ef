import { z } from 'zod';
import type { DemoBuildInput, DemoBuildResult } from './demoModel.js';
import { evaluateInputSchema, type EvaluateJobResult } from './evaluation.js';
import type { ImportReport } from './knowledge.js';
import { labelInputSchema, synthesizeInputSchema, type LabelJobResult, type ModelInfo, type SynthesisJobResult } from './synthesis.js';
import { trainInputSchema, type TrainResult } from './training.js';

export const jobKinds = ['import-orphanet', 'synthesize', 'label', 'train', 'evaluate', 'download-model', 'demoModel.build'] as const;
export type JobKind = (typeof jobKinds)[number];

/** What knowledge.import starts an 'import-orphanet' job with. */
export const importInputSchema = z
  .object({ path: z.string().min(1).max(4096), skipInvalid: z.boolean().default(false), allowRemovals: z.boolean().optional() })
  .strict();

/** An 'import-orphanet' job's parameters: knowledge.import's input, or the bundled demo set's first-start import. */
export const importJobParamsSchema = importInputSchema.extend({ allowRemovals: z.boolean().default(false), demo: z.boolean().default(false) }).strict();

/** Each kind's parameters as its handler reads them (the validated input of the Api method that starts it). */
export interface JobParams {
  'import-orphanet': z.output<typeof importJobParamsSchema>;
  synthesize: z.output<typeof synthesizeInputSchema>;
  label: z.output<typeof labelInputSchema>;
  train: z.output<typeof trainInputSchema>;
  evaluate: z.output<typeof evaluateInputSchema>;
  'download-model': { uri: string };
  /** demoModel.build's input with `out` resolved. */
  'demoModel.build': DemoBuildInput & { out: string };
}

/** Each kind's result once completed (a job's `result` is null until then). */
export interface JobResults {
  'import-orphanet': ImportReport;
  synthesize: SynthesisJobResult;
  label: LabelJobResult;
  train: TrainResult;
  evaluate: EvaluateJobResult;
  'download-model': ModelInfo;
  'demoModel.build': DemoBuildResult;
}

export const jobStates = ['queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted'] as const;
export type JobState = (typeof jobStates)[number];

export interface JobProgress {
  done: number;
  total: number | null;
  /** Human-readable current step, e.g. "Parsing packets". */
  message: string;
  /** Rate in units per second and the unit name, when meaningful. */
  rate?: { value: number; unit: string };
  etaSeconds?: number | null;
}

export interface JobInfo {
  id: string;
  kind: JobKind;
  title: string;
  state: JobState;
  progress: JobProgress;
  /** Arguments the job was started with; kept so an interrupted job can be resumed. */
  params: unknown;
  result: unknown;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** A job whose kind is known: its params and result typed by kind. */
export type JobOf<K extends JobKind> = Omit<JobInfo, 'kind' | 'params' | 'result'> & { kind: K; params: JobParams[K]; result: JobResults[K] | null };

/** Narrows a job to its kind (the renderer and the CLI read params and results through this, not a cast). */
export function isJobOfKind<K extends JobKind>(job: JobInfo, kind: K): job is JobInfo & JobOf<K> {
  return job.kind === kind;
}

export const jobIdSchema = z.object({ id: z.string().min(1).max(100) }).strict();
