/**
 * Majority vote over the answers the model WROTE. A letter obtained by the constrained recovery pass says
 * which option the recovery prompt favoured, not that the model agreed, so recovered letters are counted
 * apart and never enter the label or the share (stories260K never wrote an answer yet used to get a share of
 * 0.875 from recovered letters alone). The share keeps MedSSR's denominator, all N samples (6/8 → 0.75).
 * A tie for first place gives no label and a flag, so such questions go to review instead of training.
 */
export interface VoteResult {
  label: string | null;
  /** Letter → number of samples that wrote it. */
  votes: Record<string, number>;
  /** Letter → number of samples whose letter came from the recovery pass. */
  recovered: Record<string, number>;
  /** Top written count / number of samples; null when no sample wrote an answer. */
  voteShare: number | null;
  tie: boolean;
  /** Samples with a written answer. */
  written: number;
  /** Samples in all (written, recovered and unanswered). */
  samples: number;
  /** Fewer than half the samples wrote an answer: the share rests on few of them. */
  rarelyAnswered: boolean;
}

export interface VoteInput {
  extracted: string | null;
  recovered: boolean;
}

export function majorityVote(samples: readonly VoteInput[]): VoteResult {
  const votes: Record<string, number> = {};
  const recovered: Record<string, number> = {};
  let written = 0;
  for (const s of samples) {
    if (!s.extracted) continue;
    if (s.recovered) {
      recovered[s.extracted] = (recovered[s.extracted] ?? 0) + 1;
      continue;
    }
    written++;
    votes[s.extracted] = (votes[s.extracted] ?? 0) + 1;
  }
  const n = samples.length;
  const rarelyAnswered = written * 2 < n;
  const ranked = Object.entries(votes).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const top = ranked[0];
  if (!top) return { label: null, votes, recovered, voteShare: null, tie: false, written, samples: n, rarelyAnswered };
  const tie = ranked.length > 1 && ranked[1]![1] === top[1];
  return { label: tie ? null : top[0], votes, recovered, voteShare: top[1] / n, tie, written, samples: n, rarelyAnswered };
}

/** The export contract for a labelled item (`meta` of the MedSSR-format export). */
export type { VoteMeta } from '../../api/datasets.js';
