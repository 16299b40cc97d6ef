/**
 * A seeded run that fails (the generator server answers garbage) or is cancelled leaves its dataset version
 * unfinished: never listed or readable as a dataset, reported by synthesis.unfinished with its job's state and
 * error, and resumable through that job, which then completes the same version.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createApp } from '../../../main/app/index.js';

let mode: 'good' | 'garbage' | 'slow' = 'good';
let calls = 0;
let server: Server;
let url = '';
before(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      calls++;
      if (mode === 'garbage') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('hello, I am not an API');
        return;
      }
      const content = JSON.stringify({
        question: `A woman aged ${40 + (calls % 30)} years has had a dry cough for ${calls + 2} weeks after starting a new antihypertensive drug. Which drug is most likely responsible?`,
        options: ['Lisinopril', 'Amlodipine', 'Hydrochlorothiazide', 'Metoprolol', 'Doxazosin'],
        answer: 'A',
        factsUsed: [],
      });
      const send = () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ choices: [{ message: { role: 'assistant', content } }] }));
      if (mode === 'slow') setTimeout(send, 1500);
      else send();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

test('a failed or cancelled seeded run is unfinished, not a dataset, and resumes into the same version', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'medssr-unfinished-'));
  const app = await createApp({ dataDir: dir, dbPath: ':memory:', transport: 'ipc', seedDemo: true });
  try {
    const seedsFile = path.join(dir, 'seeds.json');
    const seed = (i: number) => ({
      id: `s${i}`,
      question: `A ${30 + i}-year-old man has chest pain radiating to the left arm for ${i + 1} hours. Which of the following is the most appropriate next step in management?\nA. Aspirin\nB. Discharge\nC. Antacids\nD. Reassurance\nE. Colonoscopy`,
      gold: 'A',
      name: 'seeds',
    });
    writeFileSync(seedsFile, JSON.stringify([0, 1, 2].map(seed)));
    await app.call('synthesis.importSeeds', { path: seedsFile, name: 'chest' });
    const input = { dataset: 'seeded', generator: 'model' as const, plan: { count: 3, rareRatio: 0, seeds: { sets: ['chest'] } }, endpoint: { url } };

    mode = 'garbage';
    const { jobId } = await app.call('synthesis.start', input);
    const failed = await app.waitForJob(jobId);
    assert.equal(failed.state, 'failed');
    assert.deepEqual(await app.call('synthesis.datasets'), [], 'a failed run is not a dataset');
    await assert.rejects(app.call('synthesis.questions', { dataset: 'seeded' }), /No complete dataset named "seeded"/);
    const [u] = await app.call('synthesis.unfinished');
    assert.ok(u);
    assert.equal(u.name, 'seeded');
    assert.equal(u.version, 1);
    assert.equal(u.state, 'failed');
    assert.equal(u.jobId, jobId);
    assert.match(u.error ?? '', /did not answer with JSON/);

    // Resumed with the server fixed: the same version completes and nothing is left unfinished.
    mode = 'good';
    await app.call('jobs.resume', { id: jobId });
    const done = await app.waitForJob(jobId);
    assert.equal(done.state, 'completed', done.error ?? '');
    const list = await app.call('synthesis.datasets');
    assert.deepEqual(list.map((d) => [d.name, d.version, d.accepted]), [['seeded', 1, 3]]);
    assert.deepEqual(await app.call('synthesis.unfinished'), []);

    // Cancelled while a slow server is answering: version 2 is unfinished, 'cancelled'; version 1 stays the dataset.
    mode = 'slow';
    const second = await app.call('synthesis.start', input);
    for (let i = 0; i < 200 && (await app.call('jobs.get', { id: second.jobId }))?.state !== 'running'; i++) await new Promise((r) => setTimeout(r, 20));
    await app.call('jobs.cancel', { id: second.jobId });
    assert.equal((await app.waitForJob(second.jobId)).state, 'cancelled');
    const after2 = await app.call('synthesis.unfinished');
    assert.deepEqual(after2.map((d) => [d.name, d.version, d.state]), [['seeded', 2, 'cancelled']]);
    assert.deepEqual((await app.call('synthesis.datasets')).map((d) => d.version), [1], 'the cancelled version never reads as a dataset');
    assert.equal((await app.call('synthesis.dataset', { dataset: 'seeded' }))?.version, 1);
  } finally {
    mode = 'good';
    await app.close();
  }
});
