/**
 * Fault figure (issue 15): two processes on one database. A CLI import writes 1,500 packets while this process,
 * like the server, keeps answering searches and stats on the same file; every read must succeed (WAL readers
 * never wait for the writer), the import must complete, and afterwards both see the same counts.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { createApp } from '../../../main/app/index.js';
import { medssrArgv } from '../../helpers/cli.js';
import { repoRoot } from '../../helpers/shared.js';
import { demoDir, readPacket, removeDir, tempDir, writePacket } from '../knowledge/fixtures.js';

const dir = tempDir('medssr-two-procs-');
after(() => removeDir(dir));

test('a CLI import while this process answers searches: no failed read, the import completes', { timeout: 600_000 }, async () => {
  const packets = path.join(dir, 'packets');
  mkdirSync(packets);
  const demo = readdirSync(demoDir).filter((f) => f.endsWith('.json'));
  const total = 1500;
  for (let i = 0; i < total; i++) {
    const p = readPacket(demoDir, (demo[i % demo.length] as string).replace(/^ORPHApacket_|\.json$/g, ''));
    p.Orphapacket.ORPHAcode = String(900_000 + i);
    p.Orphapacket.Label = `${String(p.Orphapacket.Label)} variant ${i}`;
    writePacket(packets, `ORPHApacket_${900_000 + i}.json`, p);
  }
  const dbPath = path.join(dir, 'medssr.db');
  const app = await createApp({ dataDir: dir, dbPath, transport: 'http', seedDemo: true });
  try {
    const child = spawn(process.execPath, medssrArgv(['import', 'orphanet', packets, '--db', dbPath, '-q']), { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    let running = true;
    void exited.then(() => (running = false));
    let reads = 0;
    const failures: string[] = [];
    const counts = new Set<number>();
    while (running) {
      try {
        const hits = app.context.knowledge.search({ text: 'syndrome', filters: {}, limit: 20, offset: 0 });
        assert.ok(hits.total >= 0);
        counts.add(app.context.knowledge.stats().disorders);
        reads++;
      } catch (err) {
        failures.push(err instanceof Error ? err.message : String(err));
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    const code = await exited;
    console.log(`# two processes: ${reads} reads during the import, ${failures.length} failed; disorder counts seen: ${[...counts].sort((a, b) => a - b).join(', ')}`);
    assert.equal(code, 0, stderr);
    assert.deepEqual(failures, []);
    assert.ok(reads > 0);
    // Readers saw the old release or the new one, never a half-written one.
    for (const c of counts) assert.ok(c === 46 || c === total, `a reader saw ${c} disorders`);
    assert.equal(app.context.knowledge.stats().disorders, total);
  } finally {
    await app.close();
  }
});
