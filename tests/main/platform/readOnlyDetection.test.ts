/**
 * How the app tells that its data folder is read-only, which decides both that the database opens read-only and
 * that app.info says so (the renderer's banner): opensReadOnly on a folder that cannot be written, and app.info's
 * readOnly following the option. Root is not stopped by modes, so as root the check runs in a child under a
 * private read-only bind mount (unshare -m); without the right to make one that case is skipped and says why.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createApp } from '../../../main/app/index.js';
import { databasePath, opensReadOnly } from '../../../main/platform/dataDir.js';
import { repoRoot } from '../../helpers/shared.js';
import { removeDir, tempDir } from '../knowledge/fixtures.js';

const root = process.getuid?.() === 0;
const detector = path.join(repoRoot, 'main', 'platform', 'dataDir.ts');

/** opensReadOnly(db) as a process that sees `dir` through a read-only bind mount (root) or with its modes (others). */
function detectedInReadOnlyFolder(dir: string, db: string): { ok: true; value: boolean } | { ok: false; reason: string } {
  const script = `import(${JSON.stringify(detector)}).then((m) => console.log(JSON.stringify(m.opensReadOnly(${JSON.stringify(db)}))))`;
  const node = [process.execPath, '--import', 'tsx', '-e', script];
  if (!root) {
    chmodSync(dir, 0o555);
    try {
      const r = spawnSync(node[0] as string, node.slice(1), { cwd: repoRoot, encoding: 'utf8' });
      return { ok: true, value: JSON.parse(r.stdout.trim()) as boolean };
    } finally {
      chmodSync(dir, 0o755);
    }
  }
  const r = spawnSync('unshare', ['-m', 'sh', '-c', 'mount --bind -o ro "$0" "$0" && exec "$@"', dir, ...node], { cwd: repoRoot, encoding: 'utf8' });
  if (r.status !== 0) return { ok: false, reason: `skipped: no right to make a private read-only mount (unshare -m): ${r.stderr.trim().split('\n')[0]}` };
  return { ok: true, value: JSON.parse(r.stdout.trim()) as boolean };
}

describe('read-only data folder detection', () => {
  let dir: string;
  let db: string;
  before(() => {
    dir = tempDir('medssr-ro-detect-');
    db = databasePath(dir);
    writeFileSync(db, '');
  });
  after(() => removeDir(dir));

  it('a writable folder with its database is not read-only; one without a database is not either', () => {
    assert.equal(opensReadOnly(db), false);
    assert.equal(opensReadOnly(path.join(dir, 'missing', 'medssr.db')), false);
  });

  it('a folder that cannot be written is detected as read-only', (t) => {
    const seen = detectedInReadOnlyFolder(dir, db);
    if (!seen.ok) {
      console.log(`# ${seen.reason}`);
      t.skip(seen.reason);
      return;
    }
    assert.equal(seen.value, true);
  });

  it("app.info's readOnly follows how the database was opened (the renderer's banner reads it)", async () => {
    const writable = await createApp({ dataDir: dir, transport: 'http' });
    try {
      assert.equal((await writable.call('app.info')).readOnly, false);
    } finally {
      await writable.close();
    }
    const readonly = await createApp({ dataDir: dir, transport: 'http', readonly: true });
    try {
      assert.equal((await readonly.call('app.info')).readOnly, true);
    } finally {
      await readonly.close();
    }
  });
});
