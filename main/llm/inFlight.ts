/**
 * Keeps several questions in flight on one scheduler, so a sequence that finishes its sample takes the next
 * question's work instead of idling while its own question's slowest sample ends (continuous batching across
 * questions). Items start in order; `fn` commits each one's result itself, so the order they finish in does not
 * matter to a resumed job.
 */

/** Enough questions in flight to fill every sequence, plus one to start as the slowest tail drains. */
export function questionsInFlight(parallel: number, samplesPerQuestion: number): number {
  return Math.ceil(Math.max(1, parallel) / Math.max(1, samplesPerQuestion)) + 1;
}

/**
 * Runs `fn` over `items` with at most `limit` running at once. Once `shouldStop` is true or one call throws, no
 * new item starts; the calls already running finish, then the first error (if any) is thrown.
 */
export async function forEachInFlight<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>, shouldStop: () => boolean = () => false): Promise<void> {
  let next = 0;
  let failure: { err: unknown } | null = null;
  const worker = async (): Promise<void> => {
    while (!failure && !shouldStop() && next < items.length) {
      const item = items[next++] as T;
      try {
        await fn(item);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw (failure as { err: unknown }).err;
}
