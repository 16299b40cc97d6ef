import { z } from 'zod';

export const jobKinds = ['import-orphanet', 'synthesize', 'label', 'train', 'evaluate', 'download-model', 'demoModel.build'] as const;
export type JobKind = (typeof jobKinds)[number];

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

export const jobIdSchema = z.object({ id: z.string().min(1).max(100) }).strict();
