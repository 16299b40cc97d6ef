/**
 * Request guards run before every /api request. The built-in one defends a loopback server against other
 * web pages in the user's browser (DNS rebinding, cross-site form posts). Login for non-loopback hosts is
 * not a guard: server/auth answers /api/auth/ and decides who may call each method.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiErrorBody } from '../../api/contract.js';

/** Returns null to let the request through, or the error to answer with. */
export type RequestGuard = (
  req: IncomingMessage,
  res: ServerResponse,
) => ApiErrorBody | null | Promise<ApiErrorBody | null>;

export function isLoopbackHost(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/**
 * On a loopback bind only our own names are accepted in Host (a rebinding attacker's page sends its own
 * domain there), and a browser-sent Origin must be this very server.
 */
export function sameOriginGuard(bindHost: string, getPort: () => number): RequestGuard {
  return (req) => {
    const host = req.headers.host ?? '';
    if (isLoopbackHost(bindHost)) {
      const port = getPort();
      const allowed = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
      if (!allowed.includes(host.toLowerCase())) {
        return { code: 'forbidden', message: `Host "${host}" is not this server` };
      }
    }
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${host}`) {
      return { code: 'forbidden', message: `Cross-origin request from ${origin} refused` };
    }
    return null;
  };
}
