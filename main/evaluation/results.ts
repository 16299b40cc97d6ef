/** Per-set results of a stored run, computed from its generations. */
import type { EvaluateInput, EvalRunSummary, SetResult } from '../../api/evaluation.js';
import type { EvalRunRow, EvaluationRepo } from './store.js';
import { aggregateSet } from './metrics.js';

export function runResults(repo: EvaluationRepo, run: EvalRunRow): SetResult[] {
  return run.benchmarkIds.flatMap((id) => {
    const b = repo.benchmark(id);
    if (!b) return [];
    const agg = aggregateSet(repo.scores(run.id, id), run.generations);
    return [{ benchmarkId: id, name: b.name, version: b.version, ...agg }];
  });
}

export function runSummary(repo: EvaluationRepo, run: EvalRunRow): EvalRunSummary {
  return {
    id: run.id,
    jobId: run.jobId,
    label: run.label,
    modelPath: run.modelPath,
    adapterPath: run.adapterPath,
    generations: run.generations,
    limit: run.limit,
    settings: run.settings as EvaluateInput,
    state: run.state,
    createdAt: run.createdAt,
    completedAt: run.completedAt,
    results: runResults(repo, run),
  };
}

/** The shape `medssr eval` prints per set: exactly these keys, in this order. */
export function cliSetResult(r: SetResult): { name: string; n: number; accuracyMean: number; accuracyStd: number; invalid: number; recovered: number; perGeneration: number[] } {
  return {
    name: r.name,
    n: r.n,
    accuracyMean: r.accuracyMean,
    accuracyStd: r.accuracyStd,
    invalid: r.invalid,
    recovered: r.recovered,
    perGeneration: r.perGeneration.map((g) => g.accuracy),
  };
}
