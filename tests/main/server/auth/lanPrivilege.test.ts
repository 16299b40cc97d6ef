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
import { errorFor, eventFor, pathRedactor, resultFor } from '../../../../main/server/auth/redact.js';
import type { JobKind } from '../../../../api/jobs.js';
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
    const job = { id: 'j', kind: 'import-orphanet', title: 'Import', state: 'completed', progress: { done: 1, total: 1, message: 'Done' }, error: null, params: { path: '/srv/secret' }, result: { file: '/srv/x' } } as unknown as JobInfo;
    assert.deepEqual((resultFor('reviewer', 'jobs.list', [job]) as JobInfo[]).map((j) => [j.params, j.result]), [[null, null]]);
    assert.equal((resultFor('reviewer', 'jobs.get', job) as JobInfo).params, null);
    assert.equal((resultFor('admin', 'jobs.get', job) as JobInfo).params, job.params);
    assert.deepEqual(resultFor('reviewer', 'models.list', [{ path: '/srv/models/a.gguf' }]), [{ path: 'a.gguf' }]);
    const ev = eventFor('reviewer', { type: 'job', job });
    assert.equal(ev.type === 'job' ? ev.job.params : 'x', null);
    const forAdmin = eventFor('admin', { type: 'job', job });
    assert.deepEqual(forAdmin.type === 'job' ? forAdmin.job.params : null, { path: '/srv/secret' });
  });

  test('paths in job titles, progress and errors are cut for reviewers: data folder, home, any other folder', () => {
    const hide = pathRedactor(['/srv/medssr']);
    const home = os.homedir();
    assert.equal(hide('/srv/medssr/models/x.gguf: tensor t holds NaN'), '<data folder>/models/x.gguf: tensor t holds NaN');
    assert.equal(hide(`open ${home}/Downloads/m.gguf failed`), 'open ~/Downloads/m.gguf failed');
    assert.equal(hide('"/opt/models/q.gguf" (see /var/log/medssr/run.log)'), '"…/q.gguf" (see …/run.log)');
    assert.equal(hide('C:\\Users\\ada\\m.gguf: bad'), '…\\m.gguf: bad');
    assert.equal(hide('ratio 3/4, step 10 of 20 (https://www.orpha.net/a/b)'), 'ratio 3/4, step 10 of 20 (https://www.orpha.net/a/b)');
    const job = {
      id: 'j', kind: 'label', title: 'Label with /srv/medssr/models/x.gguf', state: 'failed', params: null, result: null,
      progress: { done: 1, total: 2, message: 'Loading /srv/medssr/models/x.gguf' }, error: 'model process exited while loading /srv/medssr/models/x.gguf',
    } as unknown as JobInfo;
    const seen = resultFor('reviewer', 'jobs.get', job, hide) as JobInfo;
    assert.deepEqual([seen.title, seen.progress.message, seen.error], ['Label with <data folder>/models/x.gguf', 'Loading <data folder>/models/x.gguf', 'model process exited while loading <data folder>/models/x.gguf']);
    assert.equal((resultFor('admin', 'jobs.get', job, hide) as JobInfo).error, job.error);
    const ev = eventFor('reviewer', { type: 'job', job }, hide);
    assert.equal(ev.type === 'job' ? ev.job.error : null, seen.error);
    assert.deepEqual(errorFor('reviewer', { code: 'bad-input', message: 'No file /srv/medssr/a.json' }, hide), { code: 'bad-input', message: 'No file <data folder>/a.json' });
    assert.equal(errorFor('admin', { code: 'bad-input', message: 'No file /srv/medssr/a.json' }, hide).message, 'No file /srv/medssr/a.json');
  });

  test('over HTTP a failed job reaches a reviewer without the server\'s paths and an admin with them', async () => {
    const kind = 'path-failure' as JobKind;
    const model = path.join(dataDir, 'models', 'broken.gguf');
    app.context.jobs.register({
      kind,
      parseParams: (raw) => raw,
      title: () => `Label with ${model}`,
      run: () => Promise.reject(new Error(`${model}: the model's output is not a number (NaN); see ${os.homedir()}/medssr.log`)),
    });
    const failed = await app.context.jobs.waitFor(app.context.jobs.start(kind, {}).id);
    assert.equal(failed.state, 'failed');
    const rex = (await login('Rex', 'reset-pass-2')).client;
    const ada = (await login('Ada', 'admin-pass-1')).client;
    const seen = (await post(server.port, 'jobs.get', { id: failed.id }, { client: rex })).body.result as JobInfo;
    assert.equal(seen.error, "<data folder>/models/broken.gguf: the model's output is not a number (NaN); see ~/medssr.log");
    assert.equal(seen.title, 'Label with <data folder>/models/broken.gguf');
    const listed = (await post(server.port, 'jobs.list', {}, { client: rex })).body.result as JobInfo[];
    assert.ok(!JSON.stringify(listed).includes(dataDir), 'jobs.list names no data folder');
    assert.ok(!JSON.stringify(listed).includes(os.homedir() + '/'), 'jobs.list names no home folder');
    const forAdmin = (await post(server.port, 'jobs.get', { id: failed.id }, { client: ada })).body.result as JobInfo;
    assert.equal(forAdmin.error, failed.error);
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
