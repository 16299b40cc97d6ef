/**
 * End to end with a real tiny model (stories260K, threads 1): `medssr eval --json` prints one object per set
 * name in the file with exactly the contract's keys, the invalid/recovered accounting matches the stored
 * generations, and an evaluation job cancelled midway resumes without redoing stored generations.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { createApp } from '../../../main/app/index.js';
import type { EvaluateJobResult } from '../../../main/evaluation/evaluateJob.js';
import { killCliOnceStored, runMedssr } from '../../helpers/cli.js';
import { needShared, sharedPath } from '../../helpers/shared.js';

const skip = needShared('models', 'stories260K.gguf');
const model = sharedPath('models', 'stories260K.gguf');
const dir = mkdtempSync(path.join(os.tmpdir(), 'medssr-eval-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const questions = [
  { id: 'p1', question: 'Is the sky blue?\nA. yes\nB. no\nC. maybe', gold: 'A', name: 'mini-pubmed', long: false },
  { id: 'p2', question: 'Do cats bark?\nA. yes\nB. no\nC. maybe', gold: 'B', name: 'mini-pubmed' },
  { id: 'p3', question: 'Will it rain?\nA. yes\nB. no\nC. maybe', gold: 'C', name: 'mini-pubmed' },
  { id: 'm1', question: 'Which is a fruit?\nA. apple\nB. rock\nC. car\nD. shoe', gold: 'A', name: 'mini-mcq' },
  { id: 'm2', question: 'Which one flies?\nA. fish\nB. bird\nC. dog\nD. cow', gold: 'B', name: 'mini-mcq' },
];
const dataset = path.join(dir, 'mini.json');
writeFileSync(dataset, JSON.stringify(questions));

const medssr = (args: string[]) => runMedssr(args);
interface Row {
  name: string;
  question_seq: number;
  generation: number;
  extracted: string | null;
  answer: string | null;
  recovered: number;
  correct: number;
  created_at: string;
  text: string;
}

function rows(db: string): Row[] {
  const d = new Database(db, { readonly: true });
  try {
    return d
      .prepare('SELECT b.name, g.* FROM eval_generations g JOIN eval_benchmarks b ON b.id = g.benchmark_id ORDER BY g.run_id, b.name, g.question_seq, g.generation')
      .all() as Row[];
  } finally {
    d.close();
  }
}

test('medssr eval --json: one object per set, exact keys, consistent invalid/recovered accounting', { skip, timeout: 180_000 }, async () => {
  const db = path.join(dir, 'cli.db');
  const r = await medssr(['eval', '--model', model, '--dataset', dataset, '--generations', '3', '--limit', '2', '--max-tokens', '12', '--threads', '1', '--db', db, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /\[evaluate\]/, 'progress goes to stderr');
  const out = JSON.parse(r.stdout) as Record<string, unknown>[];
  assert.ok(Array.isArray(out));
  assert.deepEqual(out.map((s) => s.name), ['mini-pubmed', 'mini-mcq']);
  const stored = rows(db);
  for (const s of out) {
    assert.deepEqual(Object.keys(s), ['name', 'n', 'accuracyMean', 'accuracyStd', 'invalid', 'recovered', 'perGeneration']);
    assert.equal(s.n, 2, '--limit 2 per set');
    const per = s.perGeneration as number[];
    assert.equal(per.length, 3);
    const mean = per.reduce((a, b) => a + b, 0) / per.length;
    assert.ok(Math.abs((s.accuracyMean as number) - mean) <= 0.005 + 1e-9);
    const mine = stored.filter((x) => x.name === s.name);
    assert.equal(mine.length, 2 * 3, 'every generation stored');
    for (const x of mine) {
      assert.ok(x.text.length >= 0);
      if (x.extracted !== null) assert.equal(x.recovered, 0);
      if (x.recovered) assert.ok(x.extracted === null && x.answer !== null);
    }
    assert.equal(s.recovered, mine.filter((x) => x.recovered === 1).length);
    assert.equal(s.invalid, mine.filter((x) => x.answer === null).length);
    assert.equal((s.invalid as number) + (s.recovered as number) + mine.filter((x) => x.extracted !== null).length, 6);
    const correct = mine.filter((x) => x.correct === 1).length;
    assert.ok(Math.abs(mean - (100 * correct) / 6) < 0.01);
  }
  // stories260K writes stories, never "The answer is X": every answer comes from the recovery pass.
  assert.ok(stored.every((x) => x.recovered === 1), 'stories260K needs recovery for every generation');

  const text = await medssr(['eval', '--model', model, '--dataset', dataset, '--generations', '2', '--limit', '1', '--max-tokens', '8', '--db', db, '-q']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^mini-pubmed: \d+\.\d\d ± \d+\.\d\d % over 1 questions × 2 generations/m);
  assert.equal(text.stderr, '', '-q prints no progress');
});

test('medssr eval --recovery logit-bias --prompt-mode base --by-file: the script\'s pass and one score per file', { skip, timeout: 180_000 }, async () => {
  const db = path.join(dir, 'bias.db');
  const r = await medssr(['eval', '--model', model, '--dataset', dataset, '--generations', '2', '--limit', '2', '--max-tokens', '6', '--threads', '1', '--db', db, '--json', '--by-file', '--recovery', 'logit-bias', '--prompt-mode', 'base', '-q']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { dataset: string; per_generation: { accuracy: number; recovery_used: number; invalid_answers: number; sample_count: number }[]; average_accuracy: number; std_accuracy: number; num_generations: number; total_records: number }[];
  // Two names in one file: one entry, named after the first item, over all 4 questions (2 per name).
  assert.equal(out.length, 1);
  const f = out[0]!;
  assert.deepEqual(Object.keys(f), ['dataset', 'model', 'per_generation', 'average_accuracy', 'std_accuracy', 'num_generations', 'total_records']);
  assert.equal(f.dataset, 'mini-pubmed');
  assert.equal(f.num_generations, 2);
  assert.equal(f.total_records, 8);
  const stored = rows(db);
  assert.equal(stored.length, 8);
  for (const [g, pg] of f.per_generation.entries()) {
    const mine = stored.filter((x) => x.generation === g);
    assert.equal(pg.sample_count, 4);
    assert.equal(pg.recovery_used, mine.filter((x) => x.recovered === 1).length);
    assert.equal(pg.accuracy, Math.round((10000 * mine.filter((x) => x.correct === 1).length) / 4) / 100);
  }
  // The script's pass decodes two tokens for a model outside its Qwen/m1 list and biases the file's gold letters
  // (A, B, C across both names), so a recovered answer is at most two characters drawn from what the model wrote.
  for (const x of stored.filter((y) => y.recovered === 1)) assert.ok((x.answer ?? '').length <= 2 && x.text.length >= 0, `recovered ${JSON.stringify(x.answer)}`);
  const settings = new Database(db, { readonly: true });
  try {
    const s = JSON.parse((settings.prepare('SELECT settings FROM eval_runs').get() as { settings: string }).settings) as { recoveryMethod: string; promptMode: string };
    assert.deepEqual([s.recoveryMethod, s.promptMode], ['logit-bias', 'base']);
  } finally {
    settings.close();
  }
});

test('medssr eval names what is wrong: missing model, malformed dataset', { skip, timeout: 60_000 }, async () => {
  const db = path.join(dir, 'bad.db');
  const noModel = await medssr(['eval', '--model', path.join(dir, 'nope.gguf'), '--dataset', dataset, '--db', db]);
  assert.equal(noModel.code, 1);
  assert.match(noModel.stderr, /No model file at .*nope\.gguf/);
  const bad = path.join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify([{ id: 'x', question: 'no options', gold: 'A', name: 's' }]));
  const malformed = await medssr(['eval', '--model', model, '--dataset', bad, '--db', db]);
  assert.equal(malformed.code, 1);
  assert.match(malformed.stderr, /bad\.json is not a valid MedSSR benchmark file:\nentry 1 \(id "x"\): the question has no option lines/);
});

test('an evaluation job cancelled midway resumes without redoing stored generations', { skip, timeout: 180_000 }, async () => {
  const db = path.join(dir, 'resume.db');
  const app = await createApp({ dataDir: dir, dbPath: db, transport: 'ipc' });
  try {
    const imported = await app.handlers['evaluation.import']({ path: dataset });
    const { jobId } = await app.handlers['evaluation.start']({
      benchmarkIds: imported.sets.map((s) => s.id),
      modelPath: model,
      generations: 2,
      sampling: { temperature: 0.6, topP: 0.95, topK: 20, maxTokens: 24, seed: 5 },
      threads: 1,
      adapterScale: 1,
      recovery: true,
      recoveryMethod: 'grammar',
      promptMode: 'auto',
      parallel: 0,
    });
    await new Promise<void>((resolve) => {
      const off = app.subscribe((e) => {
        if (e.type === 'job' && e.job.id === jobId && e.job.progress.done >= 1 && e.job.progress.message.includes('tokens/s')) {
          off();
          resolve();
        }
      });
    });
    const cancelled = await app.context.jobs.cancel(jobId);
    assert.equal(cancelled.state, 'cancelled');
    const before = rows(db);
    assert.ok(before.length >= 2 && before.length < 10, `stored before cancel: ${before.length}`);
    assert.equal(before.length % 2, 0, 'a question is stored with all its generations or not at all');

    app.context.jobs.resume(jobId);
    const done = await app.context.jobs.waitFor(jobId);
    assert.equal(done.state, 'completed', done.error ?? '');
    const result = done.result as EvaluateJobResult;
    assert.equal(result.questions, 5);
    assert.equal(result.generationsDone, 10 - before.length, 'only the missing generations were sampled');
    const all = rows(db);
    assert.equal(all.length, 10);
    for (const b of before) {
      const same = all.find((a) => a.name === b.name && a.question_seq === b.question_seq && a.generation === b.generation);
      assert.equal(same?.created_at, b.created_at, 'stored generations are not redone');
      assert.equal(same?.text, b.text);
    }
    const runs = await app.handlers['evaluation.runs']({});
    assert.equal(runs.length, 1);
    assert.equal(runs[0]!.state, 'completed');
    assert.deepEqual(runs[0]!.results.map((r) => [r.name, r.n]), [['mini-pubmed', 3], ['mini-mcq', 2]]);
    const csv = await app.handlers['evaluation.exportCsv']({ runId: runs[0]!.id, kind: 'summary' });
    assert.ok(csv.path.endsWith('evaluation-run-1-summary.csv'));
    assert.match(csv.csv, /^run,label,model,adapter,set,version,n,generation,accuracy,correct,invalid,recovered,status,answers\r\n/);
    assert.equal(csv.csv.trim().split('\r\n').length, 1 + 2 * (2 + 2));
  } finally {
    await app.close();
  }
});

test('kill -9 during `medssr eval`, then resume the interrupted job from the app', { skip, timeout: 240_000 }, async () => {
  const db = path.join(dir, 'killed.db');
  const many = path.join(dir, 'many.json');
  writeFileSync(many, JSON.stringify(Array.from({ length: 12 }, (_, i) => ({ id: `k${i}`, question: `Is claim ${i} right?\nA. yes\nB. no\nC. maybe`, gold: 'ABC'[i % 3], name: 'kill-set' }))));
  const { seen, stderr } = await killCliOnceStored(
    ['eval', '--model', model, '--dataset', many, '--generations', '2', '--max-tokens', '48', '--parallel', '1', '--threads', '1', '--db', db, '-q'],
    () => rows(db).length,
  );
  assert.ok(seen >= 2, `no generation stored before the kill: ${stderr}`);
  const before = rows(db);
  assert.ok(before.length < 24, 'killed before the end');

  const app = await createApp({ dataDir: dir, dbPath: db, transport: 'ipc' });
  try {
    const interrupted = app.context.jobs.list().find((j) => j.kind === 'evaluate');
    assert.equal(interrupted?.state, 'interrupted');
    app.context.jobs.resume(interrupted.id);
    const done = await app.context.jobs.waitFor(interrupted.id);
    assert.equal(done.state, 'completed', done.error ?? '');
    assert.equal((done.result as EvaluateJobResult).generationsDone, 24 - before.length);
    const all = rows(db);
    assert.equal(all.length, 24);
    for (const b of before) {
      const same = all.find((a) => a.question_seq === b.question_seq && a.generation === b.generation);
      assert.equal(same?.created_at, b.created_at, 'generations stored before the kill are kept as they were');
    }
    const [run] = await app.handlers['evaluation.runs']({});
    assert.deepEqual([run?.state, run?.results[0]?.n], ['completed', 12]);
  } finally {
    await app.close();
  }
});
