/**
 * A tiny nano build with the real trainer (small dimensions, a few steps): the model it writes loads in
 * node-llama-cpp, its card and question file are written, its loss went down; the same seed gives the same file;
 * a build cancelled mid-way resumes from its checkpoint to the same result; and the 'demoModel.build' job does it
 * through the Api with step progress. Skips, saying why, without the trainer binary.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { getLlama, LlamaLogLevel } from 'node-llama-cpp';
import { parseInput } from '../../../api/contract.js';
import type { DemoBuildResult, DemoModelCard } from '../../../api/demoModel.js';
import type { DisorderDetail } from '../../../api/knowledge.js';
import { buildDemoModel, sidecarPaths, type BuildDeps } from '../../../main/demoModel/build.js';
import type { ArchSpec } from '../../../main/demoModel/initModel.js';
import { setupDemoModel } from '../../../main/demoModel/module.js';
import { openLlamaTokenizer, startSftTrainer } from '../../../main/demoModel/runtime.js';
import { ModelRegistry } from '../../../main/llm/index.js';
import type { Db } from '../../../main/platform/db/open.js';
import { JobRunner } from '../../../main/platform/jobs/runner.js';
import { findTrainerBinary } from '../../../main/training/index.js';
import { demoKnowledge } from './fixtures.js';
import type { KnowledgeService } from '../../../main/knowledge/index.js';

const skip = findTrainerBinary() ? undefined : 'skipped: native trainer binary absent (run `npm run build:native` or set MEDSSR_TRAINER_BIN)';
if (skip) console.log(`# ${skip}`);

const dir = mkdtempSync(path.join(os.tmpdir(), 'medssr-nano-build-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const arch: ArchSpec = { nEmbd: 64, nLayer: 2, nHead: 2, nHeadKv: 2, nFf: 128, contextLength: 512 };
const STEPS = 8;
const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

describe('nano demo model build (real trainer)', { skip }, () => {
  let db: Db;
  let knowledge: KnowledgeService;
  let disorders: DisorderDetail[];
  let deps: BuildDeps;
  before(async () => {
    ({ db, knowledge, disorders } = await demoKnowledge());
    deps = { disorders: () => disorders, knowledgeVersion: () => 'demo', openTokenizer: openLlamaTokenizer, startTrainer: () => startSftTrainer(), arch };
  });
  after(() => db.close());

  const input = (out: string) => ({ minutes: 1, seed: 4, threads: 1, steps: STEPS, maxDisorders: 0, register: false, out });

  let first: { path: string; card: DemoModelCard };
  test('writes a model node-llama-cpp loads, its card and question file; the loss went down', { timeout: 300_000 }, async () => {
    const out = path.join(dir, 'a', 'nano.gguf');
    const r = await buildDemoModel(input(out), deps);
    first = { path: r.path, card: r.card };
    const side = sidecarPaths(out);
    assert.ok(existsSync(out) && existsSync(side.card) && existsSync(side.questions));
    assert.ok(!existsSync(side.work), 'the work folder is removed after a finished build');
    const card = JSON.parse(readFileSync(side.card, 'utf8')) as DemoModelCard;
    assert.equal(card.steps, STEPS);
    assert.equal(card.lossCurve.length, STEPS);
    assert.equal(card.seed, 4);
    assert.equal(card.threads, 1);
    assert.ok(card.split.heldOut.length > 0 && card.data.trainQuestions > 0);
    const l = card.lossCurve.map((p) => p.loss);
    const head = (l[0] as number) + (l[1] as number);
    const tail = (l[l.length - 1] as number) + (l[l.length - 2] as number);
    console.log(`# loss ${l.map((x) => x.toFixed(2)).join(' ')}; held-out answer loss ${card.heldOutAnswerLoss.init} → ${card.heldOutAnswerLoss.final}; ${card.time.trainS} s`);
    assert.ok(tail < head, `loss went down: ${l.join(', ')}`);
    assert.ok(card.heldOutAnswerLoss.final < card.heldOutAnswerLoss.init);
    const questions = JSON.parse(readFileSync(side.questions, 'utf8')) as { name: string; gold: string }[];
    assert.ok(questions.some((q) => q.name === 'nano-heldout'));
    const llama = await getLlama({ gpu: false, logLevel: LlamaLogLevel.error, build: 'never', progressLogs: false });
    const model = await llama.loadModel({ modelPath: out });
    try {
      const ctx = await model.createContext({ contextSize: 256, threads: 1 });
      const it = ctx.getSequence().evaluate(model.tokenize('Marfan syndrome'), { temperature: 0 });
      assert.equal(typeof (await it.next()).value, 'number');
      await ctx.dispose();
    } finally {
      await model.dispose();
    }
  });

  test('a build cancelled mid-way resumes from its checkpoint to the same model as the uninterrupted one', { timeout: 300_000 }, async () => {
    assert.ok(first, 'needs the first build');
    const out = path.join(dir, 'b', 'nano.gguf');
    const ac = new AbortController();
    await assert.rejects(
      buildDemoModel(input(out), deps, { signal: ac.signal, progress: (p) => p.done === 3 && p.message.startsWith('Step') && ac.abort() }),
      /Cancelled/,
    );
    assert.ok(existsSync(path.join(sidecarPaths(out).work, 'trainer.ckpt')), 'checkpoint saved on cancel');
    assert.ok(!existsSync(out));
    const r = await buildDemoModel(input(out), deps);
    assert.equal(r.card.time.resumedFromStep, 3);
    assert.deepEqual(r.card.lossCurve, first.card.lossCurve);
    assert.equal(sha(r.path), sha(first.path), 'same seed and threads: the same bytes');
  });

  test("the 'demoModel.build' job through the Api: step progress, result, model registered", { timeout: 300_000 }, async () => {
    const jobs = new JobRunner(db);
    const registry = new ModelRegistry(db, dir);
    const handlers = setupDemoModel({ dataDir: dir, jobs }, { knowledge, registry }, { arch });
    const status = await handlers['demoModel.status']({});
    assert.equal(status.trainerBuilt, true);
    assert.equal(status.models.length, 0);
    const seen: number[] = [];
    jobs.onChange((j) => {
      if (j.state === 'running' && j.progress.total === 3) seen.push(j.progress.done);
    });
    const { jobId } = await handlers['demoModel.build'](parseInput('demoModel.build', { steps: 3, seed: 2, threads: 1, maxDisorders: 0 }));
    const done = await jobs.waitFor(jobId);
    assert.equal(done.state, 'completed', done.error ?? '');
    const r = done.result as DemoBuildResult;
    assert.equal(r.path, path.join(dir, 'models', 'nano-demo-s2.gguf'));
    assert.equal(r.steps, 3);
    assert.ok(r.modelId && registry.list().some((m) => m.id === r.modelId));
    assert.ok(seen.length > 0, 'progress with a total');
    const after = await handlers['demoModel.status']({});
    assert.equal(after.models.length, 1);
    assert.equal(after.models[0]?.card?.steps, 3);
    await assert.rejects(async () => handlers['demoModel.build'](parseInput('demoModel.build', { out: path.join(dir, 'x.bin') })), /\.gguf/);
    await jobs.close();
  });
});
