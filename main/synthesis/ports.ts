import type { PseudoLabel } from '../../api/synthesis.js';

/**
 * What synthesis shows of pseudo-labels without depending on the labeling domain (which builds on synthesis):
 * main/app passes labeling's implementation in.
 */
export interface PseudoLabelLookup {
  /** The latest label of each listed question of a dataset, by question seq (with its samples). */
  latestLabels(datasetId: number, seqs: ReadonlySet<number>): Map<number, PseudoLabel>;
  /** How many questions of a dataset have a label. */
  labelledCount(datasetId: number): number;
}

/**
 * Imported evaluation benchmarks, as decontamination reads them. The evaluation domain owns them and builds on
 * synthesis (through training), so main/app passes its implementation in.
 */
export interface BenchmarkSource {
  list(): { id: number; name: string; version: number }[];
  /** The benchmark's questions as stored (question text with its option lines), by external id. */
  questions(benchmarkId: number): { id: string; text: string }[];
}
