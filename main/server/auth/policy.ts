/**
 * Who may call what behind a login: read from each method's `access` in the Api contract (api/method.ts), the
 * one place it is declared. Unknown names are refused; the event stream is open to every signed-in account.
 */
import { apiMethods, isMethodName } from '../../../api/contract.js';
import type { MethodAccess } from '../../../api/method.js';
import type { ReviewerRole } from '../../../api/review.js';

/** Why a call is refused, or null when the role may make it. */
export function refusal(role: ReviewerRole, method: string): string | null {
  if (method === 'events') return null;
  if (!isMethodName(method)) return `${method.slice(0, 100)} is not an Api method`;
  const access: MethodAccess = apiMethods[method].access;
  if (access === 'loopback') return `${method} is only available on the machine running the server (command line or desktop app)`;
  if (access === 'admin' && role !== 'admin') return `${method} needs the admin role`;
  return null;
}
