/**
 * Files written whole or not at all: a temporary file beside the target (same folder, so the rename cannot
 * cross file systems), then a rename. Readers never see half a file; a failed write leaves no temp file.
 */
import { copyFileSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { checkReadablePath, checkWritableFile } from './safePath.js';

function replaceAtomically(target: string, fill: (tmp: string) => void): string {
  const full = checkWritableFile(target, 'Output file');
  mkdirSync(path.dirname(full), { recursive: true });
  const tmp = `${full}.${process.pid}.tmp`;
  try {
    fill(tmp);
    renameSync(tmp, full);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  return full;
}

/** Writes `data` to `file` (its folder created); returns the absolute path. */
export function writeFileAtomic(file: string, data: string | Uint8Array): string {
  return replaceAtomically(file, (tmp) => writeFileSync(tmp, data));
}

/** Copies `source` to `target` (its folder created); returns the absolute target path. */
export function copyFileAtomic(source: string, target: string): string {
  const from = checkReadablePath(source, 'Source file');
  return replaceAtomically(target, (tmp) => copyFileSync(from, tmp));
}
