import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultLabelMaxTokens } from '../../../renderer/src/pages/synthesis/labelDefaults.js';

test("labelling max tokens: 1,024 unless the model's context is smaller, then half of it", () => {
  assert.equal(defaultLabelMaxTokens(null), 1024);
  assert.equal(defaultLabelMaxTokens(undefined), 1024);
  assert.equal(defaultLabelMaxTokens(32768), 1024);
  assert.equal(defaultLabelMaxTokens(2048), 1024);
  assert.equal(defaultLabelMaxTokens(512), 256);
  assert.equal(defaultLabelMaxTokens(20), 16);
});
