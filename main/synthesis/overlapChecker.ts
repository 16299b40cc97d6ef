/**
 * Overlap of training-side questions with imported benchmarks, for the Api: a dataset before training, an
 * adapter's training snapshot before trusting its evaluation, a seed set when a plan is made. Benchmark indexes
 * are kept by benchmark id (an imported version never changes), so a second look costs only the comparison.
 */
import type { BenchmarkOverlapReport, OverlapSummary } from '../../api/decontamination.js';
import type { SeedBenchmarkFlag } from '../../api/synthesis.js';
import { BenchmarkIndex, NGRAM, PreparedTexts, seedNearDuplicates, type OverlapText } from './decontamination.js';
import type { BenchmarkSource } from './ports.js';

export const JACCARD_THRESHOLD = 0.8;
/** A seed set is flagged as a benchmark when at least this share of its seeds is a near-duplicate of one. */
export const SEED_BENCHMARK_SHARE = 0.5;
const MAX_INDEXES = 32;

export class OverlapChecker {
  private readonly indexes = new Map<number, BenchmarkIndex>();

  constructor(private readonly source: BenchmarkSource) {}

  private index(id: number): BenchmarkIndex {
    let idx = this.indexes.get(id);
    if (idx) {
      // Most recently used last, so the oldest goes first when the cache is full.
      this.indexes.delete(id);
      this.indexes.set(id, idx);
      return idx;
    }
    idx = new BenchmarkIndex(this.source.questions(id), JACCARD_THRESHOLD);
    if (this.indexes.size >= MAX_INDEXES) this.indexes.delete(this.indexes.keys().next().value as number);
    this.indexes.set(id, idx);
    return idx;
  }

  /** `items` against the listed benchmarks (every imported one when omitted); examples carry both texts. */
  summary(items: readonly OverlapText[], benchmarkIds?: readonly number[]): OverlapSummary {
    const wanted = benchmarkIds ? new Set(benchmarkIds) : null;
    const texts = new Map(items.map((i) => [i.id, i.text]));
    const prepared = new PreparedTexts(items);
    const benchmarks: BenchmarkOverlapReport[] = this.source
      .list()
      .filter((b) => !wanted || wanted.has(b.id))
      .map((b) => {
        const idx = this.index(b.id);
        const r = idx.compare(prepared, b.name);
        return {
          benchmarkId: b.id,
          benchmark: b.name,
          benchmarkVersion: b.version,
          benchmarkQuestions: r.benchmarkQuestions,
          ngramHits: r.ngramHits,
          nearDuplicates: r.nearDuplicates,
          examples: r.examples.map((e) => ({
            kind: e.kind,
            ...(e.jaccard === undefined ? {} : { jaccard: e.jaccard }),
            itemId: e.datasetId,
            itemText: texts.get(e.datasetId) ?? '',
            benchmarkQuestionId: e.benchmarkId,
            benchmarkText: idx.text(e.benchmarkId),
          })),
        };
      });
    return {
      questions: items.length,
      ngram: NGRAM,
      jaccardThreshold: JACCARD_THRESHOLD,
      benchmarks,
      overlaps: benchmarks.some((b) => b.ngramHits > 0 || b.nearDuplicates > 0),
    };
  }

  /** Seed sets whose seeds are, for the most part, near-duplicates of an imported benchmark's questions. */
  seedFlags(sets: readonly { name: string; seeds: readonly OverlapText[] }[]): SeedBenchmarkFlag[] {
    const out: SeedBenchmarkFlag[] = [];
    const benchmarks = this.source.list();
    for (const set of sets) {
      if (set.seeds.length === 0) continue;
      const prepared = new PreparedTexts(set.seeds);
      for (const b of benchmarks) {
        const n = seedNearDuplicates(prepared, this.index(b.id));
        if (n / set.seeds.length >= SEED_BENCHMARK_SHARE) out.push({ seedSet: set.name, benchmark: b.name, benchmarkVersion: b.version, nearDuplicates: n, seeds: set.seeds.length });
      }
    }
    return out;
  }
}
