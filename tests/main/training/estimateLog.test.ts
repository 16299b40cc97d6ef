import assert from 'node:assert/strict';
import { test } from 'node:test';
import { estimateVsActual } from '../../../main/training/trainJob.js';

test('the run log puts the estimate beside the measured time', () => {
  assert.equal(estimateVsActual(17, 50), 'Took 50 s; estimated 17 s before the start (actual 2.9× the estimate)');
  assert.equal(estimateVsActual(600, 300), 'Took 5 min; estimated 10 min before the start (actual 0.5× the estimate)');
  assert.equal(estimateVsActual(null, 12), 'Took 12 s (no estimate was made before the start)');
  assert.equal(estimateVsActual(0, 12), 'Took 12 s (no estimate was made before the start)');
});
