/** The knowledge domain through createApp: demo seeding, Api handlers, the import job in its worker, cancel. */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { ApiEvent } from '../../../api/contract.js';
import type { ImportReport, SearchResult } from '../../../api/knowledge.js';
import { createApp } from '../../../main/app/index.js';
import { needShared, sharedPath } from '../../helpers/shared.js';
import { copyOfDemo, demoDir, removeDir, tempDir } from './fixtures.js';

describe('app services: knowledge', () => {
  it('seeds the demo set on a first start with an empty database, and only then', async () => {
    const dir = tempDir();
    try {
      const app = await createApp({ dataDir: dir, transport: 'http', seedDemo: true });
      const stats = await app.handlers['knowledge.stats']({});
      assert.ok(stats.disorders >= 40 && stats.disorders <= 60, `demo size ${stats.disorders}`);
      assert.equal(stats.isDemo, true);
      const info = await app.handlers['app.info']({});
      assert.equal(info.dataDir, dir);
      assert.match(info.version, /^\d+\.\d+\.\d+/);
      const marfan = await app.handlers['knowledge.get']({ orphaCode: '558' });
      assert.equal(marfan?.isDemo, true);
      assert.equal(marfan?.name, 'Marfan syndrome');
      assert.deepEqual(marfan?.inheritance, ['Autosomal dominant']);
      assert.ok(marfan?.genes.some((g) => g.symbol === 'FBN1' && g.viaChild?.orphaCode === '284963'));
      assert.ok((marfan?.branches.length ?? 0) > 0, 'demo entries have classification branches');
      const search = (await app.handlers['knowledge.search']({ text: 'marfan', filters: {}, limit: 5, offset: 0 })) as SearchResult;
      assert.equal(search.hits[0]?.orphaCode, '558');
      assert.equal(search.hits[0]?.isDemo, true);
      const facets = await app.handlers['knowledge.facets']({ text: '', filters: {} });
      assert.ok(facets.branch.some((b) => b.label === 'Rare genetic disease' && b.count >= 30));
      assert.equal(await app.handlers['knowledge.get']({ orphaCode: '999999999' }), null);
      await app.close();
      // Second start: the demo is not loaded again over what is there.
      const again = await createApp({ dataDir: dir, transport: 'http', seedDemo: true });
      assert.equal((await again.handlers['knowledge.stats']({})).disorders, stats.disorders);
      await again.close();
    } finally {
      removeDir(dir);
    }
  });

  it('imports through a worker-thread job, emitting job events and knowledge.changed; bad input fails the job', async () => {
    const dir = tempDir();
    const app = await createApp({ dataDir: dir, transport: 'http' });
    const events: ApiEvent[] = [];
    app.subscribe((e) => events.push(e));
    try {
      const { jobId } = await app.handlers['knowledge.import']({ path: demoDir, skipInvalid: false });
      const job = await app.context.jobs.waitFor(jobId);
      assert.equal(job.state, 'completed', job.error ?? '');
      const report = job.result as ImportReport;
      assert.equal(report.added, report.packets);
      assert.equal((await app.handlers['jobs.get']({ id: jobId }))?.state, 'completed');
      assert.ok(events.some((e) => e.type === 'knowledge.changed'));
      assert.ok(events.some((e) => e.type === 'job' && e.job.id === jobId && e.job.state === 'completed'));
      assert.equal((await app.handlers['knowledge.stats']({})).isDemo, true, 'the demo packets are labelled demo however they are imported');

      const digest = app.context.knowledge.repo.digest();
      const bad = copyOfDemo();
      writeFileSync(path.join(bad, 'ORPHApacket_558.json'), '{"Orphapacket": {"ORPHAcode": "558"');
      const failed = await app.context.jobs.waitFor((await app.handlers['knowledge.import']({ path: bad, skipInvalid: false })).jobId);
      assert.equal(failed.state, 'failed');
      assert.match(failed.error ?? '', /ORPHApacket_558\.json: invalid JSON/);
      assert.equal(app.context.knowledge.repo.digest(), digest);
      const skipped = await app.context.jobs.waitFor((await app.handlers['knowledge.import']({ path: bad, skipInvalid: true })).jobId);
      assert.equal(skipped.state, 'completed');
      assert.deepEqual((skipped.result as ImportReport).skipped.map((s) => s.file), ['ORPHApacket_558.json']);
      removeDir(bad);

      await assert.rejects(Promise.resolve().then(() => app.handlers['knowledge.import']({ path: path.join(dir, 'nope'), skipInvalid: false })), /no such file/);
      await assert.rejects(Promise.resolve().then(() => app.handlers['jobs.resume']({ id: 'nope' })), /No job with id nope/);
      assert.ok((await app.handlers['jobs.list']({})).length >= 3);
    } finally {
      await app.close();
      removeDir(dir);
    }
  });

  it('imports while the main thread keeps writing to the same database (job progress of other work)', async () => {
    const dir = tempDir();
    const app = await createApp({ dataDir: dir, transport: 'http' });
    const repo = app.context.jobs.repo;
    repo.insert({ id: 'other', kind: 'label', title: 'other work', state: 'completed', params: null, progress: { done: 0, total: null, message: '' }, createdAt: new Date().toISOString() });
    let writes = 0;
    let skipped = 0;
    const writer = setInterval(() => {
      for (let i = 0; i < 5; i++) {
        if (repo.tryUpdateProgress('other', { done: ++writes, total: null, message: 'busy' })) continue;
        skipped++;
      }
    }, 1);
    try {
      // Unchanged re-imports only read until their very end: the widest window for a write to slip in.
      for (let round = 0; round < 6; round++) {
        const packets = copyOfDemo();
        const label = `Marfan syndrome ${Math.floor(round / 3)}`;
        const marfan = JSON.parse(readFileSync(path.join(packets, 'ORPHApacket_558.json'), 'utf8')) as { Orphapacket: { Label: string } };
        marfan.Orphapacket.Label = label;
        writeFileSync(path.join(packets, 'ORPHApacket_558.json'), JSON.stringify(marfan));
        const job = await app.context.jobs.waitFor((await app.handlers['knowledge.import']({ path: packets, skipInvalid: false })).jobId);
        assert.equal(job.state, 'completed', job.error ?? '');
        assert.equal(app.context.knowledge.get('558')?.name, label);
        removeDir(packets);
      }
      assert.ok(writes > 0);
      assert.ok(skipped <= writes);
    } finally {
      clearInterval(writer);
      await app.close();
      removeDir(dir);
    }
  });

  it('cancels a running import and leaves the database unchanged', { skip: needShared('data', 'orphapacket', 'json') }, async () => {
    const dir = tempDir();
    const app = await createApp({ dataDir: dir, transport: 'http', seedDemo: true });
    try {
      const digest = app.context.knowledge.repo.digest();
      const { jobId } = await app.handlers['knowledge.import']({ path: sharedPath('data', 'orphapacket', 'json'), skipInvalid: false });
      await new Promise<void>((resolve) => {
        const off = app.subscribe((e) => {
          if (e.type === 'job' && e.job.id === jobId && e.job.progress.done > 0) {
            off();
            resolve();
          }
        });
      });
      // cancel answers after a grace period even when the worker is still unwinding (a loaded machine); the job
      // must still end cancelled, never completed.
      const answered = await app.handlers['jobs.cancel']({ id: jobId });
      assert.ok(answered.state === 'cancelled' || answered.state === 'running', `cancel answered ${answered.state}`);
      const cancelled = await app.context.jobs.waitFor(jobId);
      assert.equal(cancelled.state, 'cancelled');
      assert.equal(app.context.knowledge.repo.digest(), digest);
      assert.equal((await app.handlers['knowledge.stats']({})).isDemo, true);
    } finally {
      await app.close();
      removeDir(dir);
    }
  });
});
