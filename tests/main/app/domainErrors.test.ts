/**
 * The training and llm handlers wrap errors the one way (api/errors.ts's withApiError): what a bad path or a
 * bad file throws leaves as 'bad-input' with its own message, an unknown id as 'not-found'.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApiError, parseInput } from '../../../api/contract.js';
import { createApp, type AppRuntime } from '../../../main/app/index.js';

const code = (c: string, message?: RegExp) => (err: unknown) => err instanceof ApiError && err.code === c && (!message || message.test(err.message));

describe('training and llm handler errors', () => {
  let dir: string;
  let app: AppRuntime;
  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'medssr-domain-errors-'));
    app = await createApp({ dataDir: dir, transport: 'http', seedDemo: false });
  });
  after(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('models.add of a missing file is bad input naming the file; models.remove of an unknown id is not found', async () => {
    const missing = path.join(dir, 'absent.gguf');
    await assert.rejects(async () => app.handlers['models.add'](parseInput('models.add', { path: missing })), code('bad-input', /absent\.gguf/));
    assert.throws(() => app.handlers['models.remove']({ id: 'nope' }), code('not-found'));
    await assert.rejects(async () => app.handlers['models.fit']({ id: 'nope' }), code('bad-input'));
  });

  it('training.importVerl of a missing checkpoint is bad input; an unknown run or adapter is not found', async () => {
    const input = parseInput('training.importVerl', { checkpoint: path.join(dir, 'no-ckpt'), base: path.join(dir, 'no-base.gguf') });
    await assert.rejects(async () => app.handlers['training.importVerl'](input), code('bad-input'));
    await assert.rejects(async () => app.handlers['training.exportVerl'](parseInput('training.exportVerl', { runId: 99, dir: path.join(dir, 'verl') })), code('not-found', /No training run 99/));
    assert.throws(() => app.handlers['training.exportAdapter']({ adapterId: 99, path: path.join(dir, 'a.gguf') }), code('not-found', /No adapter 99/));
  });
});
