import Database from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { migrate, pendingMigrations, type Migration } from './migrate.js';
import { checkReadablePath, checkWritableFile } from '../safePath.js';

export type Db = Database.Database;

// better-sqlite3 reads this once, when it opens its first database: URI file names let a read-only folder's WAL
// database be opened as immutable (see openReadonly). Every path the app opens is absolute, never "file:…", so
// nothing else changes meaning.
process.env.SQLITE_USE_URI ??= '1';

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
    else {
      checkWritableFile(file, 'Database file');
      mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    }
  }
  // Under `npm start`, Electron loads a copy of the driver built for its own ABI (scripts/electron-native.mjs).
  const nativeBinding = process.env.MEDSSR_SQLITE_BINDING || undefined;
  const db =
    options.readonly && file !== ':memory:'
      ? openReadonly(file, nativeBinding)
      : new Database(file, { readonly: options.readonly ?? false, ...(nativeBinding ? { nativeBinding } : {}) });
  // First, so that the pragmas below wait for a writer on another connection instead of failing at once.
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  if (!options.readonly) db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  // NORMAL is durable across application crashes in WAL mode; only a power loss can drop the last commit.
  db.pragma('synchronous = NORMAL');
  db.pragma('cache_size = -65536');
  if (options.migrations && !options.readonly) migrate(db, options.migrations);
  if (options.migrations && options.readonly) {
    // Read-only, the schema cannot be brought up to date: reading an older one with this release's SQL would fail
    // somewhere deep with "no such column"; say so once, up front.
    const missing = pendingMigrations(db, options.migrations);
    if (missing.length) {
      db.close();
      throw new ReadonlyOpenError(`Database ${file}: written by an earlier release and needs ${missing.length} schema step(s), which cannot be applied read-only; open it once from a writable folder`);
    }
  }
  return db;
}

/** Raised when a database cannot be opened even read-only; the message names the file and why. */
export class ReadonlyOpenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReadonlyOpenError';
  }
}

/**
 * A WAL database in a folder nobody may write to (a read-only mount, a locked-down share) cannot be opened the
 * ordinary way: SQLite wants to create its `-shm` file beside it. Once the app closed cleanly there is no `-wal`
 * file, everything is in the main file, and opening it as immutable reads exactly what was committed. A `-wal` left
 * by a crash may hold commits the main file lacks: then it opens normally (SQLite can use both files read-only) or is
 * refused, never read without them.
 */
function openReadonly(file: string, nativeBinding: string | undefined): Database.Database {
  const binding = nativeBinding ? { nativeBinding } : {};
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true, ...binding });
    try {
      // The file opens lazily: the first read is where a missing, uncreatable -shm shows.
      db.prepare('SELECT count(*) FROM sqlite_master').get();
    } catch (err) {
      db.close();
      throw err;
    }
    return db;
  } catch (err) {
    if ((err as { code?: string }).code !== 'SQLITE_CANTOPEN' || !existsSync(file)) throw err;
    if (existsSync(`${file}-wal`)) {
      throw new ReadonlyOpenError(`Database ${file}: cannot be opened read-only: ${path.basename(file)}-wal holds changes not yet in the main file, and its folder is not writable`);
    }
  }
  return new Database(`file:${encodeURI(path.resolve(file)).replace(/[?#]/g, encodeURIComponent)}?immutable=1`, { readonly: true, ...binding });
}
