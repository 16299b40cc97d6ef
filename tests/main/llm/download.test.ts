/**
 * Model download from the Api: only Hugging Face URIs and https URLs are accepted (the error names the field),
 * and offline (this machine cannot reach Hugging Face) the job fails within seconds with "No network: …",
 * registering nothing and leaving no partial file.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApiError, parseInput } from '../../../api/contract.js';
import { createApp, type AppRuntime } from '../../../main/app/index.js';

describe('models.download', () => {
  let dir: string;
  let app: AppRuntime;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'medssr-download-'));
    app = await createApp({ dataDir: dir, transport: 'http', seedDemo: false });
  });
  after(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts hf: URIs and https URLs, refuses anything else naming the field', () => {
    assert.equal(parseInput('models.download', { uri: ' hf:ggml-org/models:Q4_K_M ' }).uri, 'hf:ggml-org/models:Q4_K_M');
    assert.equal(parseInput('models.download', { uri: 'hf:user/repo/sub/file.gguf' }).uri, 'hf:user/repo/sub/file.gguf');
    assert.equal(parseInput('models.download', { uri: 'https://example.org/m.gguf' }).uri, 'https://example.org/m.gguf');
    for (const uri of ['http://example.org/m.gguf', 'file:///etc/passwd', '/tmp/m.gguf', 'hf:', 'hf:onlyuser', 'ftp://x/y', '']) {
      assert.throws(
        () => parseInput('models.download', { uri }),
        (err: unknown) => err instanceof ApiError && err.code === 'bad-input' && /uri:/.test(err.message),
        `refuses ${JSON.stringify(uri)}`,
      );
    }
    assert.throws(() => parseInput('models.download', { uri: 'hf:a/b', extra: 1 }), /extra/);
  });

  it('offline, the job fails fast with a clear message and registers nothing', { timeout: 30_000 }, async () => {
    const started = Date.now();
    const { jobId } = await app.handlers['models.download']({ uri: 'hf:ggml-org/models:Q4_K_M' });
    const job = await app.context.jobs.waitFor(jobId);
    const took = Date.now() - started;
    assert.equal(job.state, 'failed');
    assert.equal(job.kind, 'download-model');
    assert.match(job.error ?? '', /^No network: cannot reach huggingface\.co/);
    assert.ok(took < 10_000, `failed in ${took} ms`);
    assert.deepEqual(app.handlers['models.list']({}), []);
    assert.deepEqual(readdirSync(path.join(dir, 'models')), [], 'no partial file');
  });
});
