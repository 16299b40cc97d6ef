/**
 * The metric catalogue (api/trainingMetrics.ts) against what the trainers emit: every name the native trainer
 * writes into a 'step' or 'sft' answer (read from native/trainer/src) is catalogued for that answer or listed as an
 * extra, and every name catalogued for an answer is still emitted there, so the catalogue neither misses nor keeps
 * a dead name. The fake trainer emits the same names, plus one it may add to exercise the open bag.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { isTrainingMetric, trainerMetricExtras, trainingMetricNames, trainingMetrics } from '../../../api/trainingMetrics.js';
import { TrainerProcess } from '../../../main/training/trainerProcess.js';
import { fakeTrainerBin } from './fixtures.js';

const src = path.resolve('native/trainer/src');
const cpp = readdirSync(src)
  .filter((f) => f.endsWith('.cpp'))
  .map((f) => readFileSync(path.join(src, f), 'utf8'));

const unique = (xs: Iterable<string>): string[] => [...new Set(xs)].sort();

/** The body of a C++ member function, from its signature to the first closing brace at column 0. */
function body(signature: string): string {
  const all = cpp.join('\n');
  const at = all.indexOf(signature);
  assert.ok(at >= 0, `${signature} not found in native/trainer/src`);
  return all.slice(at, all.indexOf('\n}\n', at));
}

// The step answer is one json `metrics` filled by key (batch.cpp's prepare and Trainer::step); sft returns a literal.
const stepNames = unique(cpp.flatMap((t) => [...t.matchAll(/\bmetrics\["(\w+)"\]\s*=/g)].map((m) => m[1] as string)));
const sftNames = unique([...body('json Trainer::sft(').matchAll(/\{"(\w+)",/g)].map((m) => m[1] as string));

const extras = new Set(Object.keys(trainerMetricExtras));
const catalogued = (answer: 'step' | 'sft') => unique(trainingMetricNames.filter((n) => answer in trainingMetrics[n]));

describe('training metric catalogue', () => {
  test('the native trainer sources were read', () => {
    assert.ok(stepNames.includes('reward_mean') && stepNames.length >= 20, stepNames.join(', '));
    assert.ok(sftNames.includes('loss') && sftNames.length >= 8, sftNames.join(', '));
  });

  test("every name of the native 'step' answer is catalogued for it, and only those", () => {
    assert.deepEqual(stepNames.filter((n) => !extras.has(n)), catalogued('step'));
  });

  test("every name of the native 'sft' answer is catalogued for it, and only those", () => {
    assert.deepEqual(sftNames.filter((n) => !extras.has(n)), catalogued('sft'));
  });

  test('the fake trainer answers with catalogued names, plus ppo_epochs for the open bag', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'medssr-metrics-'));
    const model = path.join(dir, 'model.gguf');
    writeFileSync(model, 'fake');
    const unknown = (m: object): string[] => Object.keys(m).filter((n) => !isTrainingMetric(n) && !extras.has(n));
    const lora = TrainerProcess.start({ binary: fakeTrainerBin });
    const full = TrainerProcess.start({ binary: fakeTrainerBin });
    try {
      await lora.init({ model, lora: { rank: 2, alpha: 4 } });
      const step = await lora.step([{ prompt: [1, 2], completions: [[3], [4, 5]], rewards: [1, 0] }]);
      assert.deepEqual(unknown(step), ['ppo_epochs']);
      await full.init({ model, mode: 'full' });
      assert.deepEqual(unknown(await full.sft([[1, 2, 3]])), []);
    } finally {
      await lora.shutdown(2000).catch(() => lora.kill());
      await full.shutdown(2000).catch(() => full.kill());
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('session metrics are not also claimed by the trainer', () => {
    for (const n of trainingMetricNames) {
      const m: { step?: unknown; sft?: unknown; session?: unknown } = trainingMetrics[n];
      assert.ok(!(m.session && (m.step || m.sft)), n);
      assert.ok(m.session || m.step || m.sft, `${n} has no source`);
    }
  });
});
