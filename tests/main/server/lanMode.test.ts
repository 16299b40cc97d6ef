import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { isLoopbackAddress } from '../../../main/server/guards.js';
import { startServer } from '../../../main/server/server.js';
import { createFakeServices } from './fakeServices.js';

function lanAddress(): string | undefined {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(text));
    let out = '';
    socket.on('data', (d: Buffer) => (out += d.toString()));
    socket.on('end', () => resolve(out));
    socket.on('error', reject);
  });
}

test('loopback is a property of the bound address, never of a name that merely starts with "127."', () => {
  for (const a of ['127.0.0.1', '127.5.5.5', '::1', '::ffff:127.0.0.1']) assert.equal(isLoopbackAddress(a), true, a);
  for (const a of ['127.lan.example', '0.0.0.0', '::', '192.0.2.2', '::ffff:192.0.2.2', 'localhost']) assert.equal(isLoopbackAddress(a), false, a);
});

test('a server bound to a LAN address needs a login even when reached through any Host name', async (t) => {
  const lan = lanAddress();
  if (!lan) {
    t.skip('skipped: this machine has no non-loopback IPv4 address');
    return;
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'medssr-lan-'));
  try {
    // The fake services have no accounts: a server that decided "login required" cannot start without them.
    await assert.rejects(startServer({ dataDir: dir, host: lan, port: 0, services: createFakeServices(), rendererDir: dir }), /Login is required on this address/);
    const local = await startServer({ dataDir: dir, host: '127.0.0.1', port: 0, services: createFakeServices(), rendererDir: dir });
    try {
      assert.equal(local.loopback, true);
      assert.equal(local.address, '127.0.0.1');
    } finally {
      await local.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a request without a Host header (HTTP/1.0) is refused', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'medssr-nohost-'));
  const server = await startServer({ dataDir: dir, port: 0, services: createFakeServices(), rendererDir: dir });
  try {
    const noHost = await rawRequest(server.port, 'POST /api/app.info HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}');
    assert.match(noHost, /^HTTP\/1\.1 400/);
    assert.match(noHost, /A Host header is required/);
    const withHost = await rawRequest(server.port, `POST /api/app.info HTTP/1.0\r\nHost: 127.0.0.1:${server.port}\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`);
    assert.match(withHost, /^HTTP\/1\.1 200/);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
