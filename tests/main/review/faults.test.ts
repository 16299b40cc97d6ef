/**
 * Fault figures of issue 15 for review (browser mode, real HTTP): kill -9 of the server during a stream of
 * decisions, and a disk that fills during one. Each time the audit log must hold every decision the Api
 * acknowledged, once, and nothing it refused. The counts are printed.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { databasePath } from '../../../main/platform/dataDir.js';
import { call, serve } from '../../helpers/browserMode.js';
import { privateTmpfsSkip } from '../../helpers/mounts.js';
import { checkAudit, killReviewTrial, seedReviewDatabase, streamDecisions, type KillTrial } from '../../helpers/reviewStream.js';
import { removeDir, tempDir } from '../knowledge/fixtures.js';

const ITEMS = 60;

describe('review decisions under faults', () => {
  let dir: string;
  let datasetId: number;
  before(() => {
    dir = tempDir('medssr-review-faults-');
    datasetId = seedReviewDatabase(dir, ITEMS);
  });
  after(() => removeDir(dir));

  test('kill -9 of the server mid-stream: every acknowledged decision is in the audit log once', { timeout: 600_000 }, async () => {
    const trials = 4;
    const results: KillTrial[] = [];
    // A moment that differs per trial, after the stream is under way.
    for (let t = 0; t < trials; t++) results.push(await killReviewTrial(dir, datasetId, ITEMS, 400 + ((t * 733) % 1600), `kill${t}`));
    const sum = (f: (r: KillTrial) => number) => results.reduce((s, r) => s + f(r), 0);
    console.log(`# review kill -9: trials ${trials}, survived ${results.filter((r) => r.survived).length}, acknowledged ${sum((r) => r.acknowledged)}, records lost ${sum((r) => r.lost)}, duplicated ${sum((r) => r.duplicated)}`);
    for (const [t, r] of results.entries()) {
      assert.equal(r.integrity, 'ok', `trial ${t}`);
      assert.ok(r.acknowledged > 0, `trial ${t}: the stream was acknowledged before the kill`);
    }
    assert.equal(sum((r) => r.lost), 0);
    assert.equal(sum((r) => r.duplicated), 0);
  });

  test('a disk that fills during review: refusals name the full disk, nothing acknowledged is lost, work resumes once space is freed', { skip: privateTmpfsSkip(), timeout: 600_000 }, async () => {
    const data = tempDir('medssr-review-full-');
    try {
      // The server runs in a private mount namespace over a small tmpfs holding a copy of the database, filled
      // to within 192 KiB; this process reaches that folder through /proc/<pid>/root while the server lives.
      const script = 'mount -t tmpfs -o size=4m none "$0" && cp "$1" "$0"/ && (dd if=/dev/zero of="$0"/filler bs=64k 2>/dev/null; true) && truncate -s -192K "$0"/filler && shift && exec "$@"';
      const server = await serve(data, ['unshare', '-m', 'sh', '-c', script, data, databasePath(dir)]);
      const inside = (p: string) => path.join(`/proc/${server.child.pid}/root`, p);
      try {
        // Until twelve writes were refused, or two minutes (a disk that never fills fails the assertions below).
        const deadline = Date.now() + 120_000;
        const first = await streamDecisions(server.url, {
          datasetId,
          items: ITEMS,
          lanes: 2,
          tag: 'full',
          noteLength: 3000,
          shouldStop: (sent) => sent.filter((d) => d.error !== null).length >= 12 || Date.now() > deadline,
        });
        const refusals = first.filter((d) => d.error !== null);
        assert.ok(refusals.length > 0, 'the disk filled');
        for (const d of refusals) assert.match(d.error ?? '', /^409 conflict: The disk holding the data folder is full/);
        assert.doesNotMatch(server.stderr(), /\n\s+at /, 'no stack on the server console');
        const read = await call(server.url, 'review.session', {});
        assert.equal(read.status, 200, 'reads still answer on a full disk');

        rmSync(inside(path.join(data, 'filler')));
        const second = await streamDecisions(server.url, { datasetId, items: ITEMS, lanes: 2, tag: 'freed', shouldStop: (sent) => sent.length >= 30 });
        assert.deepEqual(second.filter((d) => d.error !== null).map((d) => d.error), [], 'writes succeed again once space is freed');

        // SQLite resolves /proc/<pid>/root to this namespace's "/", so the check reads a copy (the stream is
        // over: every call was answered, the files are at rest).
        const copy = tempDir('medssr-review-full-copy-');
        const db = databasePath(copy);
        for (const suffix of ['', '-wal']) if (existsSync(inside(databasePath(data)) + suffix)) copyFileSync(inside(databasePath(data)) + suffix, db + suffix);
        const a = checkAudit(db, first, 'full');
        const b = checkAudit(db, second, 'freed');
        console.log(
          `# review full disk: sent ${first.length}, acknowledged ${a.acknowledged}, refused ${refusals.length}, records lost ${a.lost}, refused but recorded ${a.refusedButRecorded}; after freeing: ${b.acknowledged}/${second.length} acknowledged, lost ${b.lost}`,
        );
        assert.equal(a.integrity, 'ok');
        assert.ok(a.acknowledged > 0, 'some decisions fit before the disk filled');
        assert.deepEqual([a.lost, a.duplicated, a.refusedButRecorded, b.lost, b.duplicated], [0, 0, 0, 0, 0]);
        removeDir(copy);
      } finally {
        server.child.kill('SIGKILL');
      }
    } finally {
      removeDir(data);
    }
  });
});
