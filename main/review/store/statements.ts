/**
 * Statements whose text depends on the call (a filter's parts, an IN list's length) cannot be prepared in a
 * constructor; this keeps each distinct text prepared once. The fixed statements are typed fields of each store.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from '../../platform/db/open.js';

export class StatementCache {
  private readonly cache = new Map<string, Statement<unknown[]>>();

  constructor(
    private readonly db: Db,
    /** A filter combines up to ~12 optional parts; more distinct texts than this means something is generating SQL. */
    private readonly max = 500,
  ) {}

  get(sql: string): Statement<unknown[]> {
    let s = this.cache.get(sql);
    if (!s) {
      if (this.cache.size >= this.max) this.cache.clear();
      s = this.db.prepare<unknown[]>(sql);
      this.cache.set(sql, s);
    }
    return s;
  }
}

/** `?, ?, ?` for an IN list. */
export function placeholders(n: number): string {
  return Array.from({ length: n }, () => '?').join(',');
}
