/** A complete dataset with one benchmark question planted (stem and options split as synthesis stores them). */
import path from 'node:path';
import { resolveSettings } from '../../../api/training.js';
import type { Db } from '../../../main/platform/db/open.js';
import { SynthesisRepo } from '../../../main/synthesis/index.js';
import { TrainingRepo } from '../../../main/training/store.js';

export function splitBenchmarkQuestion(question: string): { stem: string; optionLines: string[]; options: { letter: string; text: string }[] } {
  // Options are the trailing "A. …" lines; everything above them is the stem.
  const lines = question.split('\n');
  let k = lines.length;
  while (k > 0 && /^[A-Z]\. /.test(lines[k - 1] ?? '')) k--;
  const optionLines = lines.slice(k);
  return { stem: lines.slice(0, k).join('\n'), optionLines, options: optionLines.map((l) => ({ letter: l[0] as string, text: l.slice(3) })) };
}

export function plantDataset(db: Db, name: string, plantedQuestion: string): void {
  const { stem, options } = splitBenchmarkQuestion(plantedQuestion);
  const repo = new SynthesisRepo(db);
  const plan = { count: 2, weights: {}, optionCount: 5 };
  const d = repo.createDataset({ name, generator: 'template', model: null, seed: 1, plan, params: {}, knowledgeVersion: null, jobId: null });
  const provenance = { orphaCodes: ['558'], facts: [], cell: {}, generator: { kind: 'template' as const, version: 't' }, seed: 1, filters: {} };
  repo.insertQuestions(d.id, [
    { seq: 1, id: `${name}-1`, questionType: 'diagnosis', difficulty: 'easy', stem, options, intendedAnswer: 'A', provenance, status: 'accepted', rejectReason: null },
    {
      seq: 2,
      id: `${name}-2`,
      questionType: 'diagnosis',
      difficulty: 'easy',
      stem: 'A 7-year-old boy is evaluated for arachnodactyly, ectopia lentis and aortic root dilatation. Which of the following is the most likely diagnosis?',
      options: [
        { letter: 'A', text: 'Marfan syndrome' },
        { letter: 'B', text: 'Homocystinuria' },
        { letter: 'C', text: 'Ehlers-Danlos syndrome' },
        { letter: 'D', text: 'Loeys-Dietz syndrome' },
      ],
      intendedAnswer: 'A',
      provenance,
      status: 'accepted',
      rejectReason: null,
    },
  ]);
  repo.complete(d.id, { count: 2, planned: 2, achievable: 2, achieved: 2, cells: [], dimensions: [], labels: {} });
}

/** A training run (named `runName`) whose one stage-1 item is the planted question, and its final adapter's path. */
export function plantTrainedAdapter(db: Db, dataDir: string, runName: string, plantedQuestion: string): { runId: number; adapter: string; training: TrainingRepo } {
  const { stem, optionLines } = splitBenchmarkQuestion(plantedQuestion);
  const training = new TrainingRepo(db);
  const adapter = path.join(dataDir, 'runs', 'adapter-final.gguf');
  const run = training.createRun({
    name: runName,
    jobId: null,
    modelPath: '/m.gguf',
    preset: 'cpu-demo',
    input: {},
    settings: resolveSettings({ preset: 'cpu-demo', settings: {} }),
    data: { stage1: { train: 1, heldOut: 0, sources: ['planted v1'] }, stage2: null },
    outDir: () => path.join(dataDir, 'runs'),
    items: [{ stage: 1, split: 'train', idx: 0, source: 'planted v1', question: `${stem}\n${optionLines.join('\n')}`, letters: ['A', 'B', 'C', 'D'], label: 'A', voteShare: 1, extra: null }],
  });
  training.insertAdapter(run.id, { step: 1, stage: 1, kind: 'final', path: adapter });
  return { runId: run.id, adapter, training };
}
