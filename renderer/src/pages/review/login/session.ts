/**
 * Browser-mode login state: the CSRF token the server handed out at sign-in (kept in memory only; the
 * session cookie itself is httpOnly and never visible to scripts) and the calls to /api/auth/*.
 */
import type { Reviewer } from '../../../../../api/review.js';

let csrfToken: string | null = null;

export function csrfHeaders(): Record<string, string> {
  return csrfToken ? { 'X-CSRF-Token': csrfToken } : {};
}

export interface AuthState {
  authRequired: boolean;
  reviewer: Reviewer | null;
}

/** Asks the server whether it wants a login (a loopback server answers that it does not). */
export async function loadAuthState(): Promise<AuthState> {
  let res: Response;
  try {
    res = await fetch('/api/auth/session', { headers: { Accept: 'application/json' } });
  } catch {
    return { authRequired: false, reviewer: null };
  }
  if (res.status !== 200) return { authRequired: false, reviewer: null };
  const body = (await res.json()) as { ok: boolean; result?: { authRequired: boolean; reviewer: Reviewer | null; csrfToken: string | null } };
  if (!body.ok || !body.result) return { authRequired: false, reviewer: null };
  csrfToken = body.result.csrfToken;
  return { authRequired: body.result.authRequired, reviewer: body.result.reviewer };
}

export async function signIn(name: string, password: string): Promise<{ ok: true; reviewer: Reviewer } | { ok: false; message: string }> {
  const res = await fetch('/api/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name, password }) });
  const body = (await res.json().catch(() => null)) as { ok: boolean; result?: { reviewer: Reviewer; csrfToken: string }; error?: { message: string } } | null;
  if (res.status === 200 && body?.ok && body.result) {
    csrfToken = body.result.csrfToken;
    return { ok: true, reviewer: body.result.reviewer };
  }
  return { ok: false, message: body?.error?.message ?? `Sign-in failed (${res.status})` };
}

export async function signOut(): Promise<void> {
  await fetch('/api/auth/logout', { method: 'POST', headers: { 'Content-Type': 'application/json', ...csrfHeaders() }, body: '{}' }).catch(() => undefined);
  csrfToken = null;
}
