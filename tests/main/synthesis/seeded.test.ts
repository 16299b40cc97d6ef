/**
 * Seeded, knowledge-enhanced synthesis against a small fake OpenAI-compatible server on 127.0.0.1: α honoured on
 * 200 questions, card facts recorded, a server that answers garbage or is down fails the run with a clear error
 * and stores nothing visible, and a model that writes nonsense gets every question rejected with its reason.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { DisorderDetail } from '../../../api/knowledge.js';
import { synthesisPlanSchema, synthesizeInputSchema } from '../../../api/synthesis.js';
import { openAppDatabase } from '../../../main/app/index.js';
import { buildDataset } from '../../../main/synthesis/buildDataset.js';
import { exportMedssr } from '../../../main/labeling/index.js';
import { KnowledgeIndex } from '../../../main/synthesis/knowledgeIndex.js';
import { endpointWriter, localWriter } from '../../../main/synthesis/questionWriter.js';
import { runSeededSynthesis } from '../../../main/synthesis/seeded.js';
import { SeedStore, type SeedQuestion } from '../../../main/synthesis/seedStore.js';
import { SynthesisRepo } from '../../../main/synthesis/store.js';
import { GenerationContext, loadModel } from '../../../main/llm/generation.js';
import { needShared, sharedPath } from '../../helpers/shared.js';
import { fixtureFacts } from './fixtures.js';

const facts = fixtureFacts();
const index = new KnowledgeIndex(facts);
const seeds: SeedQuestion[] = Array.from({ length: 20 }, (_, i) => ({
  id: `medqa-seeds:s${i}`,
  set: 'medqa-seeds',
  externalId: `s${i}`,
  question: `A ${30 + i}-year-old man comes to the emergency department because of chest pain radiating to the left arm for ${i + 1} hours. Which of the following is the most appropriate next step in management?\nA. Aspirin\nB. Discharge\nC. Antacids\nD. Reassurance\nE. Colonoscopy`,
  gold: 'A',
  options: [],
  extra: { source: 'test' },
}));

const ages: Record<string, string> = { Neonatal: '10-day-old boy', Infancy: '6-month-old boy', Childhood: '7-year-old boy', Adolescent: '14-year-old boy', Adult: '30-year-old man', Elderly: '70-year-old man' };

/** Writes what a well-behaved generator would: a vignette from the card's findings, or a plain question. */
function goodReply(user: string, n: number): string {
  const card = /Rare disease: (.+) \(ORPHA:(\d+)\)/.exec(user);
  if (!card) {
    return JSON.stringify({ question: `A woman aged ${40 + (n % 30)} years has had a dry cough for ${n + 2} weeks after starting a new antihypertensive drug. Which drug is most likely responsible?`, options: ['Lisinopril', 'Amlodipine', 'Hydrochlorothiazide', 'Metoprolol', 'Doxazosin'], answer: 'A', factsUsed: [] });
  }
  const ids = [...user.matchAll(/\[(ORPHA:\d+#hpo:[^\]]+)\] Finding: (.+?) \(/g)].slice(0, 3);
  const onset = /\] Onset: (\w+)/.exec(user)?.[1] ?? 'Adult';
  const stem = `A ${ages[onset] ?? '30-year-old man'} is evaluated for ${ids.map((m) => m[2]!.toLowerCase()).join(', ')} (case ${n}). Which of the following is the most likely diagnosis?`;
  return JSON.stringify({ question: stem, options: [card[1], 'Alpha disease', 'Beta disease', 'Gamma disease', 'Delta disease'], answer: 'A', factsUsed: ids.map((m) => m[1]) });
}

let mode: 'good' | 'garbage' | 'nonsense' = 'good';
let calls = 0;
let server: Server;
let url = '';
before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      calls++;
      const parsed = JSON.parse(body) as { messages: { role: string; content: string }[]; response_format?: { type: string } };
      assert.equal(parsed.response_format?.type, 'json_schema', 'the request asks for the JSON schema');
      if (mode === 'garbage') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('hello, I am not an API');
        return;
      }
      const user = parsed.messages.find((m) => m.role === 'user')!.content;
      const content = mode === 'nonsense' ? '{"question": "Once upon a time", "options": ["a", "a"], "answer": "Z", "factsUsed": ["ORPHA:0#made-up"]}' : goodReply(user, calls);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ choices: [{ message: { role: 'assistant', content } }] }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

test('α is honoured within ±0.05 on 200 seeded questions; cards, seeds and facts are recorded', { timeout: 60_000 }, async () => {
  mode = 'good';
  const plan = synthesisPlanSchema.parse({ count: 200, rareRatio: 0.3, seeds: { sets: ['medqa-seeds'], perSeed: 2 }, weights: {} });
  const out = await runSeededSynthesis(index, plan, seeds, endpointWriter({ url }), { seed: 5, idPrefix: 'seeded' });
  const accepted = out.questions.filter((q) => q.status === 'accepted');
  assert.equal(accepted.length, 200, JSON.stringify(out.report.rejections));
  const withCard = accepted.filter((q) => q.provenance.knowledge);
  const alpha = withCard.length / accepted.length;
  console.log(`# α planned 0.3, achieved ${alpha.toFixed(3)} (${withCard.length}/200); rejections ${JSON.stringify(out.report.rejections)}`);
  assert.ok(Math.abs(alpha - 0.3) <= 0.05);
  assert.equal(out.report.rareRatio?.achievedCards, withCard.length);
  for (const q of withCard) {
    assert.ok(q.provenance.factsUsed!.length > 0 && q.provenance.factsUsed!.every((id) => q.provenance.facts.some((f) => f.id === id)), 'facts used are on the card');
    assert.ok(q.provenance.checks!.every((c) => c.passed));
  }
  for (const q of accepted) assert.match(q.provenance.seedId ?? '', /^medqa-seeds:s\d+$/);
  // perSeed 2: each seed is rewritten twice before the next one.
  assert.equal(accepted[0]!.provenance.seedId, accepted[1]!.provenance.seedId);
});

test('a model that writes nonsense: every attempt rejected with the rule that caught it', { timeout: 60_000 }, async () => {
  mode = 'nonsense';
  const plan = synthesisPlanSchema.parse({ count: 4, rareRatio: 0.5, seeds: { sets: ['medqa-seeds'] } });
  const out = await runSeededSynthesis(index, plan, seeds, endpointWriter({ url }), { seed: 1, idPrefix: 'bad' });
  assert.equal(out.questions.filter((q) => q.status === 'accepted').length, 0);
  assert.equal(out.questions.length, 4 * 3, 'three attempts per slot, all kept');
  for (const q of out.questions) assert.match(q.rejectReason ?? '', /^(validity|facts-in-card|output-shape): /);
});

function tempDb() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'medssr-seeded-'));
  return { db: openAppDatabase(path.join(dir, 'medssr.db')), dir };
}
const knowledge = { listDisorderFacts: () => facts as unknown as DisorderDetail[], stats: () => ({ sourceVersion: 'fixture' }) };
const io = (jobId: string) => ({ jobId, isCancelled: () => false, progress: () => undefined });

test('seed import keeps extra fields; a garbage or unreachable server fails the run and leaves no dataset', { timeout: 60_000 }, async () => {
  const { db, dir } = tempDb();
  try {
    const file = path.join(dir, 'seeds.json');
    writeFileSync(file, JSON.stringify(seeds.slice(0, 3).map((s) => ({ id: s.externalId, question: s.question, gold: s.gold, name: 'x', source: 'medqa' }))));
    const store = new SeedStore(db);
    assert.equal(store.importFile(file, 'medqa-seeds').count, 3);
    assert.deepEqual(store.seeds(['medqa-seeds'])[0]!.extra, { source: 'medqa', name: 'x' });
    assert.throws(() => store.seeds(['nope']), /No seed set named "nope"/);
    const base = { dataset: 'seeded', generator: 'model', plan: { count: 3, rareRatio: 0.3, seeds: { sets: ['medqa-seeds'] } } };
    mode = 'garbage';
    await assert.rejects(buildDataset(db, knowledge, synthesizeInputSchema.parse({ ...base, endpoint: { url } }), io('j1')), /did not answer with JSON/);
    await assert.rejects(buildDataset(db, knowledge, synthesizeInputSchema.parse({ ...base, endpoint: { url: 'http://127.0.0.1:9' } }), io('j2')), /Cannot reach the generator server/);
    assert.equal(new SynthesisRepo(db).list(() => 0).length, 0, 'no dataset is visible');
    mode = 'good';
    const r = await buildDataset(db, knowledge, synthesizeInputSchema.parse({ ...base, endpoint: { url } }), io('j3'));
    assert.equal(r.accepted, 3);
    const items = exportMedssr(db, 'seeded');
    assert.equal(items.length, 3);
    for (const it of items) {
      assert.match(it.meta.seedId ?? '', /^medqa-seeds:/);
      assert.equal(typeof it.meta.knowledge, 'boolean');
      assert.ok(Array.isArray(it.meta.factsUsed) && it.meta.checks.length > 0);
    }
  } finally {
    db.close();
  }
});

const noModel = needShared('models', 'stories260K.gguf');
test('a tiny local GGUF (stories260K) writes seeded questions that fail the checks: rejections recorded', { skip: noModel, timeout: 180_000 }, async () => {
  const loaded = await loadModel(sharedPath('models', 'stories260K.gguf'), false);
  const ctx = await GenerationContext.create(loaded, { sequences: 1 });
  try {
    const plan = synthesisPlanSchema.parse({ count: 2, rareRatio: 0.5, seeds: { sets: ['medqa-seeds'] } });
    const out = await runSeededSynthesis(index, plan, seeds, localWriter(ctx, 'stories260K.gguf'), { seed: 3, idPrefix: 'tiny' });
    const rejected = out.questions.filter((q) => q.status === 'rejected');
    console.log(`# stories260K: ${out.questions.length - rejected.length} accepted, ${rejected.length} rejected: ${JSON.stringify(out.report.rejections)}`);
    assert.equal(rejected.length, out.questions.length, 'nothing it wrote passes');
    for (const q of rejected) {
      assert.ok(q.rejectReason && q.provenance.checks?.some((c) => !c.passed), 'each rejection keeps its rule');
      assert.equal(q.provenance.generator.kind, 'model');
    }
  } finally {
    await ctx.dispose();
    await loaded.model.dispose();
  }
});
