/**
 * The CLI under awkward conditions: a command's own `--version N`, a reader that closes the pipe early, and a
 * data folder that cannot be written.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { medssrArgv, runMedssr, type CliRun } from '../../helpers/cli.js';
import { repoRoot } from '../../helpers/shared.js';
import { demoDir, removeDir, tempDir } from '../knowledge/fixtures.js';

const digest = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Runs the CLI with `dir` read-only: a private read-only bind mount for root (whom permissions do not stop), else chmod. */
function runReadOnly(dir: string, args: string[]): Promise<CliRun> {
  const root = process.getuid?.() === 0;
  const [cmd, argv] = root
    ? ['unshare', ['-m', 'sh', '-c', 'mount --bind -o ro "$0" "$0" && exec "$@"', dir, process.execPath, ...medssrArgv(args)]]
    : [process.execPath, medssrArgv(args)];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function readOnlySkip(): string | undefined {
  if (process.platform !== 'linux') return 'skipped: read-only folders are set up with Linux mounts or modes';
  if (process.getuid?.() !== 0) return undefined;
  const probe = spawnSync('unshare', ['-m', 'sh', '-c', 'mount --bind -o ro / / 2>/dev/null || mount -t tmpfs none /mnt']);
  if (probe.status === 0) return undefined;
  const reason = 'skipped: running as root without the right to make a private read-only mount (unshare -m)';
  console.log(`# ${reason}`);
  return reason;
}

describe('medssr CLI robustness', () => {
  let dir: string;
  let db: string;

  before(async () => {
    dir = tempDir('medssr-cli-robust-');
    db = path.join(dir, 'medssr.db');
    const r = await runMedssr(['import', 'orphanet', demoDir, '--db', db, '-q']);
    assert.equal(r.code, 0, r.stderr);
  });
  after(() => {
    chmodSync(dir, 0o755);
    removeDir(dir);
  });

  it('passes a command\'s --version to the command; the program\'s version stays on -V and --version before it', async () => {
    const exported = await runMedssr(['export', '--dataset', 'none', '--out', path.join(dir, 'x.json'), '--version', '2', '--db', db]);
    assert.equal(exported.code, 1);
    assert.doesNotMatch(exported.stdout, /^\d+\.\d+\.\d+/);
    assert.match(exported.stderr, /"none" with version 2/);
    const labelled = await runMedssr(['label', '--dataset', 'none', '--model', path.join(dir, 'none.gguf'), '--version', '3', '--db', db]);
    assert.notEqual(labelled.code, 0);
    assert.doesNotMatch(labelled.stdout, /^\d+\.\d+\.\d+/);
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const v = await runMedssr([flag]);
      assert.equal(v.code, 0);
      assert.equal(v.stdout.trim(), pkg.version);
    }
  });

  it('ends quietly when the reader closes the pipe (medssr … | head)', async () => {
    for (const args of [['reviewers', 'list', '--db', db], ['stats', '--json', '--db', db], ['search', 'syndrome', '--limit', '40', '--db', db]]) {
      const r = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
        const child = spawn(process.execPath, medssrArgv(args), { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
        child.stdout.destroy();
        let stderr = '';
        child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stderr }));
      });
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /EPIPE|at .*\.ts:\d+/, args.join(' '));
    }
  });

  it('reads from a read-only data folder and refuses writes by naming it, the database unchanged', { skip: readOnlySkip() }, async () => {
    // A clean close leaves no -wal beside the database: the state a folder is in when it is made read-only.
    const before = digest(db);
    if (process.getuid?.() !== 0) chmodSync(dir, 0o555);
    try {
      const stats = await runReadOnly(dir, ['stats', '--json', '--db', db]);
      assert.equal(stats.code, 0, stats.stderr);
      assert.equal((JSON.parse(stats.stdout) as { disorders: number }).disorders, 46);
      const search = await runReadOnly(dir, ['search', 'marfan', '--json', '--db', db]);
      assert.equal(search.code, 0, search.stderr);
      assert.equal((JSON.parse(search.stdout) as { orphaCode: string }[])[0]?.orphaCode, '558');
      const jobs = await runReadOnly(dir, ['jobs', 'list', '--db', db]);
      assert.equal(jobs.code, 0, jobs.stderr);

      const write = await runReadOnly(dir, ['import', 'orphanet', demoDir, '--db', db, '-q']);
      assert.equal(write.code, 1);
      assert.match(write.stderr, new RegExp(`Error: ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is read-only, and this command writes to it`));
      assert.doesNotMatch(write.stderr, /\n\s+at /);
      const add = await runReadOnly(dir, ['reviewers', 'add', '--name', 'Ro', '--role', 'reviewer', '--db', db]);
      assert.notEqual(add.code, 0);
    } finally {
      chmodSync(dir, 0o755);
    }
    assert.equal(digest(db), before);
  });
});
