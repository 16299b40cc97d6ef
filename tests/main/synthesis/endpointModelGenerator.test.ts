/**
 * The model generator without seeds (knowledge chosen by the template generator, the text written by a model) on
 * an OpenAI-compatible server: a fake one on 127.0.0.1 that rewrites the facts it is given. Its questions are
 * judged by the same checks as a local model's and keep the server as their generator; a server that answers
 * garbage fails the run with a clear error and leaves no dataset.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { DisorderDetail } from '../../../api/knowledge.js';
import { synthesizeInputSchema } from '../../../api/synthesis.js';
import { openAppDatabase } from '../../../main/app/index.js';
import { buildDataset, synthesisInputProblem } from '../../../main/synthesis/buildDataset.js';
import { SynthesisRepo } from '../../../main/synthesis/store.js';
import { fixtureFacts } from './fixtures.js';

let garbage = false;
let calls = 0;
let server: Server;
let url = '';
before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      calls++;
      if (garbage) {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('not an API');
        return;
      }
      const user = (JSON.parse(body) as { messages: { role: string; content: string }[] }).messages.find((m) => m.role === 'user')!.content;
      const vignette = /Clinical facts: (.*)/.exec(user)?.[1] ?? '';
      const question = /The question asks: (.*)/.exec(user)?.[1] ?? '';
      const correct = /Correct answer \(use verbatim as one option; never name it in the stem\): (.*)/.exec(user)?.[1] ?? '';
      const wrong = (/Wrong options \(use verbatim\): (.*)/.exec(user)?.[1] ?? '').split('; ');
      const content = JSON.stringify({ stem: `${vignette} ${question}`, options: [...wrong, correct] });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ choices: [{ message: { role: 'assistant', content } }] }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

const facts = fixtureFacts();
const knowledge = { listDisorderFacts: () => facts as unknown as DisorderDetail[], stats: () => ({ sourceVersion: 'fixture' }) };
const io = (jobId: string) => ({ jobId, isCancelled: () => false, progress: () => undefined });

test('--generator model --endpoint without seeds: the server writes, the checks judge, the dataset names the server', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'medssr-endpoint-gen-'));
  const db = openAppDatabase(path.join(dir, 'medssr.db'));
  try {
    const base = { dataset: 'served', generator: 'model', plan: { count: 3, weights: { questionType: { diagnosis: 1 }, difficulty: { easy: 1 } } } };
    assert.equal(synthesisInputProblem(synthesizeInputSchema.parse({ ...base, generator: 'template', endpoint: { url } })), 'an --endpoint writes questions for --generator model');
    garbage = true;
    await assert.rejects(buildDataset(db, knowledge, synthesizeInputSchema.parse({ ...base, endpoint: { url } }), io('j1')), /did not answer with JSON/);
    assert.equal(new SynthesisRepo(db).list(() => 0).length, 0, 'no dataset is visible after a garbage server');
    garbage = false;
    calls = 0;
    const r = await buildDataset(db, knowledge, synthesizeInputSchema.parse({ ...base, endpoint: { url, model: 'qwen' } }), io('j2'));
    assert.ok(calls >= 3, `the server wrote every question (${calls} calls)`);
    assert.equal(r.accepted, 3, JSON.stringify(r.failures));
    const ds = db.prepare("SELECT model FROM syn_datasets WHERE job_id = 'j2'").get() as { model: string };
    assert.equal(ds.model, `qwen @ ${url}`, 'the dataset names the server that wrote it');
    const rows = db.prepare("SELECT q.provenance, q.status FROM syn_questions q JOIN syn_datasets d ON d.id = q.dataset_id WHERE d.job_id = 'j2' AND q.status = 'accepted'").all() as { provenance: string; status: string }[];
    assert.equal(rows.length, 3);
    for (const row of rows) {
      const prov = JSON.parse(row.provenance) as { generator: { kind: string; version: string; model: string } };
      assert.equal(prov.generator.kind, 'model');
      assert.equal(prov.generator.version, 'model-generator-v1');
      assert.match(prov.generator.model, /^qwen @ http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions$/);
    }
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
