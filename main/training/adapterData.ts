/** What an adapter was trained on, for other domains (evaluation's decontamination warning). */
import path from 'node:path';
import type { Db } from '../platform/db/open.js';
import { TrainingRepo } from './store.js';

/** The run that wrote the adapter at `adapterPath` and the questions it trained on; null when no run here wrote it. */
export function trainingDataOfAdapter(db: Db, adapterPath: string): { run: { id: number; name: string }; questions: { id: string; text: string }[] } | null {
  const repo = new TrainingRepo(db);
  const run = repo.runOfAdapterPath(path.resolve(adapterPath));
  return run ? { run, questions: repo.trainedQuestions(run.id) } : null;
}
