/** What an adapter was trained on, for other domains (evaluation's decontamination warning). */
import path from 'node:path';
import type { Db } from '../platform/db/open.js';
import { OverlapChecker, type BenchmarkSource } from '../synthesis/index.js';
import { TrainingRepo } from './store.js';

/**
 * The run that wrote the adapter at `adapterPath` (by path, or by content for a copy) and the questions it trained
 * on; null when no run here wrote it.
 */
export function trainingDataOfAdapter(
  db: Db,
  adapterPath: string,
): { run: { id: number; name: string }; matchedBy: 'path' | 'content'; questions: { id: string; text: string }[] } | null {
  const repo = new TrainingRepo(db);
  const found = repo.runOfAdapter(path.resolve(adapterPath));
  if (!found) return null;
  const { matchedBy, ...run } = found;
  return { run, matchedBy, questions: repo.trainedQuestions(run.id) };
}

/**
 * Writes the run's overlap with every imported benchmark into its log, before the first step: the record says
 * what an evaluation on those benchmarks would be worth. Returns the number of overlapping benchmarks.
 */
export function logTrainingOverlap(repo: TrainingRepo, runId: number, benchmarks: BenchmarkSource): number {
  const questions = repo.trainedQuestions(runId);
  const r = new OverlapChecker(benchmarks).summary(questions);
  if (r.benchmarks.length === 0) {
    repo.log(runId, 'info', 'Benchmark overlap not checked: no benchmark imported');
    return 0;
  }
  const hit = r.benchmarks.filter((b) => b.ngramHits > 0 || b.nearDuplicates > 0);
  for (const b of hit) {
    const e = b.examples[0];
    repo.log(
      runId,
      'warn',
      `Training data overlaps ${b.benchmark} v${b.benchmarkVersion}: ${b.ngramHits} of ${r.questions} trained questions share a word ${r.ngram}-gram with it, ${b.nearDuplicates} are near-duplicates (Jaccard ≥ ${r.jaccardThreshold})${e ? `, e.g. ${e.itemId} ↔ ${b.benchmark} ${e.benchmarkQuestionId}` : ''}; scores on ${b.benchmark} after this run measure memory as well as skill`,
    );
  }
  if (hit.length === 0) repo.log(runId, 'info', `No overlap of the ${r.questions} trained questions with ${r.benchmarks.map((b) => `${b.benchmark} v${b.benchmarkVersion}`).join(', ')} (${r.ngram}-grams, near-duplicates)`);
  return hit.length;
}
