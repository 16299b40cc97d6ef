/** Errors crossing the Api boundary, and the one way every layer turns a thrown value into one. No zod here: the renderer imports it. */

/** Errors crossing the boundary: a stable code plus a message for people. */
export interface ApiErrorBody {
  code: 'bad-input' | 'not-found' | 'unauthorized' | 'forbidden' | 'conflict' | 'internal';
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorBody['code'],
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ApiError';
  }
}

/** The message of anything thrown: an Error's message, else its string form (the one way to read one). */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * How every error crosses the Api edge: an ApiError keeps its code; anything else (a store's or a parser's
 * Error naming the file and field) becomes an ApiError with `code` and its own message.
 */
export function asApiError(err: unknown, code: ApiErrorBody['code']): ApiError {
  if (err instanceof ApiError) return err;
  // The cause stays attached so the edge can still tell what kind of failure it was (a read-only data folder).
  return new ApiError(code, errorMessage(err) || 'Internal error', { cause: err });
}

/** Runs `fn` (sync or async); what it throws or rejects with leaves as `asApiError(err, code)`. */
export function withApiError<T>(code: ApiErrorBody['code'], fn: () => T): T {
  try {
    const result = fn();
    if (result instanceof Promise) {
      return result.catch((err: unknown) => {
        throw asApiError(err, code);
      }) as T;
    }
    return result;
  } catch (err) {
    throw asApiError(err, code);
  }
}
