/**
 * Evaluation runs its model in the supervised model host, as labelling does: a GGUF that makes llama.cpp abort
 * fails the evaluation job with the reason, this process lives on, the job stays resumable (its run row says
 * failed, not running), and the next evaluation on a good model completes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { createApp } from '../../../main/app/index.js';
import { EvaluationRepo } from '../../../main/evaluation/store.js';
import { badModel } from '../../helpers/badModels.js';
import { needShared, sharedPath } from '../../helpers/shared.js';
import { needTinyModels } from '../../helpers/tinyModels.js';

process.env.MEDSSR_GPU = 'false';
const skip = needShared('models', 'stories260K.gguf') ?? needTinyModels();
const stories = sharedPath('models', 'stories260K.gguf');
const dir = mkdtempSync(path.join(os.tmpdir(), 'medssr-eval-host-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('an evaluation on a model that aborts llama.cpp fails with the reason, stays resumable, and the app evaluates the next model', { skip, timeout: 600_000 }, async () => {
  const dataset = path.join(dir, 'mini.json');
  writeFileSync(dataset, JSON.stringify([
    { id: 'q1', question: 'Which is a fruit?\nA. apple\nB. rock\nC. car', gold: 'A', name: 'mini' },
    { id: 'q2', question: 'Which one flies?\nA. fish\nB. bird\nC. dog', gold: 'B', name: 'mini' },
  ]));
  const app = await createApp({ dataDir: dir, dbPath: path.join(dir, 'medssr.db'), transport: 'ipc' });
  try {
    const imported = await app.handlers['evaluation.import']({ path: dataset });
    const input = (modelPath: string, recoveryMethod: 'grammar' | 'logit-bias') => ({
      benchmarkIds: imported.sets.map((s) => s.id),
      modelPath,
      generations: 2,
      sampling: { temperature: 0.6, topP: 0.95, topK: 20, maxTokens: 8, seed: 5 },
      threads: 1,
      adapterScale: 1,
      recovery: true,
      recoveryMethod,
      promptMode: 'auto' as const,
      parallel: 0,
    });
    // The header check would refuse this file before any process starts; off, the host itself is what is tested.
    process.env.MEDSSR_GGUF_CHECK = 'off';
    const bad = badModel(stories, 'block-count-100000');
    try {
      const { jobId } = await app.handlers['evaluation.start'](input(bad, 'grammar'));
      const failed = await app.context.jobs.waitFor(jobId);
      assert.equal(failed.state, 'failed');
      assert.match(failed.error ?? '', /model process exited with SIGABRT while loading .*block-count-100000\.gguf: .*GGML_ASSERT/s);
      const runs = new EvaluationRepo(app.context.db).runs();
      assert.equal(runs.length, 1);
      assert.equal(runs[0]?.state, 'failed', 'the run row follows its job');
      app.context.jobs.resume(jobId);
      const again = await app.context.jobs.waitFor(jobId);
      assert.equal(again.state, 'failed', 'resumed, it fails again for the same reason');
      assert.match(again.error ?? '', /SIGABRT/);
    } finally {
      delete process.env.MEDSSR_GGUF_CHECK;
    }
    // The logit-bias recovery tokenizes through the host too.
    const { jobId } = await app.handlers['evaluation.start'](input(stories, 'logit-bias'));
    const good = await app.context.jobs.waitFor(jobId);
    assert.equal(good.state, 'completed', good.error ?? '');
    const result = good.result as { generationsDone: number; recoveryMethod: string };
    assert.equal(result.generationsDone, 4);
    assert.equal(result.recoveryMethod, 'logit-bias');
  } finally {
    await app.close();
  }
});
