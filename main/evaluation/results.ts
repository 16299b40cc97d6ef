/** Per-set and per-file results of a stored run, computed from its generations. */
import type { BenchmarkSummary, EvaluateInput, EvalRunSummary, FileResult, SetResult } from '../../api/evaluation.js';
import type { EvalRunRow, EvaluationRepo } from './store.js';
import { aggregateSet, type ScoreRow } from './metrics.js';

/**
 * The run's sets grouped by the file they came from, in run order (a set without a known file is its own
 * group). MedSSR's script scores a file as one set whatever `name`s its items carry.
 */
export function fileGroups(sets: readonly BenchmarkSummary[]): BenchmarkSummary[][] {
  const groups = new Map<string, BenchmarkSummary[]>();
  for (const s of sets) {
    const key = s.sourcePath ? `file:${s.sourcePath}` : `set:${s.id}`;
    const g = groups.get(key) ?? [];
    g.push(s);
    groups.set(key, g);
  }
  return [...groups.values()];
}

/** The script's recovery letters for a file: the sorted gold letters of all its items. */
export function fileLetters(group: readonly BenchmarkSummary[]): string[] {
  return [...new Set(group.flatMap((s) => s.letters))].sort();
}

export function runFileResults(repo: EvaluationRepo, run: EvalRunRow): FileResult[] {
  const sets = run.benchmarkIds.flatMap((id) => {
    const b = repo.benchmark(id);
    return b ? [b] : [];
  });
  return fileGroups(sets).map((group) => {
    // Sequence numbers restart in each set: offset them so the questions of different sets stay apart.
    const rows: ScoreRow[] = group.flatMap((b, i) => repo.scores(run.id, b.id).map((r) => ({ ...r, seq: i * 100_000_000 + r.seq })));
    const agg = aggregateSet(rows, run.generations);
    return {
      sourcePath: group[0]?.sourcePath ?? null,
      dataset: group[0]?.name ?? 'unknown',
      benchmarkIds: group.map((b) => b.id),
      n: agg.n,
      averageAccuracy: agg.accuracyMean,
      stdAccuracy: agg.accuracyStd,
      invalid: agg.invalid,
      recovered: agg.recovered,
      perGeneration: agg.perGeneration,
    };
  });
}

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
    error: run.error,
    createdAt: run.createdAt,
    completedAt: run.completedAt,
    results: runResults(repo, run),
    files: runFileResults(repo, run),
  };
}

/** One file's result in the shape of the script's `.eval.log` entry (its keys, its rounding). */
export function scriptLogEntry(f: FileResult, model: string): {
  dataset: string;
  model: string;
  per_generation: { generation: number; accuracy: number; recovery_used: number; invalid_answers: number; sample_count: number }[];
  average_accuracy: number;
  std_accuracy: number;
  num_generations: number;
  total_records: number;
} {
  return {
    dataset: f.dataset,
    model,
    per_generation: f.perGeneration.map((g) => ({ generation: g.generation, accuracy: g.accuracy, recovery_used: g.recovered, invalid_answers: g.invalid, sample_count: f.n })),
    average_accuracy: f.averageAccuracy,
    std_accuracy: f.stdAccuracy,
    num_generations: f.perGeneration.length,
    total_records: f.n * f.perGeneration.length,
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
