import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { JobInfo } from '../../../../api/jobs.js';
import { openAppDatabase } from '../../../../main/app/index.js';
import { JobRunner } from '../../../../main/platform/jobs/runner.js';
import { eraseJobHandler } from '../../../../main/platform/jobs/types.js';
import { removeDir, tempDir } from '../../knowledge/fixtures.js';

interface CountParams {
  to: number;
  stepMs: number;
}

/** A job that counts to `to`, saving a checkpoint at every step and resuming from it. */
function countingHandler(seen: { resumedFrom: (number | null)[] }) {
  return eraseJobHandler<CountParams, { counted: number }, { at: number }>({
    kind: 'train',
    parseParams(raw) {
      const p = raw as Partial<CountParams>;
      if (typeof p?.to !== 'number' || p.to < 1) throw new Error('"to" must be a positive number');
      return { to: p.to, stepMs: p.stepMs ?? 5 };
    },
    title: (p) => `Count to ${p.to}`,
    async run(params, ctx) {
      seen.resumedFrom.push(ctx.checkpoint?.at ?? null);
      for (let i = ctx.checkpoint?.at ?? 0; i < params.to; i++) {
        if (ctx.signal.aborted) throw new Error('aborted');
        await new Promise((r) => setTimeout(r, params.stepMs));
        ctx.saveCheckpoint({ at: i + 1 });
        ctx.progress({ done: i + 1, total: params.to, message: `Counted ${i + 1}`, unit: 'steps' });
      }
      return { counted: params.to };
    },
  });
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('job runner', () => {
  it('runs a job to completion with throttled progress events and stores the result', async () => {
    const db = openAppDatabase(':memory:');
    const events: JobInfo[] = [];
    const runner = new JobRunner(db, { onChange: (j) => events.push(j) });
    runner.register(countingHandler({ resumedFrom: [] }));
    const job = runner.start('train', { to: 40, stepMs: 5 });
    assert.equal(job.title, 'Count to 40');
    const done = await runner.waitFor(job.id);
    assert.equal(done.state, 'completed');
    assert.deepEqual(done.result, { counted: 40 });
    assert.equal(done.progress.done, 40);
    assert.ok(done.startedAt && done.finishedAt);
    assert.deepEqual(events[0]?.state, 'queued');
    assert.equal(events.at(-1)?.state, 'completed');
    const progressEvents = events.filter((e) => e.state === 'running' && e.progress.done > 0);
    assert.ok(progressEvents.length >= 1, 'progress is streamed');
    assert.ok(progressEvents.length < 40, `progress events are throttled (${progressEvents.length} for 40 updates)`);
    assert.deepEqual(runner.list().map((j) => j.id), [job.id]);
    await runner.close();
    db.close();
  });

  it('validates params before storing anything', () => {
    const db = openAppDatabase(':memory:');
    const runner = new JobRunner(db);
    runner.register(countingHandler({ resumedFrom: [] }));
    assert.throws(() => runner.start('train', { to: -1 }), /Invalid parameters for train: "to" must be a positive number/);
    assert.throws(() => runner.start('label', {}), /No job handler for kind "label"/);
    assert.equal(runner.list().length, 0);
    db.close();
  });

  it('cancels a running job and a queued one; a failing job is failed with its message', async () => {
    const db = openAppDatabase(':memory:');
    const runner = new JobRunner(db);
    runner.register(countingHandler({ resumedFrom: [] }));
    const a = runner.start('train', { to: 1000, stepMs: 5 });
    const b = runner.start('train', { to: 3 });
    assert.equal(runner.get(b.id)?.state, 'queued', 'same kind waits for the running one');
    await until(() => (runner.get(a.id)?.progress.done ?? 0) > 2);
    const cancelledB = await runner.cancel(b.id);
    assert.equal(cancelledB.state, 'cancelled');
    const cancelledA = await runner.cancel(a.id);
    assert.equal(cancelledA.state, 'cancelled');
    assert.ok(cancelledA.progress.done < 1000);
    await assert.rejects(runner.cancel(a.id), /already cancelled/);

    runner.register(
      eraseJobHandler({ kind: 'label', parseParams: (r) => r, title: () => 'fails', run: () => Promise.reject(new Error('model file missing')) }),
    );
    const failed = await runner.waitFor(runner.start('label', {}).id);
    assert.equal(failed.state, 'failed');
    assert.equal(failed.error, 'model file missing');
    await runner.close();
    db.close();
  });

  it('marks jobs left running by a previous process as interrupted and resumes them from their checkpoint', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'jobs.db');
    try {
      // First "process": a job is running when the process dies (we simply stop using its runner).
      const db1 = openAppDatabase(file);
      const runner1 = new JobRunner(db1);
      runner1.register(countingHandler({ resumedFrom: [] }));
      const job = runner1.start('train', { to: 150, stepMs: 5 });
      await until(() => (runner1.get(job.id)?.progress.done ?? 0) >= 3);

      // Second "process" on the same database file.
      const db2 = openAppDatabase(file);
      const seen = { resumedFrom: [] as (number | null)[] };
      const runner2 = new JobRunner(db2);
      runner2.register(countingHandler(seen));
      assert.deepEqual(runner2.interruptedAtStart, [job.id]);
      const interrupted = runner2.get(job.id);
      assert.equal(interrupted?.state, 'interrupted');
      assert.match(interrupted?.error ?? '', /stopped while this job was running/);
      await runner1.close();
      db1.close();

      const checkpoint = (runner2.repo.getCheckpoint(job.id) as { at: number }).at;
      assert.ok(checkpoint >= 3);
      const resumed = runner2.resume(job.id);
      assert.ok(['queued', 'running'].includes(resumed.state));
      const done = await runner2.waitFor(job.id);
      assert.equal(done.state, 'completed');
      assert.deepEqual(done.result, { counted: 150 });
      assert.ok((seen.resumedFrom[0] ?? 0) >= checkpoint, 'the handler received the saved checkpoint');
      assert.throws(() => runner2.resume(job.id), /only interrupted, failed or cancelled jobs can be resumed/);
      await runner2.close();
      db2.close();
    } finally {
      removeDir(dir);
    }
  });

  it('leaves jobs of another live process alone (the CLI started beside the app)', () => {
    const db = openAppDatabase(':memory:');
    const insert = db.prepare(
      `INSERT INTO jobs (id, kind, title, state, params, progress, created_at, owner) VALUES (?, 'train', 't', 'running', 'null', '{"done":0,"total":null,"message":""}', ?, ?)`,
    );
    const now = new Date().toISOString();
    insert.run('alive', now, `${os.hostname()}:${process.ppid}`);
    insert.run('dead', now, `${os.hostname()}:999999999`);
    insert.run('unowned', now, null);
    const runner = new JobRunner(db);
    assert.deepEqual([...runner.interruptedAtStart].sort(), ['dead', 'unowned']);
    assert.equal(runner.get('alive')?.state, 'running');
    db.close();
  });

  it('leaves running jobs interrupted (resumable) when the app closes', async () => {
    const db = openAppDatabase(':memory:');
    const runner = new JobRunner(db);
    runner.register(countingHandler({ resumedFrom: [] }));
    const job = runner.start('train', { to: 1000, stepMs: 5 });
    await until(() => (runner.get(job.id)?.progress.done ?? 0) > 1);
    await runner.close();
    assert.equal(runner.get(job.id)?.state, 'interrupted');
    db.close();
  });
});
