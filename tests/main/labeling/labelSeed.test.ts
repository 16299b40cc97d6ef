/**
 * Same --seed, same samples at the default parallelism (one sequence per sample, several questions in flight):
 * labelling runs in reproducible mode (a context per sequence, see main/llm/scheduler.ts), so two runs store
 * the same text for every sample. Before it, 4 parallel sequences of one context reproduced 15 of 24 samples.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { createApp } from '../../../main/app/index.js';
import type { LabelJobResult } from '../../../main/labeling/labelJob.js';
import { needTinyModels, tinyModel } from '../../helpers/tinyModels.js';

const skip = needTinyModels();

const dir = mkdtempSync(path.join(os.tmpdir(), 'medssr-label-seed-'));
const dbPath = path.join(dir, 'medssr.db');
after(() => rmSync(dir, { recursive: true, force: true }));

function samplesByRun(): Map<number, Map<string, string>> {
  const db = new Database(dbPath, { readonly: true });
  try {
    const rows = db.prepare('SELECT run_id, question_seq, idx, text FROM lab_samples ORDER BY run_id, question_seq, idx').all() as {
      run_id: number;
      question_seq: number;
      idx: number;
      text: string;
    }[];
    const out = new Map<number, Map<string, string>>();
    for (const r of rows) {
      const run = out.get(r.run_id) ?? new Map<string, string>();
      run.set(`${r.question_seq}/${r.idx}`, r.text);
      out.set(r.run_id, run);
    }
    return out;
  } finally {
    db.close();
  }
}

test('labelling twice with the same seed at the default parallelism stores identical samples', { skip, timeout: 300_000 }, async () => {
  const app = await createApp({ dataDir: dir, dbPath, transport: 'ipc', seedDemo: true });
  try {
    const jobs = app.context.jobs;
    const synth = jobs.start('synthesize', { dataset: 'seed-set', plan: { count: 6, weights: { questionType: { diagnosis: 1 }, difficulty: { easy: 1 } }, optionCount: 4 }, seed: 3 });
    assert.equal((await jobs.waitFor(synth.id)).state, 'completed');
    const modelPath = tinyModel({ arch: 'qwen2', contextLength: 1024 });
    const sampling = { samples: 4, maxTokens: 32, temperature: 1, topP: 0.95, topK: 40, seed: 11 };
    for (let run = 0; run < 2; run++) {
      const job = jobs.start('label', { dataset: 'seed-set', modelPath, sampling, parallel: 0 });
      const done = await jobs.waitFor(job.id);
      assert.equal(done.state, 'completed', done.error ?? '');
      assert.equal((done.result as LabelJobResult).parallel, 4, 'one sequence per sample');
    }
    const runs = [...samplesByRun().values()];
    assert.equal(runs.length, 2);
    const [first, second] = runs as [Map<string, string>, Map<string, string>];
    assert.equal(first.size, 24);
    // Random weights at temperature 1 write varied text: a constant output would make the comparison empty.
    assert.ok(new Set(first.values()).size > 12, 'the samples differ from one another');
    const differing = [...first].filter(([k, text]) => second.get(k) !== text).map(([k]) => k);
    assert.deepEqual(differing, [], 'samples that differ between the two runs (question/sample)');
  } finally {
    await app.close();
  }
});
