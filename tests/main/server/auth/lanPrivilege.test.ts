/**
 * Issue 15, LAN least privilege, over HTTP on a non-loopback bind: failed sign-ins slow an account but never
 * lock its owner out from another address; a password reset or a role change ends the account's sessions;
 * reviewers see neither the data folder, the account list, job parameters nor model paths; the session cookie
 * is Secure only when served behind TLS.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { AppInfo } from '../../../../api/contract.js';
import type { JobInfo } from '../../../../api/jobs.js';
import type { ReviewSession } from '../../../../api/review.js';
import { createApp, type AppRuntime } from '../../../../main/app/index.js';
import { AccountDelay, LoginThrottle } from '../../../../main/server/auth/loginThrottle.js';
import { eventFor, resultFor } from '../../../../main/server/auth/redact.js';
import { startServer, type RunningServer } from '../../../../main/server/server.js';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: { ok: boolean; result?: unknown; error?: { code: string; message: string } };
}
interface Client {
  cookie: string;
  csrf: string;
}

function post(port: number, route: string, body: unknown, opts: { client?: Client | null; from?: string } = {}): Promise<Reply> {
  const text = JSON.stringify(body);
  const headers: Record<string, string> = { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)) };
  if (opts.client) {
    headers.Cookie = opts.client.cookie;
    headers['X-CSRF-Token'] = opts.client.csrf;
  }
  return new Promise((resolve, reject) => {
    // localAddress picks the client's source address: 127.0.0.2 is "another machine" as far as the throttle knows.
    const req = http.request({ host: '127.0.0.1', port, path: `/api/${route}`, method: 'POST', headers, localAddress: opts.from ?? '127.0.0.1' }, (res) => {
      let data = '';
      res.on('data', (c: Buffer) => (data += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(data) as Reply['body'] }));
    });
    req.on('error', reject);
    req.end(text);
  });
}

describe('LAN mode least privilege', () => {
  let dataDir: string;
  let app: AppRuntime;
  let server: RunningServer;

  const login = async (name: string, password: string, from?: string): Promise<{ reply: Reply; client: Client | null }> => {
    const reply = await post(server.port, 'auth/login', { name, password }, { from });
    if (reply.status !== 200) return { reply, client: null };
    const cookie = String(reply.headers['set-cookie']?.[0] ?? '').split(';')[0] ?? '';
    return { reply, client: { cookie, csrf: (reply.body.result as { csrfToken: string }).csrfToken } };
  };

  before(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'medssr-lan-'));
    app = await createApp({ dataDir, transport: 'http', seedDemo: false });
    await app.call('review.addReviewer', { name: 'Ada', role: 'admin', password: 'admin-pass-1' });
    await app.call('review.addReviewer', { name: 'Rex', role: 'reviewer', password: 'reviewer-pass-1' });
    await app.call('review.addReviewer', { name: 'Uma', role: 'reviewer', password: 'uma-pass-1' });
    server = await startServer({
      dataDir,
      host: '0.0.0.0',
      port: 0,
      services: app,
      rendererDir: dataDir,
      loginOptions: { throttle: { limit: 5 }, accountDelay: { free: 2, baseMs: 50, maxMs: 200 } },
    });
  });
  after(async () => {
    await server?.close();
    await app?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('failures from one address lock out that address only; the account’s owner still signs in from theirs', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await login('Ada', `wrong-${i}`, '127.0.0.2')).reply.status, 401);
    assert.equal((await login('Ada', 'admin-pass-1', '127.0.0.2')).reply.status, 429, 'the guessing address is refused');
    const started = Date.now();
    const owner = await login('Ada', 'admin-pass-1', '127.0.0.1');
    assert.equal(owner.reply.status, 200, 'not locked out');
    // Five failures, two free: 50 ms doubled three times, capped at 200 ms, before the password is checked.
    assert.ok(Date.now() - started >= 190, 'but slowed: the account’s delay has grown');
  });

  test('the per-account delay grows with failures up to its cap, and the address limit counts per address', () => {
    let now = 0;
    const d = new AccountDelay({ free: 2, baseMs: 100, maxMs: 700, now: () => now });
    const seen: number[] = [];
    for (let i = 0; i < 7; i++) {
      seen.push(d.delayMs('name:ada'));
      d.fail('name:ada');
    }
    assert.deepEqual(seen, [0, 0, 100, 200, 400, 700, 700]);
    now += 16 * 60 * 1000;
    assert.equal(d.delayMs('name:ada'), 0, 'failures expire with the window');
    const small = new AccountDelay({ maxKeys: 3, now: () => now });
    for (let i = 0; i < 10; i++) small.fail(`name:guess-${i}`);
    assert.equal(small.size, 3, 'guessed names do not grow the table without bound');
    const t = new LoginThrottle({ limit: 2, now: () => now });
    t.fail(['ip:a']);
    t.fail(['ip:a']);
    assert.ok(t.retryAfter(['ip:a']) > 0);
    assert.equal(t.retryAfter(['ip:b']), 0);
  });

  test('a password reset or a role change ends the account’s sessions', async () => {
    const rex = (await login('Rex', 'reviewer-pass-1')).client;
    const uma = (await login('Uma', 'uma-pass-1')).client;
    assert.ok(rex && uma);
    assert.equal((await post(server.port, 'review.session', {}, { client: rex })).status, 200);
    const rexId = ((await post(server.port, 'review.session', {}, { client: rex })).body.result as ReviewSession).reviewer.id;
    const umaId = ((await post(server.port, 'review.session', {}, { client: uma })).body.result as ReviewSession).reviewer.id;
    await app.call('review.updateReviewer', { id: rexId, password: 'reset-pass-2' });
    assert.equal((await post(server.port, 'review.session', {}, { client: rex })).status, 401, 'the old session is gone after a reset');
    assert.equal((await login('Rex', 'reset-pass-2')).reply.status, 200);
    await app.call('review.updateReviewer', { id: umaId, role: 'admin' });
    assert.equal((await post(server.port, 'review.session', {}, { client: uma })).status, 401, 'and after a role change');
    await app.call('review.updateReviewer', { id: umaId, role: 'reviewer' });
  });

  test('an open event stream ends with its session', async () => {
    const uma = (await login('Uma', 'uma-pass-1')).client;
    assert.ok(uma);
    const umaId = ((await post(server.port, 'review.session', {}, { client: uma })).body.result as ReviewSession).reviewer.id;
    let received = '';
    const ended = new Promise<void>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port: server.port, path: '/api/events', headers: { Cookie: uma.cookie } }, (res) => {
        assert.equal(res.statusCode, 200);
        res.on('data', (c: Buffer) => (received += c.toString()));
        res.on('end', resolve);
      });
      req.on('error', reject);
    });
    await new Promise((r) => setTimeout(r, 100));
    app.context.emit({ type: 'knowledge.changed' });
    await new Promise((r) => setTimeout(r, 100));
    assert.match(received, /knowledge\.changed/, 'events flow while the session lives');
    await app.call('review.updateReviewer', { id: umaId, password: 'uma-pass-2' });
    app.context.emit({ type: 'knowledge.changed' });
    await ended;
    assert.equal(received.match(/knowledge\.changed/g)?.length, 1, 'nothing more after the reset');
  });

  test('a reviewer sees neither the data folder nor the account list; an admin sees both', async () => {
    const rex = (await login('Rex', 'reset-pass-2')).client;
    const ada = (await login('Ada', 'admin-pass-1')).client;
    const infoRex = (await post(server.port, 'app.info', {}, { client: rex })).body.result as AppInfo;
    const infoAda = (await post(server.port, 'app.info', {}, { client: ada })).body.result as AppInfo;
    assert.equal(infoRex.dataDir, '');
    assert.equal(infoAda.dataDir, dataDir);
    const sRex = (await post(server.port, 'review.session', {}, { client: rex })).body.result as ReviewSession;
    const sAda = (await post(server.port, 'review.session', {}, { client: ada })).body.result as ReviewSession;
    assert.deepEqual(sRex.reviewers.map((r) => r.name), ['Rex']);
    assert.deepEqual(sAda.reviewers.map((r) => r.name).sort(), ['Ada', 'Local reviewer', 'Rex', 'Uma']);
  });

  test('jobs and models reach a reviewer without paths', () => {
    const job = { id: 'j', kind: 'import-orphanet', title: 'Import', state: 'completed', params: { path: '/srv/secret' }, result: { file: '/srv/x' } } as unknown as JobInfo;
    assert.deepEqual((resultFor('reviewer', 'jobs.list', [job]) as JobInfo[]).map((j) => [j.params, j.result]), [[null, null]]);
    assert.equal((resultFor('reviewer', 'jobs.get', job) as JobInfo).params, null);
    assert.equal((resultFor('admin', 'jobs.get', job) as JobInfo).params, job.params);
    assert.deepEqual(resultFor('reviewer', 'models.list', [{ path: '/srv/models/a.gguf' }]), [{ path: 'a.gguf' }]);
    const ev = eventFor('reviewer', { type: 'job', job });
    assert.equal(ev.type === 'job' ? ev.job.params : 'x', null);
    const forAdmin = eventFor('admin', { type: 'job', job });
    assert.deepEqual(forAdmin.type === 'job' ? forAdmin.job.params : null, { path: '/srv/secret' });
  });

  test('the session cookie has no Secure flag on plain HTTP, and has one behind TLS', async () => {
    const plain = (await login('Rex', 'reset-pass-2')).reply;
    assert.doesNotMatch(String(plain.headers['set-cookie']?.[0]), /Secure/);
    const tls = await startServer({ dataDir, host: '0.0.0.0', port: 0, services: app, rendererDir: dataDir, loginOptions: { secureCookies: true } });
    try {
      const reply = await post(tls.port, 'auth/login', { name: 'Rex', password: 'reset-pass-2' });
      assert.equal(reply.status, 200);
      assert.match(String(reply.headers['set-cookie']?.[0]), /; Secure$/);
    } finally {
      await tls.close();
    }
  });
});
