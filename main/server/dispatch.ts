/**
 * Transport-neutral call path shared by browser mode (HTTP) and the desktop app (IPC): validate the raw
 * argument with the contract's schema, run the handler, and turn every outcome into the same envelope so
 * the renderer cannot tell the transports apart.
 */
import { asApiError, isMethodName, parseInput, type ApiErrorBody, type ApiHandlers } from '../../api/contract.js';
import { isDiskFullFailure, isReadOnlyFailure } from '../platform/dataDir.js';

/** No path in it: reviewers on the LAN may read it, and admins see the folder in app.info. */
export const readOnlyMessage =
  'The data folder is read-only, and this request writes to it. Reading still works (search, statistics, the review queue, jobs); to make changes, serve a writable copy of the folder';

/** No path in it either; SQLite rolls the failed transaction back, so nothing half-written stays. */
export const diskFullMessage =
  'The disk holding the data folder is full, so this change was not kept (what was stored before is unchanged). Free some space and try again';

export type CallOutcome = { ok: true; result: unknown } | { ok: false; error: ApiErrorBody };

/** The envelope's error: anything not already an ApiError is an internal one (and is logged by dispatch). */
export function toErrorBody(err: unknown): ApiErrorBody {
  // A write into a read-only folder is the request's fault, not the server's: say so instead of a 500.
  if (isReadOnlyFailure(err)) return { code: 'conflict', message: readOnlyMessage };
  if (isDiskFullFailure(err)) return { code: 'conflict', message: diskFullMessage };
  const e = asApiError(err, 'internal');
  return { code: e.code, message: e.message };
}

export async function dispatch(handlers: ApiHandlers, name: string, raw: unknown): Promise<CallOutcome> {
  if (!isMethodName(name)) {
    return { ok: false, error: { code: 'not-found', message: `Unknown Api method "${name.slice(0, 100)}"` } };
  }
  try {
    const input = parseInput(name, raw);
    // The contract maps each name to its own handler type; the union of them is not callable without a cast.
    const handler = handlers[name] as (input: unknown) => unknown;
    const result = await handler(input);
    return { ok: true, result: result === undefined ? null : result };
  } catch (err) {
    const body = toErrorBody(err);
    if (body.code === 'internal') console.error(`[api] ${name} failed:`, err);
    return { ok: false, error: body };
  }
}

const statusByCode: Record<ApiErrorBody['code'], number> = {
  'bad-input': 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  internal: 500,
};

export function httpStatusFor(code: ApiErrorBody['code']): number {
  return statusByCode[code];
}
