import { accessSync, constants, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const APP_NAME = 'MedSSR Studio';

/**
 * The folder Electron calls userData, computed without Electron so the CLI and browser mode use the same
 * place as the desktop app. MEDSSR_DATA_DIR overrides it everywhere.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MEDSSR_DATA_DIR) return path.resolve(env.MEDSSR_DATA_DIR);
  const home = os.homedir();
  switch (process.platform) {
    case 'win32':
      return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), APP_NAME);
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', APP_NAME);
    default:
      return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), APP_NAME);
  }
}

export function databasePath(dataDir: string): string {
  return path.join(dataDir, 'medssr.db');
}

/** False when `p` exists but this process may not write it (a read-only mount, a locked-down share, its modes). */
export function isWritable(p: string): boolean {
  try {
    accessSync(p, constants.W_OK);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return !(code === 'EROFS' || code === 'EACCES' || code === 'EPERM');
  }
}

/**
 * True when the database exists but it or its folder cannot be written: it is then opened read-only, so what
 * only reads keeps working and each write is refused as a read-only data folder (isReadOnlyFailure).
 */
export function opensReadOnly(dbPath: string): boolean {
  return existsSync(dbPath) && (!isWritable(dbPath) || !isWritable(path.dirname(dbPath)));
}

/** A write refused because the data is read-only: SQLite's SQLITE_READONLY*, the file system's EROFS (also as a cause). */
export function isReadOnlyFailure(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (code.startsWith('SQLITE_READONLY') || code === 'EROFS')) return true;
  }
  return false;
}

/** A write that found no room: SQLite's SQLITE_FULL, the file system's ENOSPC (also as a cause). */
export function isDiskFullFailure(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (code === 'SQLITE_FULL' || code === 'ENOSPC') return true;
    if (e instanceof Error && /database or disk is full/.test(e.message)) return true;
  }
  return false;
}
