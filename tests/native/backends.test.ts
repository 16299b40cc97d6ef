// Backends loaded at run time from node-llama-cpp's prebuilt modules: what `ready` reports, a GPU backend that
// cannot load (a clear error, the process keeps serving), where a step's nodes ran, and a trainer started from an
// installed app's resources tree (electron-builder layout: resources/trainer/ and app.asar.unpacked/node_modules).
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { findBackendDirs, unpackedPath } from '../../main/training/trainerBackends.js';
import { findTrainerBinary, TrainerProcess } from '../../main/training/trainerProcess.js';
import { repoRoot } from '../helpers/shared.js';
import { needShared, sharedPath } from '../helpers/shared.js';
import { needTrainer, testBackend, trainerBinary } from './harness.js';

const skip = needTrainer() ?? needShared('models', 'stories260K.gguf');
const model = sharedPath('models', 'stories260K.gguf');
const platform = `${process.platform}-${process.arch}`;
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test('node-llama-cpp module folders are found, CUDA 12 fallback after CUDA 13', () => {
  const d = findBackendDirs();
  if (platform !== 'linux-x64') {
    console.log(`# skipped: the package layout checked here is linux-x64's (this is ${platform})`);
    return;
  }
  assert.ok(d.cpu.some((p) => p.endsWith(path.join('@node-llama-cpp', 'linux-x64', 'bins', 'linux-x64'))), d.cpu.join(', '));
  assert.match(d.ggmlBase ?? '', /@node-llama-cpp/);
  assert.equal(d.cuda.length, 2, d.cuda.join(', '));
  assert.match(d.cuda[0] as string, /linux-x64-cuda[\\/]bins[\\/]linux-x64-cuda$/);
  assert.match(d.cuda[1] as string, /linux-x64-cuda-ext[\\/]bins[\\/]linux-x64-cuda[\\/]fallback$/);
  assert.match(d.vulkan[0] ?? '', /linux-x64-vulkan/);
  assert.equal(unpackedPath('/opt/App/resources/app.asar/node_modules/x'), '/opt/App/resources/app.asar.unpacked/node_modules/x');
});

test('ready names the backend and device, and the CPU module it loaded', { skip }, async () => {
  const t = TrainerProcess.start();
  try {
    const ready = await t.init({ model, threads: 1, backend: 'cpu' });
    assert.equal(ready.backend, 'cpu');
    assert.equal(ready.device.name, 'cpu');
    assert.match(ready.device.cpuLibrary ?? '', /libggml-cpu[-\w]*\.so$/);
    const m = await t.step([{ prompt: [1, 5], completions: [[6, 7], [8]], rewards: [1, 0] }]);
    // on the CPU alone the whole graph is one split
    assert.equal(m.placement?.splits, 1);
    assert.deepEqual(Object.keys(m.placement?.nodes ?? {}), ['CPU']);
  } finally {
    await t.shutdown();
  }
});

test('auto picks a backend and says why the others were not used', { skip }, async () => {
  const t = TrainerProcess.start();
  try {
    const ready = await t.init({ model, threads: 1, backend: 'auto' });
    assert.ok(['cpu', 'cuda', 'vulkan'].includes(ready.backend));
    if (ready.backend === 'cpu') {
      assert.ok(ready.device.notUsed.some((w) => w.startsWith('cuda: ')), JSON.stringify(ready.device.notUsed));
      assert.ok(ready.device.notUsed.some((w) => w.startsWith('vulkan: ')), JSON.stringify(ready.device.notUsed));
    }
  } finally {
    await t.shutdown();
  }
});

test('backend "cuda" without a usable GPU: an error saying why, and the process still answers', { skip: skip ?? (testBackend() === 'cuda' ? 'a CUDA machine' : undefined) }, async () => {
  const t = TrainerProcess.start();
  try {
    const err = await t.init({ model, threads: 1, backend: 'cuda' }).then(
      () => undefined,
      (e: unknown) => (e instanceof Error ? e.message : String(e)),
    );
    if (err === undefined) {
      console.log('# skipped: CUDA is usable on this machine');
      return;
    }
    assert.match(err, /backend 'cuda' is not available: .*(cannot open shared object|no CUDA device|could not be initialised)/);
    const pong = await t.request({ cmd: 'ping' }, 'pong');
    assert.equal(pong.ready, false);
    const ready = await t.init({ model, threads: 1, backend: 'cpu' });
    assert.equal(ready.backend, 'cpu');
    // no folder at all is a reason too
    await assert.rejects(t.init({ model, backend: 'vulkan', backendDirs: { vulkan: [] } }), /backend 'vulkan' is not available: no folder/);
  } finally {
    await t.shutdown();
  }
});

test('an installed app: the trainer in resources/trainer runs on the modules in app.asar.unpacked', { skip }, async () => {
  if (platform !== 'linux-x64') return;
  const res = mkdtempSync(path.join(os.tmpdir(), 'medssr-resources-'));
  dirs.push(res);
  mkdirSync(path.join(res, 'trainer'));
  cpSync(trainerBinary, path.join(res, 'trainer', 'medssr-trainer'));
  const nm = path.join(res, 'app.asar.unpacked', 'node_modules');
  const pkg = path.join(nm, '@node-llama-cpp', 'linux-x64');
  cpSync(path.join(repoRoot, 'node_modules', '@node-llama-cpp', 'linux-x64', 'bins'), path.join(pkg, 'bins'), { recursive: true });
  cpSync(path.join(repoRoot, 'node_modules', '@node-llama-cpp', 'linux-x64', 'package.json'), path.join(pkg, 'package.json'));
  mkdirSync(path.join(nm, 'node-llama-cpp'));
  cpSync(path.join(repoRoot, 'node_modules', 'node-llama-cpp', 'package.json'), path.join(nm, 'node-llama-cpp', 'package.json'));
  writeFileSync(path.join(res, 'app.asar'), ''); // stands in for the archive; nothing is read from it

  const saved = process.env.MEDSSR_TRAINER_BIN;
  delete process.env.MEDSSR_TRAINER_BIN;
  const bin = findTrainerBinary(res);
  if (saved !== undefined) process.env.MEDSSR_TRAINER_BIN = saved;
  assert.equal(bin, path.join(res, 'trainer', 'medssr-trainer'));
  const found = findBackendDirs({ from: path.join(res, 'app.asar', 'dist', 'main', 'training') });
  assert.deepEqual(found.cpu, [path.join(pkg, 'bins', 'linux-x64')]);
  assert.equal(found.ggmlBase, path.join(pkg, 'bins', 'linux-x64'));
  const t = TrainerProcess.start({ binary: bin as string, backendDirs: found });
  try {
    const ready = await t.init({ model, threads: 1, backend: 'cpu' });
    assert.ok(ready.device.cpuLibrary?.startsWith(path.join(pkg, 'bins', 'linux-x64')), ready.device.cpuLibrary);
    const lp = await t.logprobs([[1, 2, 3]]);
    assert.equal(lp[0]?.length, 2);
  } finally {
    await t.shutdown();
  }
});
