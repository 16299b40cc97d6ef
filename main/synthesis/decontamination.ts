/**
 * Decontamination: how much of a synthetic dataset overlaps a benchmark it may later be evaluated on. Two
 * measures, as in the literature: shared word 13-grams within a line (any one is a hit: long verbatim runs are copies), and
 * MinHash near-duplicates over word 3-shingles at a Jaccard threshold.
 */
import { minhashSignature, NearDuplicateIndex, wordShingles } from './minhash.js';

export const NGRAM = 13;

export interface OverlapText {
  id: string;
  text: string;
}

export interface BenchmarkOverlap {
  benchmark: string;
  benchmarkQuestions: number;
  /** Dataset questions sharing at least one word 13-gram with a benchmark question. */
  ngramHits: number;
  /** Dataset questions with a near-duplicate (MinHash, exact Jaccard ≥ threshold) in the benchmark. */
  nearDuplicates: number;
  /** A few pairs to look at: dataset id → benchmark id. */
  examples: { datasetId: string; benchmarkId: string; kind: 'ngram' | 'near-duplicate'; jaccard?: number }[];
}

function words(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
}

/**
 * Word n-grams within each line. A question's lines are its stem's paragraphs and its options: a 13-gram across
 * them matched stock phrasing, not copies (on 2,000 template questions, "… is the most likely diagnosis?" with
 * the first option, and the four inheritance options of an MMLU item, were the only hits until lines bounded them).
 */
function ngrams(text: string, n = NGRAM): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const w = words(line);
    for (let i = 0; i + n <= w.length; i++) out.push(w.slice(i, i + n).join(' '));
  }
  return out;
}

/**
 * One benchmark's 13-grams and MinHash index, built once: both sides of a comparison are immutable (a
 * benchmark version, a complete dataset), so callers keep it while the benchmark id stands.
 */
export class BenchmarkIndex {
  private readonly grams = new Map<string, string>();
  private readonly near: NearDuplicateIndex;
  private readonly texts = new Map<string, string>();
  readonly size: number;

  constructor(questions: readonly OverlapText[], readonly threshold = 0.8) {
    for (const q of questions) this.texts.set(q.id, q.text);
    for (const q of questions) for (const g of ngrams(q.text)) if (!this.grams.has(g)) this.grams.set(g, q.id);
    this.near = new NearDuplicateIndex(threshold);
    for (const q of questions) this.near.addIfNew(q.id, q.text);
    this.size = questions.length;
  }

  text(id: string): string {
    return this.texts.get(id) ?? '';
  }

  compare(dataset: readonly OverlapText[] | PreparedTexts, benchmark: string, maxExamples = 5): BenchmarkOverlap {
    const items = dataset instanceof PreparedTexts ? dataset : new PreparedTexts(dataset);
    const out: BenchmarkOverlap = { benchmark, benchmarkQuestions: this.size, ngramHits: 0, nearDuplicates: 0, examples: [] };
    for (const d of items.items) {
      const hit = d.grams.find((g) => this.grams.has(g));
      if (hit) {
        out.ngramHits++;
        if (out.examples.length < maxExamples) out.examples.push({ datasetId: d.id, benchmarkId: this.grams.get(hit) as string, kind: 'ngram' });
      }
      const dup = this.near.findDuplicateOf(d.shingles, d.signature);
      if (dup) {
        out.nearDuplicates++;
        if (out.examples.length < maxExamples) out.examples.push({ datasetId: d.id, benchmarkId: dup.id, kind: 'near-duplicate', jaccard: Math.round(dup.jaccard * 1000) / 1000 });
      }
    }
    return out;
  }
}

/** Texts tokenised once (13-grams, shingles, MinHash signature) for comparison with several benchmarks. */
export class PreparedTexts {
  readonly items: { id: string; grams: string[]; shingles: Set<string>; signature: Uint32Array }[];

  constructor(texts: readonly OverlapText[]) {
    this.items = texts.map((t) => {
      const shingles = wordShingles(t.text);
      return { id: t.id, grams: ngrams(t.text), shingles, signature: minhashSignature(shingles) };
    });
  }
}

export function benchmarkOverlap(dataset: readonly OverlapText[], benchmark: string, questions: readonly OverlapText[], threshold = 0.8): BenchmarkOverlap {
  return new BenchmarkIndex(questions, threshold).compare(dataset, benchmark);
}

/** Seed sets that are (largely) an evaluation benchmark: evaluating on it afterwards measures memory, not skill. */
export function seedSetIsBenchmark(seeds: readonly OverlapText[], benchmark: readonly OverlapText[], share = 0.5): boolean {
  if (seeds.length === 0) return false;
  const r = benchmarkOverlap(seeds, 'seeds', benchmark, 0.8);
  return r.nearDuplicates / seeds.length >= share;
}

/** Seeds of a set with a near-duplicate in the benchmark (what seedSetIsBenchmark's share is of). */
export function seedNearDuplicates(seeds: readonly OverlapText[] | PreparedTexts, benchmark: BenchmarkIndex): number {
  return benchmark.compare(seeds, 'seeds', 0).nearDuplicates;
}

/** A question as benchmarks hold it: the stem, then one "A. text" line per option. */
export function overlapText(stem: string, options: readonly { letter: string; text: string }[]): string {
  return `${stem}\n${options.map((o) => `${o.letter}. ${o.text}`).join('\n')}`;
}
