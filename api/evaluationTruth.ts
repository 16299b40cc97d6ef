/**
 * What an evaluation result may be used for, decided in one place so the table, the chart, the CSV and the
 * CLI agree: only a completed run is a result, two runs are compared only when they asked the same questions
 * the same number of times, and every accuracy carries how its answers came about.
 */
import type { EvalRunState, EvalRunSummary, SetResult } from './evaluation.js';

export interface AnswerShares {
  /** Generations scored (questions × generations). */
  total: number;
  /** Answers the model wrote itself (found in its text by the extraction rules). */
  written: number;
  /** Answers forced by the one-token recovery pass. */
  recovered: number;
  /** Generations with no answer at all. */
  invalid: number;
  /** True when more than half of the answers were forced: the accuracy then says little about the model's reasoning. */
  mostlyRecovered: boolean;
}

export function answerShares(r: Pick<SetResult, 'n' | 'perGeneration' | 'recovered' | 'invalid'>): AnswerShares {
  const total = r.n * r.perGeneration.length;
  const written = Math.max(0, total - r.recovered - r.invalid);
  return { total, written, recovered: r.recovered, invalid: r.invalid, mostlyRecovered: total > 0 && r.recovered * 2 > total };
}

/** Percent with no decimals unless it would round to 0 or 100 while not being exactly that. */
export function sharePercent(part: number, total: number): string {
  if (total <= 0) return '—';
  const p = (part / total) * 100;
  if (p > 0 && p < 1) return '<1%';
  if (p < 100 && p > 99) return '>99%';
  return `${Math.round(p)}%`;
}

/** "written 20% · recovered 80% · invalid 0%" for a tooltip, a CSV or a caption. */
export function describeShares(s: AnswerShares): string {
  return `written ${sharePercent(s.written, s.total)} · recovered ${sharePercent(s.recovered, s.total)} · invalid ${sharePercent(s.invalid, s.total)}`;
}

export const runStateLabels: Record<EvalRunState, string> = {
  queued: 'queued',
  running: 'running',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
  interrupted: 'interrupted — resumable',
  incomplete: 'incomplete',
};

/** Why a run cannot stand as a result (Before or After, a chart bar): null when it can. */
export function notAResult(run: Pick<EvalRunSummary, 'state' | 'results' | 'error'>): string | null {
  if (run.state !== 'completed') {
    return run.state === 'failed' && run.error ? `the run failed: ${run.error}` : `the run is ${runStateLabels[run.state]}`;
  }
  if (!run.results.some((r) => r.n > 0)) return 'the run evaluated no question';
  return null;
}

/**
 * Reasons two runs do not measure the same thing (empty when comparable): both must be results, over the same
 * sets (same versions), the same question limit and the same number of generations.
 */
export function incomparableReasons(
  before: Pick<EvalRunSummary, 'id' | 'state' | 'results' | 'error' | 'limit' | 'generations'>,
  after: Pick<EvalRunSummary, 'id' | 'state' | 'results' | 'error' | 'limit' | 'generations'>,
): string[] {
  const reasons: string[] = [];
  if (before.id === after.id) reasons.push('Before and After are the same run');
  for (const [name, run] of [['Before', before], ['After', after]] as const) {
    const why = notAResult(run);
    if (why) reasons.push(`${name} (#${run.id}): ${why}`);
  }
  const sets = (r: typeof before) => r.results.map((s) => `${s.name} v${s.version}`).sort().join(', ');
  if (sets(before) !== sets(after)) reasons.push(`different sets: ${sets(before) || 'none'} vs ${sets(after) || 'none'}`);
  if (before.limit !== after.limit) {
    const lim = (l: number | null) => (l ? `first ${l}` : 'all questions');
    reasons.push(`different question limits: ${lim(before.limit)} vs ${lim(after.limit)}`);
  }
  if (before.generations !== after.generations) reasons.push(`different generations per question: ${before.generations} vs ${after.generations}`);
  return reasons;
}
