/**
 * Fault figure (issue 15): a full disk. The data folder is a 3 MiB tmpfs (a private mount, root only); a first
 * import fits, a second of 1,500 packets cannot: it must fail with a message, and the database must stay intact
 * (integrity_check ok) with the first import's entries, all in one private mount namespace.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { medssrArgv } from '../../helpers/cli.js';
import { privateTmpfsSkip } from '../../helpers/mounts.js';
import { repoRoot } from '../../helpers/shared.js';
import { demoDir, readPacket, removeDir, tempDir, writePacket } from '../knowledge/fixtures.js';

const dir = tempDir('medssr-full-disk-');
after(() => removeDir(dir));

test('an import that fills the disk fails with a message and leaves the database intact', { skip: privateTmpfsSkip(), timeout: 600_000 }, async () => {
  const packets = path.join(dir, 'packets');
  mkdirSync(packets);
  const demo = readdirSync(demoDir).filter((f) => f.endsWith('.json'));
  for (let i = 0; i < 1500; i++) {
    const p = readPacket(demoDir, (demo[i % demo.length] as string).replace(/^ORPHApacket_|\.json$/g, ''));
    p.Orphapacket.ORPHAcode = String(900_000 + i);
    writePacket(packets, `ORPHApacket_${900_000 + i}.json`, p);
  }
  const data = path.join(dir, 'data');
  mkdirSync(data);
  const db = path.join(data, 'medssr.db');
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const cli = (args: string[]) => [process.execPath, ...medssrArgv(args)].map(q).join(' ');
  const check = `${q(process.execPath)} -e ${q(`const D=require('better-sqlite3');const d=new D(${JSON.stringify(db)},{readonly:true});console.log('integrity '+d.pragma('integrity_check',{simple:true})+' disorders '+d.prepare('SELECT count(*) FROM kb_disorders').pluck().get())`)}`;
  const script = [
    `mount -t tmpfs -o size=3m none ${q(data)}`,
    `${cli(['import', 'orphanet', demoDir, '--db', db, '-q'])}; echo "first $?"`,
    `${cli(['import', 'orphanet', packets, '--db', db, '-q'])} 2>&1 | tail -n 3; echo "second \${PIPESTATUS[0]}"`,
    check,
  ].join('\n');
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn('unshare', ['-m', 'bash', '-c', script], { cwd: repoRoot, env: { ...process.env, NODE_PATH: path.join(repoRoot, 'node_modules') }, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (c: Buffer) => (text += c.toString()));
    child.stderr.on('data', (c: Buffer) => (text += c.toString()));
    child.on('error', reject);
    child.on('close', () => resolve(text));
  });
  console.log(`# full disk: ${out.trim().split('\n').join(' | ')}`);
  assert.match(out, /^first 0$/m);
  assert.match(out, /^second [1-9]\d*$/m, 'the import that fills the disk exits non-zero');
  assert.match(out, new RegExp(`Error: the disk holding ${data.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is full\\. The step that was being written was not kept`));
  assert.doesNotMatch(out, /\n\s+at .*\.ts:\d+/, 'no stack trace');
  assert.match(out, /^integrity ok disorders 46$/m, 'the database is intact and holds the first import');
});
