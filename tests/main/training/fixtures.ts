/**
 * Training test fixtures: a pseudo-labelled synthetic dataset written through the synthesis and labelling repos,
 * a MedSSR-format file of human-labelled questions, and a scripted rollout engine that needs no model.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { PlanReport, QuestionOption } from '../../../api/synthesis.js';
import type { Db } from '../../../main/platform/db/open.js';
import { LabelingRepo } from '../../../main/labeling/store.js';
import { SynthesisRepo, type StoredQuestion } from '../../../main/synthesis/store.js';
import type { Rollout, RolloutEngine, RolloutSampling } from '../../../main/training/rollouts.js';
import { findTrainerBinary } from '../../../main/training/trainerProcess.js';
import { createRng } from '../../../main/synthesis/rng.js';
import { repoRoot } from '../../helpers/shared.js';

export const fakeTrainerBin = path.join(repoRoot, 'tests', 'helpers', 'fakeTrainer.mjs');

const letters = ['A', 'B', 'C', 'D'];

/** `n` accepted questions labelled with vote shares cycling through 1, 0.75, 0.5, 0.25. */
export function seedLabelledDataset(db: Db, name: string, n: number): { datasetId: number } {
  const synth = new SynthesisRepo(db);
  const d = synth.createDataset({ name, generator: 'template', model: null, seed: 1, plan: { count: n, weights: {}, optionCount: 4 }, params: {}, knowledgeVersion: null, jobId: null });
  const questions: StoredQuestion[] = Array.from({ length: n }, (_, i) => ({
    seq: i,
    id: `${name}-${i}`,
    questionType: 'diagnosis',
    difficulty: 'easy',
    stem: `Question ${i}: which option is number ${i % 4}?`,
    options: letters.map((l, k): QuestionOption => ({ letter: l, text: `option ${k}` })),
    intendedAnswer: letters[i % 4] as string,
    provenance: { orphaCodes: ['1'], facts: [], cell: {}, generator: { kind: 'template', version: 't1' }, seed: 1, filters: {} },
    status: 'accepted',
    rejectReason: null,
  }));
  synth.insertQuestions(d.id, questions);
  const report: PlanReport = { count: n, planned: n, achievable: n, achieved: n, cells: [], dimensions: [], labels: {} };
  synth.complete(d.id, report);
  const labels = new LabelingRepo(db);
  const run = labels.createRun({ datasetId: d.id, modelPath: 'fake.gguf', adapterPath: null, settings: {}, jobId: null });
  for (const q of questions) {
    const share = [1, 0.75, 0.5, 0.25][q.seq % 4] as number;
    labels.saveLabel(run.id, d.id, q.seq, { questionId: q.id, label: q.intendedAnswer, votes: { [q.intendedAnswer]: share * 4 }, recovered: {}, voteShare: share, tie: false, written: share * 4, sampleCount: 4, rarelyAnswered: share < 0.5, agreesWithIntended: true, samples: [] }, 10);
  }
  labels.completeRun(run.id);
  return { datasetId: d.id };
}

export function writeMedssrFile(dir: string, n: number): string {
  const file = path.join(dir, 'human.json');
  const rows = Array.from({ length: n }, (_, i) => ({
    id: `h-${i}`,
    question: `Human question ${i}?\nA. first\nB. second\nC. third\nD. fourth`,
    gold: letters[(i * 3) % 4],
    name: 'human',
    long: false,
  }));
  writeFileSync(file, JSON.stringify(rows));
  return file;
}

/** Answers "The answer is X" with X drawn from a seeded stream; checks that every adapter it is given exists. */
export class ScriptedEngine implements RolloutEngine {
  readonly threads = 1;
  readonly modelName = 'scripted';
  readonly parameters = 1000;
  adapters: (string | null)[] = [];
  disposed = false;

  promptTokens(question: string): number[] {
    return [...question.slice(0, 24)].map((c) => c.charCodeAt(0) % 256);
  }

  async setAdapter(adapterPath: string | null): Promise<void> {
    if (adapterPath && !existsSync(adapterPath)) throw new Error(`adapter ${adapterPath} does not exist`);
    this.adapters.push(adapterPath);
  }

  async sample(prompts: number[][], perPrompt: number, s: RolloutSampling): Promise<Rollout[][]> {
    return prompts.map((p, i) =>
      Array.from({ length: perPrompt }, (_, j) => {
        const rng = createRng(`${s.seed}:${i}:${j}:${p.join(',')}`);
        const text = rng.next() < 0.2 ? 'I am not sure.' : `Thinking. The answer is ${letters[rng.int(4)]}`;
        return { tokens: [...text].map((c) => c.charCodeAt(0)).slice(0, s.maxTokens), text, stop: 'eog' as const };
      }),
    );
  }

  async dispose(): Promise<void> {
    this.disposed = true;
  }
}

/** Why the native trainer cannot run here (printed), or undefined when its binary is built. */
export function needTrainerBinary(): string | undefined {
  if (findTrainerBinary()) return undefined;
  const reason = 'skipped: native trainer binary absent (run `npm run build:native` or set MEDSSR_TRAINER_BIN)';
  console.log(`# ${reason}`);
  return reason;
}
