/**
 * Login sessions, held in memory: a restart signs everyone out, which is the safe failure. The cookie
 * carries a random token; the CSRF token is a second secret that only our own pages learn (from the
 * login answer), so a cross-site request that rides on the cookie cannot supply it.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

export interface Session {
  reviewerId: number;
  /** The account's credential stamp at sign-in (role and password); a change ends the session. */
  stamp: string;
  csrfToken: string;
  expiresAt: number;
}

export const sessionCookie = 'medssr_session';
const idleMs = 12 * 60 * 60 * 1000;

export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly now: () => number = Date.now) {}

  create(reviewerId: number, stamp: string): { token: string; session: Session } {
    const token = randomBytes(32).toString('base64url');
    const session = { reviewerId, stamp, csrfToken: randomBytes(24).toString('base64url'), expiresAt: this.now() + idleMs };
    this.sessions.set(token, session);
    return { token, session };
  }

  /** The live session for a token, its idle timer renewed; null for an unknown or expired one. */
  get(token: string | undefined): Session | null {
    if (!token) return null;
    const s = this.sessions.get(token);
    if (!s) return null;
    if (s.expiresAt < this.now()) {
      this.sessions.delete(token);
      return null;
    }
    s.expiresAt = this.now() + idleMs;
    return s;
  }

  destroy(token: string | undefined): void {
    if (token) this.sessions.delete(token);
  }

}

export function sameSecret(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at <= 0) continue;
    const name = part.slice(0, at).trim();
    const value = part.slice(at + 1).trim();
    try {
      out.set(name, decodeURIComponent(value));
    } catch {
      out.set(name, value);
    }
  }
  return out;
}

/**
 * `secure` adds the Secure flag, which a browser honours only over https: set it when the server is reached
 * through TLS (serve --behind-tls); on plain HTTP in a ward it would stop the cookie from being sent at all.
 */
export function sessionCookieHeader(token: string, secure = false, maxAgeSeconds = idleMs / 1000): string {
  return `${sessionCookie}=${token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
}

export function clearedSessionCookie(secure = false): string {
  return `${sessionCookie}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0${secure ? '; Secure' : ''}`;
}
