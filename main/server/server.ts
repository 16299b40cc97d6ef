/**
 * Browser mode: one HTTP server that serves the built renderer and carries the Api contract.
 *   POST /api/<method>   JSON argument → {ok:true,result} | {ok:false,error:{code,message}} (status 4xx/5xx)
 *   GET  /api/events     server-sent events, one `data:` line of JSON (ApiEvent) per event
 *   GET  /*              static files from dist/renderer
 */
import { existsSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ApiErrorBody, ApiEvent, AppInfo } from '../../api/contract.js';
import type { ReviewerRole } from '../../api/review.js';
import type { AppServices } from '../app/index.js';
import { dispatch, httpStatusFor } from './dispatch.js';
import { isLoopbackAddress, sameOriginGuard, type RequestGuard } from './guards.js';
import { errorFor, eventFor, pathRedactor, resultFor } from './auth/redact.js';
import { createServerAuth, type ServerAuth, type ServerAuthOptions } from './auth/serverAuth.js';
import { applySecurityHeaders } from './securityHeaders.js';
import { serveStatic } from './staticFiles.js';
import { describeJsonError } from '../platform/jsonText.js';
import { databasePath, opensReadOnly } from '../platform/dataDir.js';

export interface ServerOptions {
  dataDir: string;
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  seedDemo?: boolean;
  /** Built renderer folder; defaults to <package root>/dist/renderer. */
  rendererDir?: string;
  /** Use these services instead of creating them over dataDir (tests). The caller then owns closing them. */
  services?: AppServices;
  /** Extra checks before every Api request (login for non-loopback hosts goes here). */
  guards?: RequestGuard[];
  /** Require a login; defaults to true exactly when the bound address is not loopback. */
  requireLogin?: boolean;
  loginOptions?: ServerAuthOptions;
}

export interface RunningServer {
  url: string;
  host: string;
  port: number;
  /** The address actually bound (what decides LAN mode). */
  address: string;
  /** False when other machines can reach the server (a login is then required). */
  loopback: boolean;
  /** The data folder could not be written, so it is served read-only (writes answer a 409 saying so). */
  readOnly: boolean;
  services: AppServices;
  close(): Promise<void>;
}

const maxBodyBytes = 1024 * 1024;

export function packageRoot(from = path.dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) return from;
    dir = up;
  }
  return dir;
}

export function defaultRendererDir(): string {
  return path.join(packageRoot(), 'dist', 'renderer');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, error: ApiErrorBody): void {
  sendJson(res, status, { ok: false, error });
}

class BodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > maxBodyBytes) throw new BodyError(413, `Request body exceeds ${maxBodyBytes} bytes`);
    chunks.push(buf);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new BodyError(400, `Request body is ${describeJsonError(text, err)}`);
  }
}

function formatHostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const rendererDir = options.rendererDir ?? defaultRendererDir();
  const ownsServices = options.services === undefined;
  // A folder that cannot be written (a read-only mount, a share) is served read-only: reads work, writes are refused.
  const readOnly = ownsServices && opensReadOnly(databasePath(options.dataDir));
  const services =
    options.services ??
    (await (await import('../app/index.js')).createApp({
      dataDir: options.dataDir,
      transport: 'http',
      seedDemo: options.seedDemo ?? true,
      readonly: readOnly,
    }));

  // What a reviewer's job messages and errors are stripped of: this server's data folder and home, any other path cut to its last part.
  const hidePaths = pathRedactor([options.dataDir]);
  let boundPort = options.port ?? 0;
  // Decided from the bound address once listening; until then every request is refused (fail closed).
  let loopback: boolean | null = null;
  const guards: RequestGuard[] = [sameOriginGuard(() => loopback === true, () => boundPort), ...(options.guards ?? [])];
  let auth: ServerAuth | null = null;
  /** Open event streams with the request that opened them (behind a login, its session is checked per event). */
  const streams = new Map<ServerResponse, IncomingMessage>();

  /** The role an event stream is served as now; undefined when its session has ended (the stream is then closed). */
  const streamRole = (req: IncomingMessage): ReviewerRole | null | undefined => {
    if (!auth) return null;
    const gate = auth.authorize(req, 'events');
    return gate.ok ? gate.reviewer.role : undefined;
  };

  const unsubscribe = services.subscribe((event: ApiEvent) => {
    const frames = new Map<ReviewerRole | null, string>();
    for (const [res, req] of streams) {
      const role = streamRole(req);
      if (role === undefined) {
        // Signed out, reset or demoted: a stream opened under the old session stops here.
        streams.delete(res);
        res.end();
        continue;
      }
      const key = role === 'admin' ? null : role;
      let frame = frames.get(key);
      if (frame === undefined) {
        frame = `data: ${JSON.stringify(eventFor(key, event, hidePaths))}\n\n`;
        frames.set(key, frame);
      }
      res.write(frame);
    }
  });
  const heartbeat = setInterval(() => {
    for (const res of streams.keys()) res.write(': keep-alive\n\n');
  }, 20_000);
  heartbeat.unref();

  async function handleApi(req: IncomingMessage, res: ServerResponse, name: string): Promise<void> {
    for (const guard of guards) {
      const refusal = await guard(req, res);
      if (refusal) {
        sendError(res, httpStatusFor(refusal.code), refusal);
        return;
      }
    }
    if (auth && (await auth.route(req, res, name, () => readJsonBody(req)))) return;
    // Without a login (loopback) the page still asks; answering plainly keeps a 405 out of every page load.
    if (!auth && name === 'auth/session' && req.method === 'GET') {
      sendJson(res, 200, { ok: true, result: { authRequired: false, reviewer: null, csrfToken: null } });
      return;
    }
    const gate = auth?.authorize(req, name) ?? null;
    if (gate && !gate.ok) {
      sendError(res, gate.status, gate.error);
      return;
    }
    if (name === 'events') {
      if (req.method !== 'GET') {
        res.setHeader('Allow', 'GET');
        sendError(res, 405, { code: 'bad-input', message: 'Use GET for /api/events' });
        return;
      }
      res.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-store',
        Connection: 'keep-alive',
        'X-Accel-Buffering': 'no',
      });
      res.write('retry: 2000\n: connected\n\n');
      streams.set(res, req);
      req.on('close', () => streams.delete(res));
      return;
    }
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      sendError(res, 405, { code: 'bad-input', message: `Use POST for /api/${name}` });
      return;
    }
    // Requiring JSON makes a cross-site form post impossible without a CORS preflight, which we never grant.
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (contentType !== 'application/json') {
      sendError(res, 415, { code: 'bad-input', message: 'Content-Type must be application/json' });
      return;
    }
    let raw: unknown;
    try {
      raw = await readJsonBody(req);
    } catch (err) {
      const status = err instanceof BodyError ? err.status : 400;
      sendError(res, status, { code: 'bad-input', message: (err as Error).message });
      return;
    }
    const outcome = gate ? await gate.run(() => dispatch(services.handlers, name, raw)) : await dispatch(services.handlers, name, raw);
    // The services do not know how they are served; behind a login, say so, and show a reviewer only what is theirs.
    if (auth && name === 'app.info' && outcome.ok) outcome.result = { ...(outcome.result as AppInfo), authRequired: true };
    if (gate?.ok && outcome.ok) outcome.result = resultFor(gate.reviewer.role, name, outcome.result, hidePaths);
    if (outcome.ok) sendJson(res, 200, outcome);
    else sendError(res, httpStatusFor(outcome.error.code), gate?.ok ? errorFor(gate.reviewer.role, outcome.error, hidePaths) : outcome.error);
  }

  const server = http.createServer((req, res) => {
    applySecurityHeaders(res);
    if (loopback === null) {
      sendError(res, 503, { code: 'internal', message: 'The server is still starting' });
      return;
    }
    // HTTP/1.0 clients may omit Host; without it neither the rebinding check nor the origin check can run.
    if (!req.headers.host) {
      sendError(res, 400, { code: 'bad-input', message: 'A Host header is required' });
      return;
    }
    let pathname: string;
    try {
      pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
      res.writeHead(400).end('Bad request');
      return;
    }
    const work = pathname.startsWith('/api/')
      ? handleApi(req, res, pathname.slice('/api/'.length))
      : serveStatic(rendererDir, req, res, pathname);
    work.catch((err: unknown) => {
      console.error('[server] request failed:', err);
      if (!res.headersSent) sendError(res, 500, { code: 'internal', message: (err as Error).message });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(boundPort, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    unsubscribe();
    clearInterval(heartbeat);
    if (ownsServices) await services.close();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new Error(`Port ${boundPort} on ${host} is already in use; choose another with --port`);
    if (code === 'EADDRNOTAVAIL') throw new Error(`Cannot listen on ${host}: no such address on this machine`);
    throw err;
  }
  const bound = server.address() as AddressInfo;
  boundPort = bound.port;
  try {
    auth = (options.requireLogin ?? !isLoopbackAddress(bound.address)) ? createServerAuth(services, options.loginOptions) : null;
  } catch (err) {
    unsubscribe();
    clearInterval(heartbeat);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (ownsServices) await services.close();
    throw err;
  }
  loopback = isLoopbackAddress(bound.address);

  let closed = false;
  return {
    url: `http://${formatHostForUrl(host)}:${boundPort}/`,
    host,
    port: boundPort,
    address: bound.address,
    loopback,
    readOnly,
    services,
    async close() {
      if (closed) return;
      closed = true;
      unsubscribe();
      clearInterval(heartbeat);
      for (const res of streams.keys()) res.end();
      streams.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      if (ownsServices) await services.close();
    },
  };
}
