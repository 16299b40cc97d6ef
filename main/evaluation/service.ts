/** Benchmark import, run summaries, the two-run comparison and CSV export behind the Evaluation Api. */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type {
  BenchmarkImportResult,
  ComparedQuestion,
  ComparisonOutcome,
  ComparisonPage,
  CsvExport,
  EvalRunSummary,
  QuestionDetail,
} from '../../api/evaluation.js';
import { ApiError } from '../../api/contract.js';
import { answerShares, describeShares, incomparableReasons } from '../../api/evaluationTruth.js';
import { writeFileAtomic } from '../platform/atomicFile.js';
import type { Db } from '../platform/db/open.js';
import { EvaluationRepo } from './store.js';
import { checkReadablePath } from '../platform/safePath.js';
import { parseBenchmarkText } from '../platform/benchmarkFile.js';
import { compareOutcome } from './metrics.js';
import { runSummary } from './results.js';
import { csvLine } from './csv.js';

/** Files larger than this are not benchmark sets (the six MedSSR sets are 0.1–1.3 MB). */
const MAX_FILE_BYTES = 200 * 1024 * 1024;

export class EvaluationService {
  readonly repo: EvaluationRepo;

  constructor(
    db: Db,
    private readonly dataDir: string,
  ) {
    this.repo = new EvaluationRepo(db);
  }

  /** Parses the whole file first; only a file without errors is stored, each set in its own transaction. */
  importFile(file: string): BenchmarkImportResult {
    const full = checkReadablePath(file, 'Benchmark file');
    const st = statSync(full);
    if (st.size > MAX_FILE_BYTES) throw new Error(`${full} is ${Math.round(st.size / 1e6)} MB; a benchmark file over ${MAX_FILE_BYTES / 1e6} MB is not supported`);
    const parsed = parseBenchmarkText(readFileSync(full, 'utf8'), full);
    const sets = parsed.sets.map((s) => {
      const { summary, created } = this.repo.saveBenchmark(s, full);
      return { ...summary, created };
    });
    return { file: full, sets, warnings: parsed.warnings };
  }

  runs(): EvalRunSummary[] {
    return this.repo.runs().map((r) => runSummary(this.repo, r));
  }

  run(id: number): EvalRunSummary | null {
    const r = this.repo.run(id);
    return r ? runSummary(this.repo, r) : null;
  }

  private fractions(runId: number, benchmarkId: number, generations: number): Map<number, number> {
    const bySeq = new Map<number, { right: number; count: number }>();
    for (const s of this.repo.scores(runId, benchmarkId)) {
      const e = bySeq.get(s.seq) ?? { right: 0, count: 0 };
      e.count++;
      if (s.correct) e.right++;
      bySeq.set(s.seq, e);
    }
    const out = new Map<number, number>();
    for (const [seq, e] of bySeq) if (e.count >= generations) out.set(seq, e.right / e.count);
    return out;
  }

  /** Questions of one set evaluated by both runs, with which the second run fixed or broke. */
  compare(input: { before: number; after: number; benchmarkId: number; outcome?: ComparisonOutcome | undefined; offset: number; limit: number }): ComparisonPage {
    const before = this.repo.run(input.before);
    const after = this.repo.run(input.after);
    if (!before) throw new Error(`No evaluation run ${input.before}`);
    if (!after) throw new Error(`No evaluation run ${input.after}`);
    // A failed or partial run, or two runs that asked different questions, would show a change that is not one.
    const reasons = incomparableReasons(runSummary(this.repo, before), runSummary(this.repo, after));
    if (reasons.length) throw new ApiError('bad-input', `Runs #${before.id} and #${after.id} cannot be compared: ${reasons.join('; ')}`);
    const fb = this.fractions(before.id, input.benchmarkId, before.generations);
    const fa = this.fractions(after.id, input.benchmarkId, after.generations);
    const counts: Record<ComparisonOutcome, number> = { fixed: 0, broken: 0, 'both-right': 0, 'both-wrong': 0 };
    const rows: { seq: number; before: number; after: number; outcome: ComparisonOutcome }[] = [];
    for (const [seq, b] of [...fb].sort((x, y) => x[0] - y[0])) {
      const a = fa.get(seq);
      if (a === undefined) continue;
      const outcome = compareOutcome(b, a) as ComparisonOutcome;
      counts[outcome]++;
      if (!input.outcome || input.outcome === outcome) rows.push({ seq, before: b, after: a, outcome });
    }
    const page = rows.slice(input.offset, input.offset + input.limit);
    const questions = new Map(this.repo.questionsBySeq(input.benchmarkId, page.map((r) => r.seq)).map((q) => [q.seq, q]));
    return {
      benchmarkId: input.benchmarkId,
      counts,
      total: rows.length,
      questions: page.map((r): ComparedQuestion => {
        const q = questions.get(r.seq);
        return {
          seq: r.seq,
          externalId: q?.externalId ?? String(r.seq),
          gold: q?.gold ?? '',
          preview: (q?.question.split('\n')[0] ?? '').slice(0, 200),
          before: r.before,
          after: r.after,
          outcome: r.outcome,
        };
      }),
    };
  }

  question(input: { benchmarkId: number; seq: number; runIds: number[] }): QuestionDetail | null {
    const q = this.repo.question(input.benchmarkId, input.seq);
    if (!q) return null;
    return {
      seq: q.seq,
      externalId: q.externalId,
      question: q.question,
      gold: q.gold,
      options: q.options,
      runs: input.runIds.map((runId) => ({
        runId,
        generations: this.repo.generations(runId, input.benchmarkId, q.seq).map(({ seq: _seq, stopReason: _stop, ...g }) => g),
      })),
    };
  }

  csv(runId: number, kind: 'summary' | 'questions'): string {
    const run = this.repo.run(runId);
    if (!run) throw new Error(`No evaluation run ${runId}`);
    const lines: string[] = [];
    if (kind === 'summary') {
      // status and answers say on every row whether the accuracy is a result and how its answers came about,
      // so a failed run's "0" cannot pass for a measured 0 %.
      lines.push(csvLine(['run', 'label', 'model', 'adapter', 'set', 'version', 'n', 'generation', 'accuracy', 'correct', 'invalid', 'recovered', 'status', 'answers']));
      const summary = runSummary(this.repo, run);
      const status = summary.state === 'failed' && summary.error ? `failed: ${summary.error}` : summary.state;
      for (const r of summary.results) {
        const base = [run.id, run.label, run.modelPath, run.adapterPath ?? '', r.name, r.version, r.n];
        const answers = describeShares(answerShares(r));
        for (const g of r.perGeneration) lines.push(csvLine([...base, g.generation, g.accuracy, g.correct, g.invalid, g.recovered, status, answers]));
        lines.push(csvLine([...base, 'mean', r.accuracyMean, '', r.invalid, r.recovered, status, answers]));
        lines.push(csvLine([...base, 'std', r.accuracyStd, '', '', '', status, answers]));
      }
    } else {
      lines.push(csvLine(['run', 'set', 'version', 'question_id', 'gold', 'generation', 'extracted', 'answer', 'recovered', 'correct', 'tokens', 'text']));
      for (const id of run.benchmarkIds) {
        const b = this.repo.benchmark(id);
        if (!b) continue;
        const ids = new Map(this.repo.questions(id, run.limit).map((q) => [q.seq, q]));
        for (const g of this.repo.generations(run.id, id)) {
          const q = ids.get(g.seq);
          lines.push(csvLine([run.id, b.name, b.version, q?.externalId ?? g.seq, q?.gold ?? '', g.generation, g.extracted ?? '', g.answer ?? '', g.recovered ? 1 : 0, g.correct ? 1 : 0, g.tokens, g.text]));
        }
      }
    }
    return `${lines.join('\r\n')}\r\n`;
  }

  /** Writes the CSV into <data>/exports atomically (temp file, then rename) and returns it too. */
  exportCsv(runId: number, kind: 'summary' | 'questions'): CsvExport {
    const csv = this.csv(runId, kind);
    const fileName = `evaluation-run-${runId}-${kind}.csv`;
    const target = writeFileAtomic(path.join(this.dataDir, 'exports', fileName), csv);
    return { path: target, fileName, csv };
  }
}
