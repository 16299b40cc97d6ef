/**
 * Login for browser mode on a non-loopback address. Routes under /api/auth/ (login, logout, session) are
 * answered here; every other Api request needs a session cookie, a CSRF header on POST, and a role that
 * may call the method. The call then runs as the signed-in reviewer (see review/actor.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { ApiErrorBody } from '../../../api/contract.js';
import type { Reviewer } from '../../../api/review.js';
import type { AppServices } from '../../app/index.js';
import { accountKey, runAs, type ReviewerAccounts } from '../../review/index.js';
import { AccountDelay, LoginThrottle, type AccountDelayOptions, type ThrottleOptions } from './loginThrottle.js';
import { refusal } from './policy.js';
import { clearedSessionCookie, parseCookies, sameSecret, sessionCookie, sessionCookieHeader, SessionStore } from './sessions.js';

export const csrfHeader = 'x-csrf-token';

export type AuthDecision =
  | { ok: false; status: number; error: ApiErrorBody }
  | { ok: true; reviewer: Reviewer; run<T>(fn: () => Promise<T>): Promise<T> };

export interface ServerAuth {
  /** Answers /api/auth/* itself; returns false for every other path. */
  route(req: IncomingMessage, res: ServerResponse, name: string, readBody: () => Promise<unknown>): Promise<boolean>;
  authorize(req: IncomingMessage, name: string): AuthDecision;
}

const loginSchema = z.object({ name: z.string().trim().min(1).max(100), password: z.string().min(1).max(200) }).strict();

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store', ...headers });
  res.end(text);
}

function fail(res: ServerResponse, status: number, code: ApiErrorBody['code'], message: string, headers: Record<string, string> = {}): void {
  send(res, status, { ok: false, error: { code, message } }, headers);
}

export interface ServerAuthOptions {
  /** Per client address. */
  throttle?: ThrottleOptions;
  /** Per account. */
  accountDelay?: AccountDelayOptions;
  /** Mark the session cookie Secure (the server is reached through TLS). */
  secureCookies?: boolean;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createServerAuth(services: AppServices, opts: ServerAuthOptions = {}): ServerAuth {
  const accounts: ReviewerAccounts | undefined = services.accounts;
  if (!accounts) throw new Error('Login is required on this address, but the app has no reviewer accounts');
  if (!accounts.hasAdminLogin()) {
    throw new Error(
      'Listening beyond loopback needs a login, and no admin has a password yet. Create one first: ' +
        'MEDSSR_PASSWORD=… npx medssr reviewers add --name <name> --role admin',
    );
  }
  const sessions = new SessionStore();
  const throttle = new LoginThrottle(opts.throttle);
  const delay = new AccountDelay(opts.accountDelay);
  const secure = opts.secureCookies === true;

  const current = (req: IncomingMessage): { token: string | undefined; reviewer: Reviewer; csrfToken: string } | null => {
    const token = parseCookies(req.headers.cookie).get(sessionCookie);
    const session = sessions.get(token);
    if (!session) return null;
    const reviewer = accounts.get(session.reviewerId);
    // A changed role or password (a reset, a demotion) ends every session the account had, here or elsewhere.
    if (!reviewer || !reviewer.hasPassword || accounts.credentialStamp(reviewer.id) !== session.stamp) {
      sessions.destroy(token);
      return null;
    }
    return { token, reviewer, csrfToken: session.csrfToken };
  };

  return {
    async route(req, res, name, readBody) {
      if (!name.startsWith('auth/')) return false;
      const action = name.slice('auth/'.length);
      if (action === 'session' && req.method === 'GET') {
        const c = current(req);
        send(res, 200, { ok: true, result: { authRequired: true, reviewer: c?.reviewer ?? null, csrfToken: c?.csrfToken ?? null } });
        return true;
      }
      if (action === 'logout' && req.method === 'POST') {
        const c = current(req);
        if (c && !sameSecret(req.headers[csrfHeader] as string | undefined, c.csrfToken)) {
          fail(res, 403, 'forbidden', 'Missing or wrong CSRF token');
          return true;
        }
        sessions.destroy(c?.token);
        send(res, 200, { ok: true, result: { signedOut: true } }, { 'Set-Cookie': clearedSessionCookie(secure) });
        return true;
      }
      if (action === 'login' && req.method === 'POST') {
        const parsed = loginSchema.safeParse(await readBody());
        if (!parsed.success) {
          fail(res, 400, 'bad-input', 'Send {"name": …, "password": …}');
          return true;
        }
        // The address is the socket's, never a header a client could set.
        const address = [`ip:${req.socket.remoteAddress ?? '?'}`];
        const account = `name:${accountKey(parsed.data.name)}`;
        const wait = throttle.retryAfter(address);
        if (wait > 0) {
          fail(res, 429, 'forbidden', `Too many failed sign-ins from this address; try again in ${Math.ceil(wait / 60)} minute(s)`, { 'Retry-After': String(wait) });
          return true;
        }
        const ms = delay.delayMs(account);
        if (ms > 0) await sleep(ms);
        const reviewer = await accounts.verify(parsed.data.name, parsed.data.password);
        if (!reviewer) {
          throttle.fail(address);
          delay.fail(account);
          fail(res, 401, 'unauthorized', 'Wrong name or password');
          return true;
        }
        delay.succeed(account);
        const stamp = accounts.credentialStamp(reviewer.id);
        if (stamp === null) {
          fail(res, 401, 'unauthorized', 'Wrong name or password');
          return true;
        }
        const { token, session } = sessions.create(reviewer.id, stamp);
        send(res, 200, { ok: true, result: { reviewer, csrfToken: session.csrfToken } }, { 'Set-Cookie': sessionCookieHeader(token, secure) });
        return true;
      }
      fail(res, 404, 'not-found', `No auth route ${req.method} /api/${name}`);
      return true;
    },

    authorize(req, name) {
      const c = current(req);
      if (!c) return { ok: false, status: 401, error: { code: 'unauthorized', message: 'Sign in first' } };
      if (req.method !== 'GET' && !sameSecret(req.headers[csrfHeader] as string | undefined, c.csrfToken)) {
        return { ok: false, status: 403, error: { code: 'forbidden', message: 'Missing or wrong CSRF token' } };
      }
      const refused = refusal(c.reviewer.role, name);
      if (refused !== null) return { ok: false, status: 403, error: { code: 'forbidden', message: refused } };
      const actor = { reviewerId: c.reviewer.id, role: c.reviewer.role };
      return { ok: true, reviewer: c.reviewer, run: (fn) => runAs(actor, fn) };
    },
  };
}
