import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { MAX_PLAN_CELLS, synthesisPlanSchema } from '../../../api/synthesis.js';
import { startServer } from '../../../main/server/server.js';
import { KnowledgeIndex } from '../../../main/synthesis/knowledgeIndex.js';
import { eligibleDisorders, planCells, unknownPlanValues } from '../../../main/synthesis/planner.js';
import { createFakeServices } from '../server/fakeServices.js';
import { fixtureFacts } from './fixtures.js';

const keys = (prefix: string, n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, 1]));

test('a plan whose cross product exceeds the bound is refused with its size, before any cell is built', () => {
  const t0 = performance.now();
  const r = synthesisPlanSchema.safeParse({ count: 100, weights: { branch: keys('b', 300), disorderType: keys('t', 300) } });
  const ms = performance.now() - t0;
  assert.equal(r.success, false);
  const messages = r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n') ?? '';
  assert.match(messages, /weights\.branch: 300 values given; at most 100/);
  assert.match(messages, /cross product has 90,000 cells/);
  assert.ok(ms < 3000, `refusal took ${ms.toFixed(0)} ms`);
  // 250 × 250 (each dimension under its own cap) is still over the product bound.
  const big = synthesisPlanSchema.safeParse({ count: 100, weights: { branch: keys('b', 100), disorderType: keys('t', 100), questionType: { diagnosis: 1, gene: 1, inheritance: 1, phenotype: 1, 'next-investigation': 1 }, difficulty: { easy: 1, medium: 1, hard: 1 }, prevalenceClass: { Unknown: 1, '>1 / 1000': 1 } } });
  assert.equal(big.success, false);
  assert.match(big.error?.issues[0]?.message ?? '', new RegExp(`at most ${MAX_PLAN_CELLS.toLocaleString('en-US')}`));
  // Zero weights are not enumerated, so they do not count towards the product (the key cap still holds).
  const zeros = Object.fromEntries(Array.from({ length: 99 }, (_, i) => [`z${i}`, 0]));
  const sparse = synthesisPlanSchema.safeParse({ count: 1, weights: { branch: keys('b', 100), disorderType: { ...zeros, t: 1 }, questionType: { diagnosis: 1, gene: 1, inheritance: 1, phenotype: 1, 'next-investigation': 1 }, difficulty: { easy: 1, medium: 1, hard: 1 }, prevalenceClass: { Unknown: 1, '>1 / 1000': 1 } } });
  assert.equal(sparse.success, true);
  assert.equal(synthesisPlanSchema.safeParse({ count: 1, weights: { branch: { ...keys('z', 100), b: 1 } } }).success, false);
  assert.equal(synthesisPlanSchema.safeParse({ count: 1, weights: { branch: keys('b', 100), disorderType: keys('t', 100) } }).success, true);
});

test('synthesis.preview over HTTP refuses a 300 × 300 plan fast with a message (the server stays up)', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'medssr-plan-'));
  const server = await startServer({ dataDir: dir, port: 0, rendererDir: dir, services: createFakeServices() });
  try {
    const t0 = performance.now();
    const res = await fetch(`${server.url}api/synthesis.preview`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ count: 100, weights: { branch: keys('b', 300), disorderType: keys('t', 300) } }),
    });
    const ms = performance.now() - t0;
    const body = (await res.json()) as { ok: boolean; error?: { message: string } };
    assert.equal(res.status, 400);
    assert.equal(body.ok, false);
    assert.match(body.error?.message ?? '', /cross product has 90,000 cells/);
    assert.ok(ms < 5000, `refusal took ${ms.toFixed(0)} ms`);
    const again = await fetch(`${server.url}api/synthesis.preview`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ count: 10 }) });
    assert.equal(again.status, 200);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('unknown branch codes and disorder types are refused by name', () => {
  const index = new KnowledgeIndex(fixtureFacts());
  const ok = synthesisPlanSchema.parse({ count: 10, weights: { branch: { '90': 1 }, disorderType: { Disease: 1 } } });
  assert.equal(unknownPlanValues(ok, index), null);
  const bad = synthesisPlanSchema.parse({ count: 10, weights: { branch: { '90': 1, '12345': 1 }, disorderType: { Diseese: 1 } } });
  const msg = unknownPlanValues(bad, index) ?? '';
  assert.match(msg, /weights\.branch: no classification branch \(ORPHA code\) "12345" in the knowledge base/);
  assert.match(msg, /weights\.disorderType: no disorder type "Diseese"/);
});

test('prefix-shared eligibility equals the per-cell scan', () => {
  const index = new KnowledgeIndex(fixtureFacts(90));
  const plan = synthesisPlanSchema.parse({
    count: 5000,
    weights: { questionType: { diagnosis: 1, gene: 1, phenotype: 1 }, branch: { '90': 1, '91': 1, '92': 1 }, disorderType: { Disease: 1, 'Malformation syndrome': 1 }, difficulty: { easy: 1, hard: 1 } },
  });
  const cells = planCells(plan, index);
  assert.equal(cells.length, 36);
  for (const c of cells) {
    assert.deepEqual(
      c.eligible.map((d) => d.orphaCode),
      eligibleDisorders(index, c.cell, plan.optionCount).map((d) => d.orphaCode),
      `cell ${c.key}`,
    );
  }
});
