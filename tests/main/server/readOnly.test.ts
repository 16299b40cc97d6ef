/**
 * Browser mode over a data folder that cannot be written (a read-only mount, a share): the server starts, answers
 * reads, and refuses each write with a 409 saying the folder is read-only (no 500, no stack, no path), the
 * database byte for byte as it was. Root is not stopped by modes, so there the folder is made read-only by a
 * private read-only bind mount (unshare -m); without the right to make one the test is skipped and says why.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { createApp } from '../../../main/app/index.js';
import { readOnlyMessage } from '../../../main/server/dispatch.js';
import { call, serve, type Served } from '../../helpers/browserMode.js';
import { removeDir, tempDir } from '../knowledge/fixtures.js';

const digest = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');
const root = process.getuid?.() === 0;

function readOnlySkip(): string | undefined {
  if (process.platform !== 'linux') return 'skipped: read-only folders are set up with Linux mounts or modes';
  if (!root) return undefined;
  const probe = spawnSync('unshare', ['-m', 'sh', '-c', 'mount --bind -o ro / /']);
  if (probe.status === 0) return undefined;
  const reason = 'skipped: running as root without the right to make a private read-only mount (unshare -m)';
  console.log(`# ${reason}`);
  return reason;
}

/** `npm run serve` from source over `dir`, read-only (as root, through a private read-only bind mount). */
function serveReadOnly(dir: string): Promise<Served> {
  return serve(dir, root ? ['unshare', '-m', 'sh', '-c', 'mount --bind -o ro "$0" "$0" && exec "$@"', dir] : []);
}

describe('browser mode over a read-only data folder', { skip: readOnlySkip() }, () => {
  let dir: string;
  let db: string;

  before(async () => {
    dir = tempDir('medssr-server-ro-');
    const app = await createApp({ dataDir: dir, transport: 'http', seedDemo: true });
    db = app.dbPath;
    await app.close();
  });
  after(() => {
    chmodSync(dir, 0o755);
    removeDir(dir);
  });

  it('starts, serves reads and refuses writes by saying the folder is read-only; the database is unchanged', { timeout: 120_000 }, async () => {
    // A clean close leaves no -wal beside the database: the state a folder is in when it is made read-only.
    const before = digest(db);
    if (!root) chmodSync(dir, 0o555);
    const server = await serveReadOnly(dir);
    try {
      assert.match(server.stdout(), /\(read-only: serving reads; every change is refused\)/);
      const info = await call(server.url, 'app.info', {});
      assert.equal((info.body.result as { readOnly: boolean }).readOnly, true, 'app.info tells the renderer (its banner)');
      const stats = await call(server.url, 'knowledge.stats', {});
      assert.equal(stats.status, 200, JSON.stringify(stats.body));
      assert.ok((stats.body.result as { disorders: number }).disorders > 0);
      const search = await call(server.url, 'knowledge.search', { text: 'marfan' });
      assert.equal(search.status, 200, JSON.stringify(search.body));
      assert.equal((await call(server.url, 'jobs.list', {})).status, 200);
      assert.equal((await call(server.url, 'review.session', {})).status, 200);

      const writes: [string, unknown][] = [
        ['review.addReviewer', { name: 'Ro', role: 'reviewer' }],
        ['review.setGuidelines', { markdown: 'x' }],
        ['knowledge.import', { path: dir }],
      ];
      for (const [method, body] of writes) {
        const r = await call(server.url, method, body);
        // A refusal by the contract's validation (400) would not reach the database; each of these must.
        assert.equal(r.status, 409, `${method}: ${JSON.stringify(r.body)}`);
        assert.deepEqual(r.body.error, { code: 'conflict', message: readOnlyMessage }, method);
      }
      assert.doesNotMatch(server.stderr(), /\n\s+at /, 'no stack on the server console');
    } finally {
      server.child.kill('SIGTERM');
      await new Promise((r) => server.child.once('close', r));
      chmodSync(dir, 0o755);
    }
    assert.equal(digest(db), before);
  });
});
