/**
 * Benchmark evaluation under the MedSSR protocol: imported benchmark sets (MedSSR JSON), evaluation runs of a
 * model (optionally with a LoRA adapter), per-set results and a per-question comparison of two runs.
 * Accuracies are percentages rounded to two decimals, as MedSSR's evaluation script reports them.
 */
import { z } from 'zod';
import type { Throughput } from './synthesis.js';

export interface BenchmarkOption {
  letter: string;
  text: string;
}

export interface BenchmarkSummary {
  id: number;
  /** The set's name from the file's `name` field (e.g. "medqa"). */
  name: string;
  version: number;
  questions: number;
  /** Sorted answer letters occurring as gold in the set (what MedSSR's script lets its recovery pass choose). */
  letters: string[];
  sourcePath: string | null;
  sha256: string;
  importedAt: string;
}

export interface BenchmarkImportResult {
  file: string;
  sets: (BenchmarkSummary & { created: boolean })[];
  /** Non-fatal notes, e.g. text after the option lines that was kept in the prompt but not parsed as options. */
  warnings: string[];
}

export const evalSamplingSchema = z
  .object({
    temperature: z.number().min(0).max(5).default(0.6),
    topP: z.number().min(0).max(1).default(0.95),
    topK: z.number().int().min(0).max(1000).default(20),
    maxTokens: z.number().int().min(1).max(32768).default(4096),
    seed: z.number().int().min(0).max(2 ** 32 - 1).default(42),
  })
  .strict();
export type EvalSampling = z.output<typeof evalSamplingSchema>;

export const evaluateInputSchema = z
  .object({
    benchmarkIds: z.array(z.number().int().min(1)).min(1).max(100),
    modelPath: z.string().min(1).max(4096),
    adapterPath: z.string().min(1).max(4096).optional(),
    adapterScale: z.number().min(0).max(10).default(1),
    /** Sampled generations per question (MedSSR: 4). */
    generations: z.number().int().min(1).max(64).default(4),
    /** First N questions of each set; all when absent. */
    limit: z.number().int().min(1).max(1_000_000).optional(),
    sampling: evalSamplingSchema.default(() => evalSamplingSchema.parse({})),
    /** The constrained recovery pass for generations without an extractable answer. */
    recovery: z.boolean().default(true),
    /**
     * How the recovery pass constrains its answer: 'grammar' = one token, only the question's letters;
     * 'logit-bias' = MedSSR's script exactly (+100 on the file's gold letters, greedy, 1 token for Qwen2/Qwen3/m1
     * models and 2 for others).
     */
    recoveryMethod: z.enum(['grammar', 'logit-bias']).default('grammar'),
    /** 'auto' = MedSSR's rule: the COT template when "base" is in the model's file name, else the chat template. */
    promptMode: z.enum(['auto', 'chat', 'base']).default('auto'),
    /** Parallel sequences in one context; 0 = one per generation. */
    parallel: z.number().int().min(0).max(64).default(0),
    threads: z.number().int().min(0).max(256).optional(),
    contextSize: z.number().int().min(64).max(262144).optional(),
    label: z.string().trim().max(200).optional(),
  })
  .strict();
export type EvaluateInput = z.output<typeof evaluateInputSchema>;

export interface GenerationMetrics {
  generation: number;
  /** Percent correct over the set's evaluated questions, two decimals. */
  accuracy: number;
  correct: number;
  invalid: number;
  recovered: number;
}

/** One set's result, in the shape `medssr eval --json` prints (plus ids and per-generation detail). */
export interface SetResult {
  benchmarkId: number;
  name: string;
  version: number;
  /** Questions evaluated (all generations stored). */
  n: number;
  accuracyMean: number;
  /** Population standard deviation over generations (numpy's default), two decimals. */
  accuracyStd: number;
  /** Generations with no answer after extraction and recovery. */
  invalid: number;
  /** Generations whose answer came from the recovery pass. */
  recovered: number;
  perGeneration: GenerationMetrics[];
}

/**
 * One benchmark file's score as MedSSR's script reports it (one log entry per file, whatever `name`s its items
 * carry): accuracy per generation over all the file's questions, their mean and std, two decimals.
 */
export interface FileResult {
  /** The file the sets were imported from (null when unknown). */
  sourcePath: string | null;
  /** The script's "dataset": the `name` of the file's first item. */
  dataset: string;
  benchmarkIds: number[];
  n: number;
  averageAccuracy: number;
  stdAccuracy: number;
  invalid: number;
  recovered: number;
  perGeneration: GenerationMetrics[];
}

/**
 * A run's real state: 'completed' when stored as finished, otherwise its job's state ('queued', 'running',
 * 'failed', 'cancelled', 'interrupted'), or 'incomplete' when the job that made it is gone.
 */
export type EvalRunState = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted' | 'incomplete';

export interface EvalRunSummary {
  id: number;
  jobId: string | null;
  label: string;
  modelPath: string;
  adapterPath: string | null;
  generations: number;
  limit: number | null;
  settings: EvaluateInput;
  state: EvalRunState;
  /** The job's error when the run failed, else null. */
  error: string | null;
  createdAt: string;
  completedAt: string | null;
  results: SetResult[];
  /** Per-file scores beside the per-name split (equal to it when each file holds one name). */
  files: FileResult[];
}

export interface EvalGeneration {
  generation: number;
  text: string;
  /** Letter found in the text by MedSSR's extraction rules; null when none. */
  extracted: string | null;
  /** Final answer after the recovery pass; null when invalid. */
  answer: string | null;
  recovered: boolean;
  correct: boolean;
  tokens: number;
}

export const comparisonOutcomes = ['fixed', 'broken', 'both-right', 'both-wrong'] as const;
export type ComparisonOutcome = (typeof comparisonOutcomes)[number];

export interface ComparedQuestion {
  seq: number;
  externalId: string;
  gold: string;
  /** First line of the stem, for the list. */
  preview: string;
  /** Fraction of generations correct in each run (null when the run did not evaluate it). */
  before: number | null;
  after: number | null;
  /** Majority-correct in each run decides the outcome (more than half of the generations right). */
  outcome: ComparisonOutcome | null;
}

export interface ComparisonPage {
  benchmarkId: number;
  counts: Record<ComparisonOutcome, number>;
  total: number;
  questions: ComparedQuestion[];
}

export interface QuestionDetail {
  seq: number;
  externalId: string;
  question: string;
  gold: string;
  options: BenchmarkOption[];
  runs: { runId: number; generations: EvalGeneration[] }[];
}

export const benchmarkImportSchema = z.object({ path: z.string().min(1).max(4096) }).strict();
export const runRefSchema = z.object({ id: z.number().int().min(1) }).strict();
export const compareInputSchema = z
  .object({
    before: z.number().int().min(1),
    after: z.number().int().min(1),
    benchmarkId: z.number().int().min(1),
    outcome: z.enum(comparisonOutcomes).optional(),
    offset: z.number().int().min(0).default(0),
    limit: z.number().int().min(1).max(500).default(100),
  })
  .strict();
export const questionDetailSchema = z
  .object({ benchmarkId: z.number().int().min(1), seq: z.number().int().min(0), runIds: z.array(z.number().int().min(1)).min(1).max(4) })
  .strict();
export const exportCsvSchema = z
  .object({
    runId: z.number().int().min(1),
    /** 'summary': one row per set and generation; 'questions': one row per question and generation. */
    kind: z.enum(['summary', 'questions']).default('summary'),
  })
  .strict();

export interface CsvExport {
  /** Where the server wrote the file (in the data folder's exports/). */
  path: string;
  fileName: string;
  /** The same content, for a download in browser mode. */
  csv: string;
}

/** A completed 'evaluate' job's result. */
export interface EvaluateJobResult {
  runId: number;
  results: SetResult[];
  /** Per-file scores, as MedSSR's script reports them. */
  files: FileResult[];
  /** The prompt form used ('base' = the COT template) and the recovery method. */
  promptMode: 'chat' | 'base' | null;
  recoveryMethod: 'grammar' | 'logit-bias' | 'off';
  questions: number;
  /** Generations sampled by this (possibly resumed) execution. */
  generationsDone: number;
  tokens: number;
  seconds: number;
  questionsPerSecond: number;
  tokensPerSecond: number;
  parallel: number;
  threads: number;
  /** What llama.cpp evaluated and generated in this job (null when nothing was left to evaluate). */
  throughput: Throughput | null;
}
