/** Content identity of adapter files: sha256 of the bytes, read in chunks (adapters reach hundreds of MB). */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';

const CHUNK = 1 << 20;

/** The file's sha256 (hex); null when it cannot be read (gone, a folder, no permission). */
export function sha256OfFile(file: string): string | null {
  let fd: number;
  try {
    if (!statSync(file).isFile()) return null;
    fd = openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const hash = createHash('sha256');
    const buf = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
    }
    return hash.digest('hex');
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** The file's size in bytes; null when it is not a readable file. */
export function sizeOfFile(file: string): number | null {
  try {
    const s = statSync(file);
    return s.isFile() ? s.size : null;
  } catch {
    return null;
  }
}
