import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { migrate, type Migration } from './migrate.js';
import { checkReadablePath, checkWritableFile } from '../safePath.js';

export type Db = Database.Database;

/** How long a statement waits for another connection's write lock before failing. */
export const BUSY_TIMEOUT_MS = 10000;

export interface OpenOptions {
  /**
   * Migrations to apply (main/app passes every module's). Omitted: none, as in workers that open a database the
   * main thread already migrated.
   */
  migrations?: readonly Migration[];
  readonly?: boolean;
}

/**
 * Opens the system-of-record database. WAL lets the import worker write while the thread that answers the
 * UI keeps reading; busy_timeout covers the short moments when two connections want the write lock.
 */
export function openDatabase(file: string, options: OpenOptions = {}): Db {
  if (file !== ':memory:') {
    if (options.readonly) checkReadablePath(file, 'Database file');
    else checkWritableFile(file, 'Database file');
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  }
  // Under `npm start`, Electron loads a copy of the driver built for its own ABI (scripts/electron-native.mjs).
  const nativeBinding = process.env.MEDSSR_SQLITE_BINDING || undefined;
  const db = new Database(file, { readonly: options.readonly ?? false, ...(nativeBinding ? { nativeBinding } : {}) });
  // First, so that the pragmas below wait for a writer on another connection instead of failing at once.
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  if (!options.readonly) db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  // NORMAL is durable across application crashes in WAL mode; only a power loss can drop the last commit.
  db.pragma('synchronous = NORMAL');
  db.pragma('cache_size = -65536');
  if (options.migrations && !options.readonly) migrate(db, options.migrations);
  return db;
}
