/**
 * Request guards run before every /api request. The built-in one defends a loopback server against other
 * web pages in the user's browser (DNS rebinding, cross-site form posts). Login for non-loopback hosts is
 * not a guard: server/auth answers /api/auth/ and decides who may call each method.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import net from 'node:net';
import type { ApiErrorBody } from '../../api/contract.js';

/** Returns null to let the request through, or the error to answer with. */
export type RequestGuard = (
  req: IncomingMessage,
  res: ServerResponse,
) => ApiErrorBody | null | Promise<ApiErrorBody | null>;

/**
 * Whether a socket address (what `server.address()` reports, never a host name) is loopback. A name is
 * not evidence: "127.lan.example" can resolve to a LAN address, so LAN mode is decided after binding.
 */
export function isLoopbackAddress(address: string): boolean {
  const a = address.toLowerCase();
  if (net.isIPv4(a)) return a.startsWith('127.');
  if (a === '::1') return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  return mapped !== null && (mapped[1] ?? '').startsWith('127.');
}

/**
 * On a loopback bind only our own names are accepted in Host (a rebinding attacker's page sends its own
 * domain there), and a browser-sent Origin must be this very server. `loopback` is the bound address's.
 */
export function sameOriginGuard(loopback: () => boolean, getPort: () => number): RequestGuard {
  return (req) => {
    const host = req.headers.host ?? '';
    if (loopback()) {
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
