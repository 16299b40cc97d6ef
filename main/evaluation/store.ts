/** SQL for benchmark sets, evaluation runs and their generations. */
import type { BenchmarkOption, BenchmarkSummary, EvalGeneration, EvalRunSummary } from '../../api/evaluation.js';
import type { ParsedBenchmarkSet } from '../platform/benchmarkFile.js';
import { unfinishedRunState } from '../platform/jobs/runState.js';
import { JobsRepo } from '../platform/jobs/store.js';
import type { Db } from '../platform/db/open.js';

export interface StoredBenchmarkQuestion {
  seq: number;
  externalId: string;
  question: string;
  gold: string;
  options: BenchmarkOption[];
}

/** A run as stored: its settings are checked when read back through the Api, so here they are opaque. */
export type EvalRunRow = Omit<EvalRunSummary, 'settings' | 'results' | 'files'> & { settings: unknown; benchmarkIds: number[] };

export interface StoredGeneration extends EvalGeneration {
  seq: number;
  stopReason: string | null;
}

interface RawBenchmark {
  id: number;
  name: string;
  version: number;
  question_count: number;
  letters: string;
  source_path: string | null;
  sha256: string;
  imported_at: string;
}

interface RawRun {
  id: number;
  job_id: string | null;
  label: string;
  model_path: string;
  adapter_path: string | null;
  generations: number;
  question_limit: number | null;
  settings: string;
  state: 'running' | 'completed';
  created_at: string;
  completed_at: string | null;
}


interface RawGeneration {
  question_seq: number;
  generation: number;
  text: string;
  extracted: string | null;
  answer: string | null;
  recovered: number;
  correct: number;
  tokens: number;
  stop_reason: string | null;
}

const toBenchmark = (r: RawBenchmark): BenchmarkSummary => ({
  id: r.id,
  name: r.name,
  version: r.version,
  questions: r.question_count,
  letters: JSON.parse(r.letters) as string[],
  sourcePath: r.source_path,
  sha256: r.sha256,
  importedAt: r.imported_at,
});

const toGeneration = (r: RawGeneration): StoredGeneration => ({
  seq: r.question_seq,
  generation: r.generation,
  text: r.text,
  extracted: r.extracted,
  answer: r.answer,
  recovered: r.recovered === 1,
  correct: r.correct === 1,
  tokens: r.tokens,
  stopReason: r.stop_reason,
});

export class EvaluationRepo {
  private readonly jobs: JobsRepo;

  constructor(private readonly db: Db) {
    this.jobs = new JobsRepo(db);
  }

  benchmarks(): BenchmarkSummary[] {
    return (this.db.prepare('SELECT * FROM eval_benchmarks ORDER BY name, version').all() as RawBenchmark[]).map(toBenchmark);
  }

  benchmark(id: number): BenchmarkSummary | null {
    const r = this.db.prepare('SELECT * FROM eval_benchmarks WHERE id = ?').get(id) as RawBenchmark | undefined;
    return r ? toBenchmark(r) : null;
  }

  /**
   * Stores a parsed set as a new version of its name, or returns the existing version with the same content
   * (re-importing a file is a no-op). Questions and the set row commit together.
   */
  saveBenchmark(set: ParsedBenchmarkSet, sourcePath: string | null): { summary: BenchmarkSummary; created: boolean } {
    return this.db.transaction(() => {
      const same = this.db.prepare('SELECT * FROM eval_benchmarks WHERE name = ? AND sha256 = ? ORDER BY version DESC LIMIT 1').get(set.name, set.sha256) as
        | RawBenchmark
        | undefined;
      if (same) return { summary: toBenchmark(same), created: false };
      const last = this.db.prepare('SELECT MAX(version) AS v FROM eval_benchmarks WHERE name = ?').get(set.name) as { v: number | null };
      const info = this.db
        .prepare('INSERT INTO eval_benchmarks (name, version, question_count, letters, source_path, sha256, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(set.name, (last.v ?? 0) + 1, set.questions.length, JSON.stringify(set.letters), sourcePath, set.sha256, new Date().toISOString());
      const id = Number(info.lastInsertRowid);
      const insert = this.db.prepare('INSERT INTO eval_questions (benchmark_id, seq, external_id, question, gold, options, extra) VALUES (?, ?, ?, ?, ?, ?, ?)');
      set.questions.forEach((q, seq) => insert.run(id, seq, q.externalId, q.question, q.gold, JSON.stringify(q.options), q.extra ? JSON.stringify(q.extra) : null));
      return { summary: this.benchmark(id) as BenchmarkSummary, created: true };
    })();
  }

  /** Questions in file order; `limit` takes the first N as `--limit` does. */
  questions(benchmarkId: number, limit?: number | null): StoredBenchmarkQuestion[] {
    const rows = this.db
      .prepare('SELECT seq, external_id, question, gold, options FROM eval_questions WHERE benchmark_id = ? ORDER BY seq LIMIT ?')
      .all(benchmarkId, limit ?? -1) as { seq: number; external_id: string; question: string; gold: string; options: string }[];
    return rows.map((r) => ({ seq: r.seq, externalId: r.external_id, question: r.question, gold: r.gold, options: JSON.parse(r.options) as BenchmarkOption[] }));
  }

  question(benchmarkId: number, seq: number): StoredBenchmarkQuestion | null {
    return this.questionsBySeq(benchmarkId, [seq])[0] ?? null;
  }

  questionsBySeq(benchmarkId: number, seqs: readonly number[]): StoredBenchmarkQuestion[] {
    if (!seqs.length) return [];
    const rows = this.db
      .prepare(`SELECT seq, external_id, question, gold, options FROM eval_questions WHERE benchmark_id = ? AND seq IN (SELECT value FROM json_each(?)) ORDER BY seq`)
      .all(benchmarkId, JSON.stringify(seqs)) as { seq: number; external_id: string; question: string; gold: string; options: string }[];
    return rows.map((r) => ({ seq: r.seq, externalId: r.external_id, question: r.question, gold: r.gold, options: JSON.parse(r.options) as BenchmarkOption[] }));
  }

  createRun(r: { jobId: string | null; label: string; modelPath: string; adapterPath: string | null; generations: number; limit: number | null; settings: unknown; benchmarkIds: number[] }): EvalRunRow {
    return this.db.transaction(() => {
      const info = this.db
        .prepare(
          `INSERT INTO eval_runs (job_id, label, model_path, adapter_path, generations, question_limit, settings, state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'running', ?)`,
        )
        .run(r.jobId, r.label, r.modelPath, r.adapterPath, r.generations, r.limit, JSON.stringify(r.settings), new Date().toISOString());
      const id = Number(info.lastInsertRowid);
      const add = this.db.prepare('INSERT INTO eval_run_sets (run_id, benchmark_id, position) VALUES (?, ?, ?)');
      r.benchmarkIds.forEach((b, i) => add.run(id, b, i));
      return this.run(id) as EvalRunRow;
    })();
  }

  private withSets(r: RawRun): EvalRunRow {
    const sets = this.db.prepare('SELECT benchmark_id FROM eval_run_sets WHERE run_id = ? ORDER BY position').all(r.id) as { benchmark_id: number }[];
    return {
      id: r.id,
      jobId: r.job_id,
      label: r.label,
      modelPath: r.model_path,
      adapterPath: r.adapter_path,
      generations: r.generations,
      limit: r.question_limit,
      settings: JSON.parse(r.settings) as unknown,
      ...(r.state === 'completed' ? { state: 'completed' as const, error: null } : unfinishedRunState(this.jobs, r.job_id)),
      createdAt: r.created_at,
      completedAt: r.completed_at,
      benchmarkIds: sets.map((s) => s.benchmark_id),
    };
  }

  run(id: number): EvalRunRow | null {
    const r = this.db.prepare('SELECT * FROM eval_runs WHERE id = ?').get(id) as RawRun | undefined;
    return r ? this.withSets(r) : null;
  }

  runByJob(jobId: string): EvalRunRow | null {
    const r = this.db.prepare('SELECT * FROM eval_runs WHERE job_id = ?').get(jobId) as RawRun | undefined;
    return r ? this.withSets(r) : null;
  }

  runs(): EvalRunRow[] {
    return (this.db.prepare('SELECT * FROM eval_runs ORDER BY id DESC').all() as RawRun[]).map((r) => this.withSets(r));
  }

  completeRun(id: number): void {
    this.db.prepare(`UPDATE eval_runs SET state = 'completed', completed_at = ? WHERE id = ?`).run(new Date().toISOString(), id);
  }

  /** (question seq → generation indices) already stored, so a resumed run redoes nothing finished. */
  storedGenerationKeys(runId: number, benchmarkId: number): Map<number, Set<number>> {
    const rows = this.db.prepare('SELECT question_seq, generation FROM eval_generations WHERE run_id = ? AND benchmark_id = ?').all(runId, benchmarkId) as {
      question_seq: number;
      generation: number;
    }[];
    const out = new Map<number, Set<number>>();
    for (const r of rows) {
      const s = out.get(r.question_seq) ?? new Set<number>();
      s.add(r.generation);
      out.set(r.question_seq, s);
    }
    return out;
  }

  /** Stores finished generations of one question in one transaction. */
  saveGenerations(runId: number, benchmarkId: number, seq: number, gens: readonly (EvalGeneration & { stopReason: string | null })[]): void {
    const insert = this.db.prepare(
      `INSERT OR REPLACE INTO eval_generations (run_id, benchmark_id, question_seq, generation, text, extracted, answer, recovered, correct, tokens, stop_reason, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const now = new Date().toISOString();
    this.db.transaction(() => {
      for (const g of gens) {
        insert.run(runId, benchmarkId, seq, g.generation, g.text, g.extracted, g.answer, g.recovered ? 1 : 0, g.correct ? 1 : 0, g.tokens, g.stopReason, now);
      }
    })();
  }

  generations(runId: number, benchmarkId: number, seq?: number): StoredGeneration[] {
    const rows = (
      seq === undefined
        ? this.db.prepare('SELECT * FROM eval_generations WHERE run_id = ? AND benchmark_id = ? ORDER BY question_seq, generation').all(runId, benchmarkId)
        : this.db.prepare('SELECT * FROM eval_generations WHERE run_id = ? AND benchmark_id = ? AND question_seq = ? ORDER BY generation').all(runId, benchmarkId, seq)
    ) as RawGeneration[];
    return rows.map(toGeneration);
  }

  /** Only the columns scoring needs (no texts), for summaries of large runs. */
  scores(runId: number, benchmarkId: number): { seq: number; generation: number; answer: string | null; recovered: boolean; correct: boolean }[] {
    const rows = this.db
      .prepare('SELECT question_seq, generation, answer, recovered, correct FROM eval_generations WHERE run_id = ? AND benchmark_id = ? ORDER BY question_seq, generation')
      .all(runId, benchmarkId) as { question_seq: number; generation: number; answer: string | null; recovered: number; correct: number }[];
    return rows.map((r) => ({ seq: r.question_seq, generation: r.generation, answer: r.answer, recovered: r.recovered === 1, correct: r.correct === 1 }));
  }
}
