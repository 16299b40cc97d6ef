import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { copyFileAtomic, writeFileAtomic } from '../../../main/platform/atomicFile.js';
import { createApp } from '../../../main/app/index.js';
import { checkReadablePath, checkWritableFile, checkWritableFolder, UnsafePathError } from '../../../main/platform/safePath.js';

const linux = process.platform === 'linux';

/** Runs `fn` and returns how long it took; a hang would time the test out instead. */
function timed(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

describe('safe paths', { skip: linux ? false : 'special files are tested on Linux' }, () => {
  let dir: string;
  let fifo: string;
  let socketPath: string;
  let server: net.Server;
  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'medssr-safepath-'));
    fifo = path.join(dir, 'pipe.json');
    execFileSync('mkfifo', [fifo]);
    socketPath = path.join(dir, 'sock.gguf');
    server = net.createServer();
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    writeFileSync(path.join(dir, 'ok.gguf'), 'x');
    symlinkSync('/proc/self', path.join(dir, 'self'));
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  test('an output under /proc is refused at once, before any folder is created', () => {
    let err: unknown;
    const ms = timed(() => {
      try {
        writeFileAtomic('/proc/x/a.gguf', 'data');
      } catch (e) {
        err = e;
      }
    });
    assert.ok(err instanceof UnsafePathError, String(err));
    assert.match((err as Error).message, /^Output file \/proc\/x\/a\.gguf: is under \/proc/);
    assert.ok(ms < 5000, `took ${ms.toFixed(0)} ms`);
    assert.throws(() => checkWritableFolder('/sys/kernel/x', 'verl export folder'), /verl export folder \/sys\/kernel\/x: is under \/sys/);
    assert.throws(() => checkWritableFile('/dev/null', 'Output file'), /is under \/dev/);
  });

  test('inputs on pseudo file systems, FIFOs, sockets and devices are refused by name and kind', () => {
    assert.throws(() => checkReadablePath('/proc/self', 'Packet source', 'file-or-folder'), /Packet source \/proc\/self: is under \/proc/);
    assert.throws(() => checkReadablePath('/dev/zero', 'Model file'), /Model file \/dev\/zero: is under \/dev/);
    assert.throws(() => checkReadablePath(fifo, 'Benchmark file'), new RegExp(`Benchmark file ${fifo}: is a FIFO \\(named pipe\\), not a regular file`));
    assert.throws(() => checkReadablePath(socketPath, 'Model file'), /is a socket, not a regular file/);
    assert.throws(() => checkWritableFile(fifo, 'Output file'), /is a FIFO/);
    // Through a symlink: the resolved target decides.
    assert.throws(() => checkReadablePath(path.join(dir, 'self'), 'Packet source', 'file-or-folder'), /is under \/proc/);
    assert.throws(() => checkWritableFile(path.join(dir, 'self', 'x.json'), 'Output file'), /is under \/proc/);
    assert.throws(() => checkReadablePath(path.join(dir, 'missing.gguf'), 'Model file'), /No model file at .*missing\.gguf/);
    assert.throws(() => checkReadablePath(dir, 'Model file'), /is a folder, not a regular file/);
    assert.throws(() => copyFileAtomic(fifo, path.join(dir, 'copy.json')), /Source file .*: is a FIFO/);
  });

  test('ordinary files and folders (and /dev/shm) pass, returning the absolute path', () => {
    assert.equal(checkReadablePath(path.join(dir, 'ok.gguf'), 'Model file'), path.join(dir, 'ok.gguf'));
    assert.equal(checkWritableFile(path.join(dir, 'new', 'deeper', 'out.json'), 'Output file'), path.join(dir, 'new', 'deeper', 'out.json'));
    assert.equal(checkWritableFolder(dir, 'Data folder'), dir);
    assert.throws(() => checkWritableFile(path.join(dir, 'ok.gguf', 'below.json'), 'Output file'), /ok\.gguf is a regular file, not a folder/);
    assert.doesNotThrow(() => checkWritableFile('/dev/shm/medssr-probe.json', 'Output file'));
  });

  test('the app refuses a data folder or database on a special file system, and Api paths are checked', async () => {
    await assert.rejects(createApp({ dataDir: '/proc/medssr', transport: 'ipc', seedDemo: false }), /Data folder \/proc\/medssr: is under \/proc/);
    await assert.rejects(createApp({ dataDir: dir, dbPath: fifo, transport: 'ipc', seedDemo: false }), /Database file .*pipe\.json: is a FIFO/);
    const app = await createApp({ dataDir: path.join(dir, 'data'), transport: 'ipc', seedDemo: false });
    try {
      await assert.rejects(Promise.resolve().then(() => app.handlers['knowledge.import']({ path: '/proc/self', skipInvalid: false })), /Packet source \/proc\/self: is under \/proc/);
      await assert.rejects(Promise.resolve().then(() => app.handlers['evaluation.import']({ path: fifo })), /Benchmark file .*: is a FIFO/);
      await assert.rejects(Promise.resolve().then(() => app.handlers['models.add']({ path: socketPath, copy: false })), /Model file .*sock\.gguf: is a socket/);
      await assert.rejects(Promise.resolve().then(() => app.handlers['training.exportVerl']({ runId: 1, dir: '/proc/x', gpusPerNode: 1, nnodes: 1, tensorParallel: 1 })), /No training run 1|verl export folder/);
    } finally {
      await app.close();
    }
  });
});
