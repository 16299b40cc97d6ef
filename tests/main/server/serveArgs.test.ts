import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { defaultPort, parseServeArgs } from '../../../main/server/serveArgs.js';

test('serve defaults to loopback, the default port and the shared data folder', () => {
  const args = parseServeArgs([], { MEDSSR_DATA_DIR: '/tmp/medssr-x' });
  assert.deepEqual(args, { port: defaultPort, host: '127.0.0.1', dataDir: path.resolve('/tmp/medssr-x'), demo: true, behindTls: false, help: false });
});

test('serve accepts --port, --host, --data-dir and --no-demo', () => {
  const args = parseServeArgs(['--port', '0', '--host', '0.0.0.0', '--data-dir', '/d', '--no-demo'], {});
  assert.deepEqual(args, { port: 0, host: '0.0.0.0', dataDir: '/d', demo: false, behindTls: false, help: false });
});

test('--behind-tls (or MEDSSR_BEHIND_TLS=1) asks for Secure session cookies; plain HTTP is the default', () => {
  assert.equal(parseServeArgs(['--behind-tls'], {}).behindTls, true);
  assert.equal(parseServeArgs([], { MEDSSR_BEHIND_TLS: '1' }).behindTls, true);
  assert.equal(parseServeArgs([], {}).behindTls, false);
});

test('serve refuses bad ports and unknown flags with a message', () => {
  assert.throws(() => parseServeArgs(['--port', 'eighty'], {}), /--port must be a number/);
  assert.throws(() => parseServeArgs(['--port', '70000'], {}), /--port must be 0\.\.65535/);
  assert.throws(() => parseServeArgs(['--port', '1.5'], {}), /--port must be a whole number/);
  assert.throws(() => parseServeArgs(['--colour'], {}), /colour/);
});
