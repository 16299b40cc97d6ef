/**
 * `medssr demo-model build` as users run it: --out is required, --minutes becomes a fixed step count, progress
 * goes to stderr, the model and its card land beside each other. One real (tiny-budget) build; skips, saying why,
 * without the trainer binary.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import type { DemoBuildResult, DemoModelCard } from '../../../api/demoModel.js';
import { findTrainerBinary } from '../../../main/training/index.js';
import { repoRoot } from '../../helpers/shared.js';
import { runMedssr } from '../../helpers/cli.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'medssr-cli-nano-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const db = path.join(dir, 'medssr.db');
const skip = findTrainerBinary() ? undefined : 'skipped: native trainer binary absent (run `npm run build:native`)';

test('demo-model build without --out is refused by name', async () => {
  const r = await runMedssr(['demo-model', 'build', '--db', db]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /--out/);
});

test('demo-model build --minutes 0.05: one step, model + card + questions, progress on stderr', { skip, timeout: 300_000 }, async () => {
  const imported = await runMedssr(['import', 'orphanet', path.join(repoRoot, 'assets', 'demo', 'orphapackets'), '--db', db]);
  assert.equal(imported.code, 0, imported.stderr);
  const out = path.join(dir, 'nano.gguf');
  const r = await runMedssr(['demo-model', 'build', '--minutes', '0.05', '--seed', '3', '--threads', '1', '--db', db, '--out', out, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /\[demoModel\.build\] .*Step 1 of 1/);
  const res = JSON.parse(r.stdout) as DemoBuildResult;
  assert.equal(res.path, out);
  assert.equal(res.steps, 1);
  assert.ok(existsSync(out) && existsSync(res.questionsPath));
  const card = JSON.parse(readFileSync(res.cardPath, 'utf8')) as DemoModelCard;
  assert.equal(card.seed, 3);
  assert.equal(card.calibration.stepsOverride, false);
  assert.ok(res.modelId, 'registered in the Models list');
});
