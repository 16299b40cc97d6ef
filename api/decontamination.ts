/**
 * Decontamination: how much of the data a model trains on overlaps a benchmark it is evaluated on. A dataset
 * is compared with every imported benchmark before training; an evaluation of an adapter is compared with the
 * questions its training run actually used (the run's snapshot, datasets and files alike).
 */
import { z } from 'zod';
import { method } from './method.js';
import { datasetRefSchema } from './synthesis.js';
import { stage2DataSchema } from './training.js';

export interface OverlapExample {
  kind: 'ngram' | 'near-duplicate';
  /** Exact Jaccard of the word 3-shingles, on near-duplicates. */
  jaccard?: number;
  /** The training-side question (synthetic question id, or `stage N #idx` of a training snapshot). */
  itemId: string;
  itemText: string;
  benchmarkQuestionId: string;
  benchmarkText: string;
}

export interface BenchmarkOverlapReport {
  benchmarkId: number;
  benchmark: string;
  benchmarkVersion: number;
  benchmarkQuestions: number;
  /** Compared questions sharing at least one word 13-gram with a question of this benchmark. */
  ngramHits: number;
  /** Compared questions with a near-duplicate (exact Jaccard ≥ threshold) in this benchmark. */
  nearDuplicates: number;
  /** Up to five pairs to look at. */
  examples: OverlapExample[];
}

export interface OverlapSummary {
  /** Questions compared (a dataset's accepted questions, or a run's training items). */
  questions: number;
  ngram: number;
  jaccardThreshold: number;
  benchmarks: BenchmarkOverlapReport[];
  /** Some benchmark shares a 13-gram or a near-duplicate with the compared questions. */
  overlaps: boolean;
}

export interface DatasetOverlap extends OverlapSummary {
  dataset: string;
  version: number;
}

export interface TrainingOverlap extends OverlapSummary {
  /** The training run that wrote the adapter; null when the adapter is not one this app trained (nothing to compare). */
  run: { id: number; name: string } | null;
  /** How the adapter was recognised: its stored path, or its content (sha256: an exported or moved copy). Absent when run is null. */
  matchedBy?: 'path' | 'content';
}

/** Stage 2's human-labelled questions (files, a reviewed dataset) before a run: all of them, held-out slice included. */
export interface Stage2Overlap extends OverlapSummary {
  /** What was read, in words ("gold.json (40)"), as the run's data summary names it. */
  sources: string[];
}

export type { SeedBenchmarkFlag } from './synthesis.js';

export const trainingOverlapSchema = z
  .object({
    adapterPath: z.string().min(1).max(4096),
    /** The benchmarks to compare; every imported one when omitted. */
    benchmarkIds: z.array(z.number().int().positive()).max(100).optional(),
  })
  .strict();

export const decontaminationMethods = {
  /** A complete dataset's accepted questions against every imported benchmark (cached: both sides are immutable); admin: its examples quote benchmark questions, which reviewers are not shown. */
  'synthesis.overlap': method<DatasetOverlap>()(datasetRefSchema),
  /** An adapter's training data (its run's snapshot) against the given benchmarks. */
  'evaluation.trainingOverlap': method<TrainingOverlap>()(trainingOverlapSchema),
  /** The Training form's stage 2 data against every imported benchmark, before a start; admin for the same reason as synthesis.overlap. */
  'training.stage2Overlap': method<Stage2Overlap>()(stage2DataSchema),
} as const;
