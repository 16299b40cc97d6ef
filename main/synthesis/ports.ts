import type { PseudoLabel } from '../../api/synthesis.js';

/**
 * What synthesis shows of pseudo-labels without depending on the labeling domain (which builds on synthesis):
 * main/app passes labeling's implementation in.
 */
export interface PseudoLabelLookup {
  /** The latest label of each listed question of a dataset, by question seq (with its samples). */
  latestLabels(datasetId: number, seqs: ReadonlySet<number>): Map<number, PseudoLabel>;
}
