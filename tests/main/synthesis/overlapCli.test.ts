/** `medssr datasets overlap NAME`: the planted benchmark question is named, with both texts; --json and --fail-on-overlap. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import type { DatasetOverlap } from '../../../api/decontamination.js';
import { createApp } from '../../../main/app/index.js';
import { needShared, repoRoot, sharedPath } from '../../helpers/shared.js';
import { plantDataset } from './overlapFixture.js';

const benchFile = ['data', 'benchmarks', 'test_short_medqa.json'] as const;
const skip = needShared(...benchFile);
const dir = mkdtempSync(path.join(os.tmpdir(), 'medssr-cli-overlap-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function medssr(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'main/cli/medssr.ts'), ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('medssr datasets overlap names the planted benchmark question', { skip, timeout: 300_000 }, async () => {
  const db = path.join(dir, 'medssr.db');
  const file = sharedPath(...benchFile);
  const bench = JSON.parse(readFileSync(file, 'utf8')) as { id: string; question: string }[];
  const planted = bench[3]!;
  const app = await createApp({ dataDir: dir, dbPath: db, transport: 'ipc' });
  try {
    await app.call('evaluation.import', { path: file });
    plantDataset(app.context.db, 'planted', planted.question);
  } finally {
    await app.close();
  }
  const text = medssr('datasets', 'overlap', 'planted', '--db', db);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /medqa v1 \(1273 questions\): 1 with a shared 13-gram, 1 near-duplicates — OVERLAP/);
  assert.ok(text.stdout.includes(`planted-1 ↔ medqa:${planted.id}`));
  assert.match(text.stdout, /Warning: evaluating a model trained on this data/);

  const json = medssr('datasets', 'overlap', 'planted', '--db', db, '--json', '--fail-on-overlap');
  assert.equal(json.status, 3, 'overlap found: status 3 with --fail-on-overlap');
  const r = JSON.parse(json.stdout) as DatasetOverlap;
  assert.equal(r.benchmarks[0]!.nearDuplicates, 1);

  const missing = medssr('datasets', 'overlap', 'nope', '--db', db);
  assert.notEqual(missing.status, 0);
  assert.match(missing.stderr, /No complete dataset named "nope"/);
});
