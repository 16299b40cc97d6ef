/**
 * Scoring exactly as MedSSR's evaluation script: an answer is `pred.strip().rstrip(".").upper()` compared
 * with the gold letter, a missing answer is "UNKNOWN" (invalid), accuracy per generation is a percentage
 * rounded to two decimals, and the mean and (population) standard deviation are taken over those rounded
 * per-generation accuracies and rounded again.
 */
import type { ComparisonOutcome, GenerationMetrics } from '../../api/evaluation.js';
import { extractOption } from '../labeling/index.js';

export interface ScoredAnswer {
  extracted: string | null;
  answer: string | null;
  recovered: boolean;
  correct: boolean;
}

export function normalisePrediction(pred: string | null): string {
  return (pred ?? 'UNKNOWN').trim().replace(/\.+$/, '').toUpperCase();
}

/**
 * Scores one generation. `recoveredLetter` is the recovery pass's one-token answer, used only when the text
 * has no extractable answer (null when the pass did not run or failed: the generation is then invalid).
 * A letter outside the options still counts as an answer (wrong, not invalid), as in the script.
 */
export function scoreGeneration(text: string, gold: string, recoveredLetter: string | null, modelName?: string): ScoredAnswer {
  const extracted = extractOption(text, modelName);
  const recovered = extracted === null && recoveredLetter !== null;
  const answer = extracted ?? recoveredLetter;
  return { extracted, answer, recovered, correct: normalisePrediction(answer) === gold.trim().toUpperCase() };
}

/** True when the text needs the recovery pass. */
export function needsRecovery(text: string, modelName?: string): boolean {
  return extractOption(text, modelName) === null;
}

/**
 * Python's round(x, 2): correctly rounded from the double's exact value, ties (exactly representable
 * halves such as 0.125) to even. `toFixed` already rounds the exact value, but ties upwards.
 */
export function roundHalfEven2(x: number): number {
  const exact = Math.abs(x).toFixed(20);
  const tie = /^\d+\.(\d)(\d)50*$/.exec(exact);
  if (tie) {
    const down = Number(exact.slice(0, exact.indexOf('.') + 3));
    const even = Number(tie[2]) % 2 === 0;
    const r = even ? down : down + 0.01;
    return Number((x < 0 ? -r : r).toFixed(2));
  }
  return Number(x.toFixed(2));
}

/**
 * numpy's float64 sum (np.add.reduce): the first element, plus the pairwise sum of the rest (8 accumulators
 * up to 128 elements, halves above). Done the same way so mean and std agree with the script to the last bit.
 */
function pairwiseSum(xs: readonly number[], start: number, n: number): number {
  if (n < 8) {
    let r = 0;
    for (let i = 0; i < n; i++) r += xs[start + i] as number;
    return r;
  }
  if (n <= 128) {
    const r = Array.from({ length: 8 }, (_, j) => xs[start + j] as number);
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j]! += xs[start + i + j] as number;
    let res = (r[0]! + r[1]! + (r[2]! + r[3]!)) + (r[4]! + r[5]! + (r[6]! + r[7]!));
    for (; i < n; i++) res += xs[start + i] as number;
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(xs, start, n2) + pairwiseSum(xs, start + n2, n - n2);
}

export function numpySum(xs: readonly number[]): number {
  if (!xs.length) return 0;
  return (xs[0] as number) + pairwiseSum(xs, 1, xs.length - 1);
}

/** numpy.mean. */
export function mean(xs: readonly number[]): number {
  if (!xs.length) return 0;
  return numpySum(xs) / xs.length;
}

/** numpy.std with its default ddof=0. */
export function populationStd(xs: readonly number[]): number {
  if (!xs.length) return 0;
  const m = mean(xs);
  return Math.sqrt(numpySum(xs.map((x) => (x - m) * (x - m))) / xs.length);
}

/**
 * The script's `round(accuracy_score(golds, preds) * 100, 2)`: the fraction first, then × 100, each in
 * float64, then Python's rounding. 109/800 is 0.13625000000000000444 as a double, × 100 is
 * 13.625000000000002, so it rounds to 13.63 (computing 100 × 109 / 800 = 13.625 exactly would round to 13.62).
 */
export function scriptAccuracy(correct: number, n: number): number {
  return n ? roundHalfEven2((correct / n) * 100) : 0;
}

export interface ScoreRow {
  seq: number;
  generation: number;
  answer: string | null;
  recovered: boolean;
  correct: boolean;
}

export interface SetAggregate {
  n: number;
  accuracyMean: number;
  accuracyStd: number;
  invalid: number;
  recovered: number;
  perGeneration: GenerationMetrics[];
}

/**
 * Aggregates one set. Only questions with all `generations` stored count (a run still in progress or
 * cancelled reports the questions it finished), so every generation is scored over the same questions.
 */
export function aggregateSet(rows: readonly ScoreRow[], generations: number): SetAggregate {
  const bySeq = new Map<number, ScoreRow[]>();
  for (const r of rows) {
    if (r.generation >= generations) continue;
    const list = bySeq.get(r.seq) ?? [];
    list.push(r);
    bySeq.set(r.seq, list);
  }
  const complete = [...bySeq.values()].filter((list) => new Set(list.map((r) => r.generation)).size === generations);
  const n = complete.length;
  const perGeneration: GenerationMetrics[] = Array.from({ length: generations }, (_, g) => ({ generation: g, accuracy: 0, correct: 0, invalid: 0, recovered: 0 }));
  for (const list of complete) {
    for (const r of list) {
      const m = perGeneration[r.generation] as GenerationMetrics;
      if (r.correct) m.correct++;
      if (normalisePrediction(r.answer) === 'UNKNOWN') m.invalid++;
      if (r.recovered) m.recovered++;
    }
  }
  for (const m of perGeneration) m.accuracy = scriptAccuracy(m.correct, n);
  const accs = perGeneration.map((m) => m.accuracy);
  return {
    n,
    accuracyMean: n ? roundHalfEven2(mean(accs)) : 0,
    accuracyStd: n ? roundHalfEven2(populationStd(accs)) : 0,
    invalid: perGeneration.reduce((s, m) => s + m.invalid, 0),
    recovered: perGeneration.reduce((s, m) => s + m.recovered, 0),
    perGeneration,
  };
}

/** A question counts as right in a run when more than half of its generations are correct. */
export function compareOutcome(before: number | null, after: number | null): ComparisonOutcome | null {
  if (before === null || after === null) return null;
  const b = before > 0.5;
  const a = after > 0.5;
  if (a && b) return 'both-right';
  if (!a && !b) return 'both-wrong';
  return a ? 'fixed' : 'broken';
}
