/**
 * Browser mode beyond loopback. The server binds 0.0.0.0 — a genuinely non-loopback bind, exactly what
 * `npm run serve -- --host 0.0.0.0` does, so login is required by the same rule serve uses — and the test
 * reaches it through 127.0.0.1, one of the addresses 0.0.0.0 covers.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createApp, type AppRuntime } from '../../../../main/app/index.js';
import { startServer, type RunningServer } from '../../../../main/server/server.js';
import { createReviewFixture } from '../../review/fixture.js';

interface Client {
  cookie: string;
  csrf: string;
}

describe('browser mode on a non-loopback address requires a login', () => {
  let dataDir: string;
  let app: AppRuntime;
  let server: RunningServer;
  let base: string;
  let ds: number;

  before(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'medssr-auth-'));
    app = await createApp({ dataDir, transport: 'http', seedDemo: false });
    ds = createReviewFixture(app.context.db, { name: 'auth', count: 12 });
    // In-process calls carry no login: they act as the local profile, an admin, as the CLI does.
    await app.handlers['review.addReviewer']({ name: 'Ada', role: 'admin', password: 'admin-pass-1' });
    await app.handlers['review.addReviewer']({ name: 'Rex', role: 'reviewer', password: 'reviewer-pass-1' });
    server = await startServer({ dataDir, host: '0.0.0.0', port: 0, services: app, rendererDir: dataDir });
    base = `http://127.0.0.1:${server.port}`;
  });

  after(async () => {
    await server?.close();
    await app?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function call(method: string, body: unknown, client?: Partial<Client>): Promise<{ status: number; json: { ok: boolean; error?: { code: string; message: string }; result?: unknown } }> {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (client?.cookie) headers.Cookie = client.cookie;
    if (client?.csrf) headers['X-CSRF-Token'] = client.csrf;
    const res = await fetch(`${base}/api/${method}`, { method: 'POST', headers, body: JSON.stringify(body) });
    return { status: res.status, json: (await res.json()) as { ok: boolean; error?: { code: string; message: string } } };
  }

  async function login(name: string, password: string): Promise<{ status: number; client: Client | null; res: Response }> {
    const res = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name, password }) });
    if (res.status !== 200) return { status: res.status, client: null, res };
    const body = (await res.json()) as { result: { csrfToken: string } };
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    return { status: 200, client: { cookie, csrf: body.result.csrfToken }, res };
  }

  const queue = () => ({ filter: { datasetIds: [ds] }, limit: 3 });

  test('an unauthenticated Api call gets 401, and so does the event stream', async () => {
    const r = await call('review.queue', queue());
    assert.equal(r.status, 401);
    assert.equal(r.json.error?.code, 'unauthorized');
    const events = await fetch(`${base}/api/events`);
    assert.equal(events.status, 401);
    const session = await (await fetch(`${base}/api/auth/session`)).json();
    assert.deepEqual(session, { ok: true, result: { authRequired: true, reviewer: null, csrfToken: null } });
  });

  test('the session cookie is httpOnly and SameSite; a call without the CSRF token gets 403', async () => {
    const { client, res } = await login('Rex', 'reviewer-pass-1');
    assert.ok(client);
    const setCookie = res.headers.get('set-cookie') ?? '';
    assert.match(setCookie, /^medssr_session=[A-Za-z0-9_-]{40,};/);
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Strict/);
    const noCsrf = await call('review.queue', queue(), { cookie: client.cookie });
    assert.equal(noCsrf.status, 403);
    assert.match(noCsrf.json.error?.message ?? '', /CSRF/);
    const wrongCsrf = await call('review.decide', { datasetId: ds, seq: 0, decision: { kind: 'accept' } }, { cookie: client.cookie, csrf: 'x'.repeat(32) });
    assert.equal(wrongCsrf.status, 403);
    const ok = await call('review.queue', queue(), client);
    assert.equal(ok.status, 200);
    const info = await call('app.info', {}, client);
    assert.equal((info.json.result as { authRequired: boolean }).authRequired, true);
  });

  test('a reviewer calling an admin action gets 403; an admin may; decisions carry the signed-in name', async () => {
    const rex = (await login('Rex', 'reviewer-pass-1')).client as Client;
    const ada = (await login('Ada', 'admin-pass-1')).client as Client;
    for (const [method, body] of [
      ['review.setGuidelines', { markdown: '# mine' }],
      ['review.addReviewer', { name: 'Mallory', role: 'admin', password: 'mallory-pass' }],
      ['review.bulk', { filter: { datasetIds: [ds] }, decision: { kind: 'skip' }, confirmCount: 12 }],
      ['knowledge.import', { path: '/tmp/x' }],
    ] as const) {
      const r = await call(method, body, rex);
      assert.equal(r.status, 403, `${method} as a reviewer`);
      assert.equal(r.json.error?.code, 'forbidden');
    }
    assert.equal((await call('review.setGuidelines', { markdown: '# Team rules' }, ada)).status, 200);

    const decided = await call('review.decide', { datasetId: ds, seq: 1, decision: { kind: 'accept' } }, rex);
    assert.equal(decided.status, 200);
    const impersonate = await call('review.decide', { datasetId: ds, seq: 2, decision: { kind: 'accept' }, reviewerId: 1 }, rex);
    assert.equal(impersonate.status, 403, 'a reviewer cannot act as another profile');
    const audit = (await app.handlers['review.audit']({ offset: 0, limit: 10 })).entries;
    assert.deepEqual(audit.map((e) => [e.reviewerName, e.seq, e.action]), [['Rex', 1, 'accept']]);
  });

  test('five wrong passwords throttle further sign-ins (429), even with the right password', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await login('Ada', `wrong-${i}`)).status, 401, `attempt ${i + 1}`);
    const sixth = await login('Ada', 'admin-pass-1');
    assert.equal(sixth.status, 429);
    assert.ok(Number(sixth.res.headers.get('retry-after')) > 0);
  });

  test('on loopback nobody signs in: the local profile acts, as in the desktop app', async () => {
    const local = await startServer({ dataDir, port: 0, services: app, rendererDir: dataDir });
    try {
      const res = await fetch(`${local.url}api/review.session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
      assert.equal(res.status, 200);
      const body = (await res.json()) as { result: { reviewer: { name: string; isLocal: boolean }; authenticated: boolean } };
      assert.deepEqual([body.result.reviewer.name, body.result.reviewer.isLocal, body.result.authenticated], ['Local reviewer', true, false]);
    } finally {
      await local.close();
    }
  });

  test('a non-loopback server refuses to start while no admin can sign in', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'medssr-auth-none-'));
    const fresh = await createApp({ dataDir: dir, transport: 'http', seedDemo: false });
    try {
      await assert.rejects(startServer({ dataDir: dir, host: '0.0.0.0', port: 0, services: fresh, rendererDir: dir }), /no admin has a password/);
    } finally {
      await fresh.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
