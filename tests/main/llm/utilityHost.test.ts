/**
 * The model host as it runs inside Electron, without Electron: the app's utility-process launcher (the one
 * main/electron/main.ts sets) over a stand-in for utilityProcess.fork built on child_process.fork with Electron's
 * message and exit semantics (tests/helpers/fakeUtilityProcess.ts), the host's parentPort side included. A model
 * that makes llama.cpp abort ends only its utility process; the label job fails with the reason and stays
 * resumable; the next job starts a fresh utility process and completes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createApp } from '../../../main/app/index.js';
import type { LabelJobResult } from '../../../main/labeling/labelJob.js';
import { openGenerator, useHostLauncher, utilityHostLauncher } from '../../../main/llm/index.js';
import { badModel } from '../../helpers/badModels.js';
import { fakeUtilityFork, type FakeUtilityRecord } from '../../helpers/fakeUtilityProcess.js';
import { needShared, sharedPath } from '../../helpers/shared.js';
import { needTinyModels } from '../../helpers/tinyModels.js';

process.env.MEDSSR_GPU = 'false';
const stories = sharedPath('models', 'stories260K.gguf');
const skip = needShared('models', 'stories260K.gguf') ?? needTinyModels();
const dir = mkdtempSync(path.join(os.tmpdir(), 'medssr-utility-host-'));
const forks: FakeUtilityRecord[] = [];
let restore: () => void = () => undefined;
before(() => {
  restore = useHostLauncher(utilityHostLauncher(fakeUtilityFork(forks)));
});
after(() => {
  restore();
  rmSync(dir, { recursive: true, force: true });
});

const sampling = { samples: 2, maxTokens: 8, temperature: 0.6, topP: 0.95, topK: 20, seed: 7 };

/** With the header check off, the file reaches llama.cpp, which aborts its process. */
async function unchecked<T>(run: () => Promise<T>): Promise<T> {
  process.env.MEDSSR_GGUF_CHECK = 'off';
  try {
    return await run();
  } finally {
    delete process.env.MEDSSR_GGUF_CHECK;
  }
}

test('through the utility-process adapter: an abort in llama.cpp ends that process only; a good model samples next', { skip, timeout: 240_000 }, async () => {
  const bad = badModel(stories, 'head-count-0');
  await unchecked(() =>
    assert.rejects(openGenerator(bad, { sequences: 2 }), (err: Error) => {
      // Electron reports a signal as its number: the message says which signal that code is.
      assert.match(err.message, new RegExp(`^model process exited with code ${os.constants.signals.SIGABRT} \\(SIGABRT if a signal ended it\\) while loading ${path.basename(bad)}: .*GGML_ASSERT`, 's'));
      return true;
    }),
  );
  const aborted = forks.at(-1);
  assert.equal(aborted?.exitCode, os.constants.signals.SIGABRT, 'the utility process itself died of the abort');
  assert.equal(aborted?.serviceName, 'MedSSR model host');
  assert.equal(aborted?.env?.ELECTRON_RUN_AS_NODE, undefined, 'no run-as-node');

  const before = forks.length;
  const gen = await openGenerator(stories, { sequences: 2 });
  try {
    assert.equal(forks.length, before + 1, 'a fresh utility process');
    const [a, b] = await gen.sample({ turns: [], baseText: 'Once upon a time' }, 2, { temperature: 0.8, topP: 0.95, topK: 40, maxTokens: 8, seed: 5 });
    assert.ok(a && b && a.tokens > 0 && b.tokens > 0, 'samples came back over parentPort');
    assert.equal(gen.stats().promptCopies, 1, 'stats come back from the host');
  } finally {
    await gen.dispose();
  }
  assert.equal(forks.at(-1)?.exitCode, 0, 'closed cleanly over parentPort (no kill)');
});

test('a label job whose utility process aborts fails with the reason, stays resumable, and the next job works', { skip, timeout: 600_000 }, async () => {
  const app = await createApp({ dataDir: dir, dbPath: path.join(dir, 'medssr.db'), transport: 'ipc', seedDemo: true });
  try {
    const jobs = app.context.jobs;
    const synth = jobs.start('synthesize', { dataset: 'utility-set', plan: { count: 2, weights: { questionType: { diagnosis: 1 }, difficulty: { easy: 1 } }, optionCount: 4 }, seed: 3 });
    assert.equal((await jobs.waitFor(synth.id)).state, 'completed');
    const bad = badModel(stories, 'block-count-100000');
    const first = forks.length;
    const failed = await unchecked(() => jobs.waitFor(jobs.start('label', { dataset: 'utility-set', modelPath: bad, sampling, parallel: 0 }).id));
    assert.equal(failed.state, 'failed');
    assert.match(failed.error ?? '', /model process exited with code \d+ \(SIGABRT if a signal ended it\) while loading .*block-count-100000\.gguf: .*GGML_ASSERT\(hparams\.n_layer_all/s);
    assert.equal(forks.length, first + 1, 'the job ran in one utility process');
    assert.equal(forks.at(-1)?.exitCode, os.constants.signals.SIGABRT);

    const again = await unchecked(() => {
      jobs.resume(failed.id);
      return jobs.waitFor(failed.id);
    });
    assert.equal(again.state, 'failed', 'resumed, it fails again for the same reason');
    assert.match(again.error ?? '', /SIGABRT if a signal ended it/);
    assert.equal(forks.length, first + 2, 'the resumed job started a fresh utility process');

    const good = await jobs.waitFor(jobs.start('label', { dataset: 'utility-set', modelPath: stories, sampling, parallel: 0 }).id);
    assert.equal(good.state, 'completed', good.error ?? '');
    assert.equal(forks.length, first + 3, 'and so did the next job');
    assert.equal(forks.at(-1)?.exitCode, 0);
    const result = good.result as LabelJobResult;
    assert.equal(result.questions, 2);
    assert.ok(result.throughput.generatedTokens > 0);
  } finally {
    await app.close();
  }
});
