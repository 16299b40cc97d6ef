/**
 * Pseudo-labelling end to end with a tiny real model: synthesize from the demo knowledge base, label with
 * N samples, cancel midway and resume, and kill -9 a CLI labelling process and resume it; labelled questions
 * are never redone and every sample's full text is stored.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { createApp, type AppRuntime } from '../../../main/app/index.js';
import type { LabelJobResult } from '../../../main/labeling/labelJob.js';
import { killCliOnceStored } from '../../helpers/cli.js';
import { needShared, sharedPath } from '../../helpers/shared.js';
import { needTinyModels, tinyModel } from '../../helpers/tinyModels.js';

const tinyReason = needTinyModels();
const storiesReason = needShared('models', 'stories260K.gguf');
const skip = tinyReason && storiesReason ? `${tinyReason}; ${storiesReason}` : undefined;
const modelPath = (): string => (tinyReason ? sharedPath('models', 'stories260K.gguf') : tinyModel({ arch: 'qwen2', contextLength: 1024 }));

const dir = mkdtempSync(path.join(os.tmpdir(), 'medssr-label-'));
const dbPath = path.join(dir, 'medssr.db');
after(() => rmSync(dir, { recursive: true, force: true }));

const sampling = { samples: 3, maxTokens: 10, temperature: 0.6, topP: 0.95, topK: 20, seed: 7 };

async function openApp(): Promise<AppRuntime> {
  return createApp({ dataDir: dir, dbPath, transport: 'ipc', seedDemo: true });
}

function labelRows(datasetName: string): { run_id: number; question_seq: number; created_at: string; label: string | null }[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db
      .prepare(
        `SELECT l.run_id, l.question_seq, l.created_at, l.label FROM lab_labels l JOIN syn_datasets d ON d.id = l.dataset_id WHERE d.name = ? ORDER BY l.question_seq`,
      )
      .all(datasetName) as { run_id: number; question_seq: number; created_at: string; label: string | null }[];
  } finally {
    db.close();
  }
}

async function synthesize(app: AppRuntime, name: string, count: number): Promise<void> {
  const job = app.context.jobs.start('synthesize', { dataset: name, plan: { count, weights: { questionType: { diagnosis: 1 }, difficulty: { easy: 1 } }, optionCount: 4 }, seed: 3 });
  const done = await app.context.jobs.waitFor(job.id);
  assert.equal(done.state, 'completed', done.error ?? '');
}

test('label, cancel midway, resume without redoing labelled questions', { skip, timeout: 300_000 }, async () => {
  const app = await openApp();
  try {
    await synthesize(app, 'demo-set', 6);
    const jobs = app.context.jobs;
    const job = jobs.start('label', { dataset: 'demo-set', modelPath: modelPath(), sampling, parallel: 0 });
    // Cancel as soon as one question is labelled.
    await new Promise<void>((resolve) => {
      const off = app.subscribe((e) => {
        if (e.type === 'job' && e.job.id === job.id && e.job.progress.done >= 1 && e.job.progress.message.startsWith('Labelling')) {
          off();
          resolve();
        }
      });
    });
    const cancelled = await jobs.cancel(job.id);
    assert.equal(cancelled.state, 'cancelled');
    const before = labelRows('demo-set');
    assert.ok(before.length >= 1 && before.length < 6, `labelled before cancel: ${before.length}`);

    jobs.resume(job.id);
    const done = await jobs.waitFor(job.id);
    assert.equal(done.state, 'completed', done.error ?? '');
    const result = done.result as LabelJobResult;
    assert.equal(result.questions, 6);
    assert.equal(result.parallel, 3, 'one sequence per sample');
    assert.ok(result.tokensPerSecond > 0);
    const afterRows = labelRows('demo-set');
    assert.equal(afterRows.length, 6);
    assert.equal(new Set(afterRows.map((r) => r.run_id)).size, 1, 'the resumed job continues the same run');
    for (const b of before) {
      const a = afterRows.find((r) => r.question_seq === b.question_seq);
      assert.equal(a?.created_at, b.created_at, `question ${b.question_seq} was not labelled again`);
    }

    // Every sample is stored in full with its extracted (or recovered) answer; votes add up.
    const page = await app.handlers['synthesis.questions']({ dataset: 'demo-set', status: 'accepted', offset: 0, limit: 100 });
    assert.equal(page.total, 6);
    for (const q of page.questions) {
      const l = q.pseudoLabel;
      assert.ok(l, `question ${q.id} has a pseudo-label`);
      assert.equal(l.samples.length, 3);
      for (const s of l.samples) {
        assert.ok(s.extracted && ['A', 'B', 'C', 'D'].includes(s.extracted), `sample answer ${s.extracted}`);
        if (s.recovered) assert.match(s.text, /The answer is [A-D]$/);
      }
      // Written votes and recovered letters are counted apart and together cover every sample.
      const votes = Object.values(l.votes).reduce((x, y) => x + y, 0);
      const recovered = Object.values(l.recovered).reduce((x, y) => x + y, 0);
      assert.equal(votes, l.samples.filter((s) => !s.recovered).length);
      assert.equal(recovered, l.samples.filter((s) => s.recovered).length);
      assert.equal(votes + recovered, 3);
      assert.equal(l.written, votes);
      assert.equal(l.rarelyAnswered, votes * 2 < 3);
      if (votes === 0) assert.deepEqual([l.label, l.voteShare], [null, null], 'nothing written: no label, no share');
      else if (l.tie) assert.equal(l.label, null);
      else assert.equal(l.voteShare, Math.max(...Object.values(l.votes)) / 3);
    }
  } finally {
    await app.close();
  }
});

test('kill -9 during CLI labelling, then resume the interrupted job', { skip, timeout: 300_000 }, async () => {
  let app = await openApp();
  try {
    await synthesize(app, 'kill-set', 10);
  } finally {
    await app.close();
  }
  const { seen, stderr } = await killCliOnceStored(
    ['label', '--dataset', 'kill-set', '--model', modelPath(), '--samples', '3', '--max-tokens', '10', '--db', dbPath, '-q'],
    () => labelRows('kill-set').length,
    { pollMs: 100 },
  );
  assert.ok(seen >= 2, `the CLI labelled questions before the kill (stderr: ${stderr.slice(-400)})`);
  const before = labelRows('kill-set');
  assert.ok(before.length < 10, `killed before the end: ${before.length}`);

  app = await openApp();
  try {
    const interrupted = app.context.jobs.list().find((j) => j.kind === 'label' && j.state === 'interrupted');
    assert.ok(interrupted, 'the killed job shows as interrupted');
    app.context.jobs.resume(interrupted.id);
    const done = await app.context.jobs.waitFor(interrupted.id);
    assert.equal(done.state, 'completed', done.error ?? '');
    const rows = labelRows('kill-set');
    assert.equal(rows.length, 10);
    for (const b of before) assert.equal(rows.find((r) => r.question_seq === b.question_seq)?.created_at, b.created_at);
  } finally {
    await app.close();
  }
});
