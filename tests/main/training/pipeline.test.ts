/**
 * The whole pipeline on the CPU with a tiny real model (stories260K), through the app's own services:
 * synthesize 50 questions → pseudo-label them → stage 1 GRPO for a few steps → stage 2 on human-labelled questions
 * → evaluate the base and base + the run's adapter under the MedSSR protocol. Then the `medssr train-export` CLI
 * writes the run as verl input. Skips, saying why, without the model, the trainer binary or the benchmarks.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { parseInput } from '../../../api/contract.js';
import type { EvalRunSummary } from '../../../api/evaluation.js';
import { createApp } from '../../../main/app/index.js';
import type { Db } from '../../../main/platform/db/open.js';
import { LabelingRepo } from '../../../main/labeling/index.js';
import { SynthesisRepo } from '../../../main/synthesis/index.js';
import { majorityVote } from '../../../main/labeling/vote.js';
import type { TrainResult } from '../../../main/training/session.js';
import { findTrainerBinary } from '../../../main/training/trainerProcess.js';
import { medssrArgv } from '../../helpers/cli.js';
import { needShared, sharedPath } from '../../helpers/shared.js';

process.env.MEDSSR_GPU ??= 'false';
const noTrainer = findTrainerBinary() ? undefined : 'skipped: native trainer binary absent (npm run build:native)';
if (noTrainer) console.log(`# ${noTrainer}`);
const skip = needShared('models', 'stories260K.gguf') ?? needShared('data', 'benchmarks', 'test_short_medqa.json') ?? noTrainer;
const dir = mkdtempSync(path.join(os.tmpdir(), 'medssr-pipeline-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('synthesize 50 → label → stage 1 → stage 2 → evaluate before and after', { skip, timeout: 600_000 }, async () => {
  const model = sharedPath('models', 'stories260K.gguf');
  const dbPath = path.join(dir, 'medssr.db');
  const app = await createApp({ dataDir: dir, dbPath, transport: 'ipc', seedDemo: true });
  const jobs = app.context.jobs;
  const h = app.handlers;
  let runId = 0;
  let t = Date.now();
  const phase = (name: string) => {
    console.log(`# ${name}: ${((Date.now() - t) / 1000).toFixed(1)} s`);
    t = Date.now();
  };
  try {
    const syn = jobs.start('synthesize', { dataset: 'pipeline', plan: { count: 50, weights: {}, optionCount: 4 }, seed: 5 });
    const synDone = await jobs.waitFor(syn.id);
    assert.equal(synDone.state, 'completed', synDone.error ?? '');
    const ds = (await h['synthesis.datasets']({})).find((d) => d.name === 'pipeline');
    assert.ok(ds && ds.accepted > 0, 'questions were synthesized');
    phase(`synthesis (${ds.accepted} accepted)`);

    const lab = jobs.start('label', { dataset: 'pipeline', modelPath: model, sampling: { samples: 2, maxTokens: 8, temperature: 0.8, topP: 0.95, topK: 20, seed: 3 }, parallel: 0 });
    const labDone = await jobs.waitFor(lab.id);
    assert.equal(labDone.state, 'completed', labDone.error ?? '');
    phase('labelling');

    // stories260K writes stories, never "The answer is X": its labels have no written vote, so stage 1 is refused
    // and says why. A model that answers is simulated below by written votes stored for the same questions.
    await assert.rejects(
      async () => h['training.start'](parseInput('training.start', { name: 'no-votes', modelPath: model, stage1: { dataset: 'pipeline', minVoteShare: 0.3 } })),
      /no sample wrote an answer \(recovered letters are not votes\)/,
    );
    scriptWrittenVotes(app.context.db, 'pipeline');

    // Stage 2: human-labelled questions in MedSSR's format (a slice of MedQA, gold answers).
    const medqa = JSON.parse(readFileSync(sharedPath('data', 'benchmarks', 'test_short_medqa.json'), 'utf8')) as unknown[];
    const human = path.join(dir, 'human.json');
    writeFileSync(human, JSON.stringify(medqa.slice(0, 16)));
    const { jobId } = await h['training.start'](
      parseInput('training.start', {
        name: 'pipeline',
        modelPath: model,
        stage1: { dataset: 'pipeline', minVoteShare: 0.3 },
        stage2: { files: [human] },
        settings: { stage1Steps: 3, stage2Steps: 2, promptsPerStep: 2, groupSize: 4, maxCompletionTokens: 16, checkpointEvery: 2, heldOut: 3, formatReward: 0.1 },
      }),
    );
    const trained = await jobs.waitFor(jobId);
    assert.equal(trained.state, 'completed', trained.error ?? '');
    const result = trained.result as TrainResult;
    runId = result.runId;
    phase('training');
    const steps = await h['training.metrics']({ runId, afterStep: 0 });
    assert.deepEqual(steps.map((s) => s.stage), [1, 1, 1, 2, 2], 'metrics of every step stored, stage 2 after stage 1');
    const detail = await h['training.run']({ runId });
    assert.ok(detail && detail.data.stage1 && detail.data.stage2);
    assert.ok(detail.evals.length >= 3, 'quick evaluations stored');
    const final = detail.adapters.find((a) => a.kind === 'final');
    assert.ok(final && existsSync(final.path));

    // Evaluate base and base + adapter on a MedQA slice under the MedSSR protocol (the evaluation service).
    const bench = path.join(dir, 'bench.json');
    writeFileSync(bench, JSON.stringify(medqa.slice(100, 104)));
    const imported = await h['evaluation.import']({ path: bench });
    const benchmarkIds = imported.sets.map((s) => s.id);
    const evalRun = async (adapterPath?: string): Promise<EvalRunSummary> => {
      const { jobId: ej } = await h['evaluation.start'](
        parseInput('evaluation.start', { benchmarkIds, modelPath: model, ...(adapterPath ? { adapterPath } : {}), generations: 2, sampling: { maxTokens: 16 } }),
      );
      const done = await jobs.waitFor(ej);
      assert.equal(done.state, 'completed', done.error ?? '');
      const runs = await h['evaluation.runs']({});
      return runs.find((r) => r.jobId === ej) as EvalRunSummary;
    };
    const before = await evalRun();
    const afterRun = await evalRun(final.path);
    for (const r of [before, afterRun]) {
      assert.equal(r.results.length, 1);
      assert.equal(r.results[0]?.n, 4);
    }
    assert.equal(afterRun.adapterPath, final.path);
    phase('evaluation before and after');
  } finally {
    await app.close();
  }

  // The run leaves the app as verl input through the CLI.
  const out = path.join(dir, 'verl');
  const cli = spawnSync(process.execPath, medssrArgv(['train-export', '--run', String(runId), '--verl', out, '--db', dbPath]), { encoding: 'utf8' });
  assert.equal(cli.status, 0, cli.stderr);
  const exported = JSON.parse(cli.stdout) as { files: string[]; format: string };
  assert.equal(exported.format, 'parquet');
  assert.ok(exported.files.some((f) => f.endsWith('stage2_train.parquet')));
});

/** Written votes for every accepted question (the intended answer 2 of 2 times), in a new labelling run. */
function scriptWrittenVotes(db: Db, dataset: string): void {
  const synth = new SynthesisRepo(db);
  const d = synth.find(dataset);
  assert.ok(d);
  const labels = new LabelingRepo(db);
  const run = labels.createRun({ datasetId: d.id, modelPath: 'scripted', adapterPath: null, settings: {}, jobId: null });
  for (const q of synth.questions(d.id, 'accepted')) {
    const samples = [0, 1].map((index) => ({ index, text: `The answer is ${q.intendedAnswer}`, extracted: q.intendedAnswer, recovered: false, tokens: 4 }));
    const v = majorityVote(samples);
    labels.saveLabel(run.id, d.id, q.seq, { questionId: q.id, label: v.label, votes: v.votes, recovered: v.recovered, voteShare: v.voteShare, tie: v.tie, written: v.written, sampleCount: v.samples, rarelyAnswered: v.rarelyAnswered, agreesWithIntended: true, samples }, 8);
  }
  labels.completeRun(run.id);
}
