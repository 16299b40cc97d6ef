/** The bundled demo knowledge base, loaded once per test file into an in-memory database. */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DemoModelCard } from '../../../api/demoModel.js';
import type { DisorderDetail } from '../../../api/knowledge.js';
import { sidecarPaths } from '../../../main/demoModel/build.js';
import { openAppDatabase } from '../../../main/app/index.js';
import { demoPacketsDir } from '../../../main/knowledge/demo.js';
import { importOrphanet } from '../../../main/knowledge/importer.js';
import { KnowledgeService } from '../../../main/knowledge/service.js';
import type { Db } from '../../../main/platform/db/open.js';
import { tinyModel } from '../../helpers/tinyModels.js';

export async function demoKnowledge(): Promise<{ db: Db; knowledge: KnowledgeService; disorders: DisorderDetail[] }> {
  const db = openAppDatabase(':memory:');
  await importOrphanet(db, demoPacketsDir(), { demo: true });
  const knowledge = new KnowledgeService(db);
  return { db, knowledge, disorders: knowledge.listDisorderFacts() };
}

/**
 * A stand-in nano model for tests of the demo flow's wiring (not of the model): a file named as a build names it,
 * a card and a split question file beside it. The .gguf is a real tiny random llama model (tinyModels.ts, a
 * 512-token context, as the nano model's), so registering it (demoModel.example does) passes the same checks as
 * `models add`; callers skip on needTinyModels().
 */
export function writeFakeNanoModel(modelsDir: string, seed = 1, counts: { heldOut: number; stage2: number } = { heldOut: 3, stage2: 2 }): string {
  mkdirSync(modelsDir, { recursive: true });
  const file = path.join(modelsDir, `nano-demo-s${seed}.gguf`);
  copyFileSync(tinyModel({ arch: 'llama', contextLength: 512 }), file);
  const side = sidecarPaths(file);
  const card = {
    format: 'medssr-nano-card/1',
    model: path.basename(file),
    command: 'test fixture',
    seed,
    threads: 1,
    minutes: 1,
    steps: 7,
    calibration: { stepsPerMinute: 20, measuredOn: 'test', stepsOverride: true },
    arch: { nEmbd: 64, nLayer: 2, nHead: 2, nHeadKv: 2, nFf: 128, contextLength: 512 },
    parameters: 2_200_000,
    vocab: { size: 1024, chars: 80, merges: 900, byteFallbackRate: 0 },
    data: { knowledgeVersion: 'demo', disorders: 4, cards: 8, trainQuestions: 2, sequences: 10, tokens: 1000, trainedTokensPerEpoch: 800, droppedTooLong: 0, questionFile: path.basename(side.questions) },
    split: { train: ['1'], stage1: ['2'], stage2: ['3'], heldOut: ['4'], cardOnly: [] },
    optim: { lr: 3e-3, betas: [0.9, 0.95], weightDecay: 0.01, maxGradNorm: 1, schedule: 'cosine', warmupSteps: 1, minLrRatio: 0.1, batch: 16 },
    lossCurve: [{ step: 1, loss: 6.9 }],
    heldOutAnswerLoss: { init: 6.9, final: 5, tokens: 10 },
    trainer: { backend: 'cpu', device: 'CPU', threads: 1, nParams: 2_200_000 },
    time: { corpusS: 0, trainS: 0, totalS: 0, resumedFromStep: null },
  } satisfies DemoModelCard;
  writeFileSync(side.card, JSON.stringify(card));
  const row = (name: string, i: number) => ({ id: `${name}-${i}`, question: `Which disorder fits case ${i} of ${name}?\nA. Marfan syndrome\nB. Fabry disease\nC. Gaucher disease\nD. Wilson disease`, gold: 'ABCD'[i % 4] as string, name, orphaCode: '558', questionType: 'diagnosis' });
  const rows = [
    ...Array.from({ length: counts.heldOut }, (_, i) => row('nano-heldout', i)),
    ...Array.from({ length: counts.stage2 }, (_, i) => row('nano-stage2', i)),
    row('nano-train', 0),
  ];
  writeFileSync(side.questions, JSON.stringify(rows));
  return file;
}
