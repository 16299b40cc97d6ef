/**
 * Guessing is slowed two ways, neither of which lets a third party lock an account's owner out:
 * - per client address (LoginThrottle): after `limit` failures within the window that address is refused (HTTP
 *   429) until the window has passed, whatever the password; an attacker only locks out their own address;
 * - per account (AccountDelay): each sign-in for a name that keeps failing waits a little longer before it is
 *   checked, up to a cap, but is always checked, so its owner still gets in from their own address.
 */
export interface ThrottleOptions {
  limit?: number;
  windowMs?: number;
  now?: () => number;
}

export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();
  private readonly limit: number;
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(opts: ThrottleOptions = {}) {
    this.limit = opts.limit ?? 5;
    this.windowMs = opts.windowMs ?? 15 * 60 * 1000;
    this.now = opts.now ?? Date.now;
  }

  private recent(key: string): number[] {
    const cutoff = this.now() - this.windowMs;
    const list = (this.failures.get(key) ?? []).filter((t) => t > cutoff);
    if (list.length) this.failures.set(key, list);
    else this.failures.delete(key);
    return list;
  }

  /** Seconds until another attempt is allowed, or 0 when it is allowed now. */
  retryAfter(keys: readonly string[]): number {
    let wait = 0;
    for (const key of keys) {
      const list = this.recent(key);
      if (list.length >= this.limit) {
        const oldest = list[list.length - this.limit] as number;
        wait = Math.max(wait, Math.ceil((oldest + this.windowMs - this.now()) / 1000));
      }
    }
    return wait;
  }

  fail(keys: readonly string[]): void {
    for (const key of keys) {
      const list = this.recent(key);
      list.push(this.now());
      this.failures.set(key, list);
    }
  }

  succeed(keys: readonly string[]): void {
    for (const key of keys) this.failures.delete(key);
  }
}

export interface AccountDelayOptions {
  /** Failures within the window before any delay. */
  free?: number;
  /** The first delay; it doubles with every further failure. */
  baseMs?: number;
  maxMs?: number;
  windowMs?: number;
  /** Names tracked at most: typed names need not exist, and memory must not grow with every guess. */
  maxKeys?: number;
  now?: () => number;
}

export class AccountDelay {
  private readonly failures = new Map<string, number[]>();
  private readonly free: number;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly windowMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(opts: AccountDelayOptions = {}) {
    this.free = opts.free ?? 3;
    this.baseMs = opts.baseMs ?? 500;
    this.maxMs = opts.maxMs ?? 10_000;
    this.windowMs = opts.windowMs ?? 15 * 60 * 1000;
    this.maxKeys = opts.maxKeys ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  private recent(key: string): number[] {
    const cutoff = this.now() - this.windowMs;
    const list = (this.failures.get(key) ?? []).filter((t) => t > cutoff);
    if (list.length) this.failures.set(key, list);
    else this.failures.delete(key);
    return list;
  }

  /** How long to wait before checking a password for this account. */
  delayMs(key: string): number {
    const over = this.recent(key).length - this.free;
    if (over < 0) return 0;
    return Math.min(this.maxMs, this.baseMs * 2 ** Math.min(over, 20));
  }

  fail(key: string): void {
    const list = this.recent(key);
    list.push(this.now());
    // The oldest name goes first when the table is full (a Map keeps insertion order); the per-address limit
    // makes filling it take thousands of addresses.
    if (!this.failures.has(key) && this.failures.size >= this.maxKeys) {
      const oldest = this.failures.keys().next();
      if (!oldest.done) this.failures.delete(oldest.value);
    }
    // Bounded: the delay is capped long before this many.
    this.failures.set(key, list.slice(-64));
  }

  /** Names currently tracked (tests). */
  get size(): number {
    return this.failures.size;
  }

  succeed(key: string): void {
    this.failures.delete(key);
  }
}
