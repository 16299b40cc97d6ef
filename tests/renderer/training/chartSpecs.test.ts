import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chartSpecs } from '../../../renderer/src/pages/training/chartSpecs.js';

test('training charts: titles in words, never a raw metric name; quantities that cannot be negative get an axis from 0', () => {
  for (const s of chartSpecs) assert.doesNotMatch(s.title, /^[a-z]+(_[a-z]+)+$/, `${s.key}: ${s.title}`);
  assert.equal(chartSpecs.find((s) => s.key === 'zero_std')?.title, 'Groups with equal rewards (no learning signal)');
  for (const k of ['lr', 'kl', 'entropy', 'length', 'grad', 'tps', 'memory', 'time']) assert.equal(chartSpecs.find((s) => s.key === k)?.domain?.[0], 0, k);
});
