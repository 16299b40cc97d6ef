/**
 * The demo's example over a nano model (demoModel.example): the held-out and stage-2 question files are cut from
 * the build's split file, written beside the model once (a second call leaves them as they are, so re-importing
 * finds the same set); the model is registered as `models add` would (once, however often the example is loaded),
 * so the Evaluation form sizes max tokens from its 512-token context. A folder without a nano model, or a model
 * without its card, is refused by name. The model is a real tiny GGUF (tests/helpers/tinyModels.ts).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { parseInput } from '../../../api/contract.js';
import { setupDemoModel } from '../../../main/demoModel/module.js';
import { sidecarPaths } from '../../../main/demoModel/build.js';
import type { KnowledgeService } from '../../../main/knowledge/index.js';
import { openAppDatabase } from '../../../main/app/index.js';
import { ModelRegistry } from '../../../main/llm/index.js';
import type { JobRunner } from '../../../main/platform/jobs/runner.js';
import { needTinyModels } from '../../helpers/tinyModels.js';
import { writeFakeNanoModel } from './fixtures.js';

const noTiny = needTinyModels();

const dir = mkdtempSync(path.join(os.tmpdir(), 'medssr-nano-example-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const jobs = { register: () => {} } as unknown as JobRunner;
const knowledge = { stats: () => ({ disorders: 4 }), isEmpty: () => false, listDisorderFacts: () => [] } as unknown as KnowledgeService;
function handlers(dataDir: string) {
  const registry = new ModelRegistry(openAppDatabase(':memory:'), dataDir);
  return Object.assign(setupDemoModel({ dataDir, jobs }, { knowledge, registry }, { startTrainer: () => { throw new Error('not used'); } }), { registry });
}

test('no nano model built: the example is refused, saying how to build one', async () => {
  const h = handlers(path.join(dir, 'empty'));
  await assert.rejects(async () => h['demoModel.example'](parseInput('demoModel.example', {})), /No nano demo model is built.*demo-model build/);
});

test('the example writes the held-out and stage-2 files beside the model, once, and registers the model once', { skip: noTiny }, async () => {
  const data = path.join(dir, 'one');
  const model = writeFakeNanoModel(path.join(data, 'models'), 1, { heldOut: 3, stage2: 2 });
  const h = handlers(data);
  const status = await h['demoModel.status']({});
  assert.deepEqual(status.models.map((m) => m.path), [model]);
  assert.deepEqual(h.registry.list(), [], 'not registered before the example');
  const ex = await h['demoModel.example'](parseInput('demoModel.example', {}));
  assert.equal(ex.model, model);
  const registered = h.registry.list();
  assert.equal(registered.length, 1);
  assert.deepEqual({ id: registered[0]?.id, path: registered[0]?.path, contextLength: registered[0]?.contextLength }, { id: ex.modelId, path: model, contextLength: 512 });
  assert.equal(ex.card.seed, 1);
  assert.equal(ex.heldOut.path, model.replace(/\.gguf$/, '.heldout.json'));
  assert.equal(ex.stage2.path, model.replace(/\.gguf$/, '.stage2.json'));
  assert.equal(ex.heldOut.questions, 3);
  assert.equal(ex.stage2.questions, 2);
  const held = JSON.parse(readFileSync(ex.heldOut.path, 'utf8')) as { name: string; gold: string }[];
  assert.deepEqual(held.map((q) => q.name), ['nano-heldout', 'nano-heldout', 'nano-heldout']);
  const s2 = JSON.parse(readFileSync(ex.stage2.path, 'utf8')) as { name: string }[];
  assert.deepEqual(s2.map((q) => q.name), ['nano-stage2', 'nano-stage2']);
  const before = statSync(ex.heldOut.path).mtimeMs;
  await new Promise((r) => setTimeout(r, 20));
  const again = await h['demoModel.example'](parseInput('demoModel.example', { model }));
  assert.deepEqual(again, ex);
  assert.equal(statSync(ex.heldOut.path).mtimeMs, before, 'an unchanged file is not rewritten');
  assert.deepEqual(h.registry.list().map((m) => m.id), [ex.modelId], 'loading the example again registers nothing new');
});

test('a model without its card, or a split file without held-out questions, is refused naming the file; nothing is registered', { skip: noTiny }, async () => {
  const data = path.join(dir, 'bad');
  const model = writeFakeNanoModel(path.join(data, 'models'), 2);
  const h = handlers(data);
  const side = sidecarPaths(model);
  writeFileSync(side.questions, JSON.stringify([{ id: 'x', question: 'Q?\nA. a\nB. b', gold: 'A', name: 'nano-train' }]));
  await assert.rejects(async () => h['demoModel.example'](parseInput('demoModel.example', { model })), (err: Error) => err.message.includes(side.questions) && /no held-out questions/.test(err.message));
  rmSync(side.card);
  await assert.rejects(async () => h['demoModel.example'](parseInput('demoModel.example', { model })), (err: Error) => err.message.includes(side.card));
  await assert.rejects(async () => h['demoModel.example'](parseInput('demoModel.example', { model: path.join(data, 'missing.gguf') })), /missing\.gguf does not exist/);
  assert.deepEqual(h.registry.list(), []);
});

test('a nano model file that is not a loadable GGUF is refused by name and not registered', { skip: noTiny }, async () => {
  const data = path.join(dir, 'broken');
  const model = writeFakeNanoModel(path.join(data, 'models'), 3);
  writeFileSync(model, 'not a model');
  const h = handlers(data);
  await assert.rejects(async () => h['demoModel.example'](parseInput('demoModel.example', {})), (err: Error) => err.message.includes('nano-demo-s3.gguf'));
  assert.deepEqual(h.registry.list(), []);
});
