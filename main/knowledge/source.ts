/**
 * Reads the files of an ORPHApacket release from a folder or a .zip (as downloaded from Orphanet's GitHub).
 * Documentation that ships with a release (README, images, YAML twins of the packets, licences) is left
 * out; any other file that is not .json is reported, so a stray file is never silently taken for data.
 */
import type { Dirent } from 'node:fs';
import { open as openFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import yauzl from 'yauzl';
import { checkReadablePath, UnsafePathError } from '../platform/safePath.js';
import { ImportError } from './errors.js';

export interface SourceFile {
  /** Path relative to the source root, with forward slashes. */
  name: string;
  bytes: Buffer;
}

const IGNORED = /(^|\/)(\.|__MACOSX\/)|\.(md|markdown|txt\.license|png|jpe?g|gif|svg|ya?ml|pdf|html?|css|xsd|gitignore|gitattributes)$|(^|\/)(LICEN[SC]E|COPYING|NOTICE|README)[^/]*$/i;

export function isIgnoredName(name: string): boolean {
  return IGNORED.test(name);
}

export function isPacketName(name: string): boolean {
  return /\.json$/i.test(name);
}

/**
 * What one import may read. The release is 9,960 packets, 79 MB, the largest 0.8 MB, zipped about 13:1; the
 * limits leave ample room for that and stop a zip bomb or a runaway folder before memory does.
 */
export interface SourceLimits {
  /** Largest single packet (bytes, as stored or inflated). */
  maxFileBytes: number;
  /** All files together (bytes, inflated). */
  maxTotalBytes: number;
  /** Files (or zip entries) considered. */
  maxEntries: number;
  /** Inflated : compressed, checked for zip entries above 1 MiB and for the whole archive. */
  maxZipRatio: number;
}

export const defaultSourceLimits: SourceLimits = {
  maxFileBytes: 8 * 1024 * 1024,
  maxTotalBytes: 512 * 1024 * 1024,
  maxEntries: 50_000,
  maxZipRatio: 100,
};

const RATIO_FLOOR_BYTES = 1024 * 1024;

export interface SourceRead {
  files: SourceFile[];
  /** Entries not read, with why (symbolic links, FIFOs and other special files inside a folder). */
  problems: { file: string; reason: string }[];
}

const mib = (n: number) => `${(n / (1024 * 1024)).toFixed(n < 10 * 1024 * 1024 ? 1 : 0)} MiB`;

function tooBig(file: string, size: number, limits: SourceLimits): ImportError {
  return new ImportError(`${file}: ${mib(size)}; a packet over ${mib(limits.maxFileBytes)} is refused (nothing was changed)`, [
    { file, reason: `larger than ${mib(limits.maxFileBytes)}` },
  ]);
}

class Budget {
  private total = 0;
  private entries = 0;
  constructor(
    private readonly label: string,
    readonly limits: SourceLimits,
  ) {}
  entry(name: string): void {
    if (++this.entries > this.limits.maxEntries) {
      throw new ImportError(`${this.label}: more than ${this.limits.maxEntries.toLocaleString('en-US')} files (at ${name}); nothing was changed`);
    }
  }
  bytes(name: string, n: number): void {
    this.total += n;
    if (this.total > this.limits.maxTotalBytes) {
      throw new ImportError(`${this.label}: more than ${mib(this.limits.maxTotalBytes)} in all (at ${name}); nothing was changed`);
    }
  }
}

function specialKind(e: Dirent): string {
  if (e.isSymbolicLink()) return 'a symbolic link (not followed: a link can point anywhere, including outside the release)';
  if (e.isFIFO()) return 'a FIFO (named pipe), not a file';
  if (e.isSocket()) return 'a socket, not a file';
  if (e.isCharacterDevice() || e.isBlockDevice()) return 'a device, not a file';
  return 'not a regular file';
}

async function walk(root: string, rel: string, out: string[], problems: SourceRead['problems'], budget: Budget): Promise<void> {
  const entries = await readdir(path.join(root, rel), { withFileTypes: true });
  for (const e of entries) {
    const child = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) {
      if (!e.name.startsWith('.')) await walk(root, child, out, problems, budget);
    } else if (e.isFile()) {
      budget.entry(child);
      out.push(child);
    } else if (!isIgnoredName(child)) {
      problems.push({ file: child, reason: specialKind(e) });
    }
  }
}

/** Reads a regular file, stopping as soon as it passes the per-file limit (its size on disk may lie). */
async function readBounded(full: string, name: string, budget: Budget): Promise<Buffer> {
  const handle = await openFile(full, 'r');
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new ImportError(`${name}: ${st.isFIFO() ? 'a FIFO' : 'not a regular file'}; nothing was changed`);
    if (st.size > budget.limits.maxFileBytes) throw tooBig(name, st.size, budget.limits);
    const chunks: Buffer[] = [];
    let size = 0;
    for (;;) {
      const buf = Buffer.alloc(Math.min(1024 * 1024, budget.limits.maxFileBytes + 1 - size));
      const { bytesRead } = await handle.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      size += bytesRead;
      if (size > budget.limits.maxFileBytes) throw tooBig(name, size, budget.limits);
      chunks.push(buf.subarray(0, bytesRead));
    }
    budget.bytes(name, size);
    return Buffer.concat(chunks, size);
  } finally {
    await handle.close();
  }
}

export async function looksLikeZip(file: string): Promise<boolean> {
  const handle = await openFile(file, 'r');
  try {
    const buf = Buffer.alloc(4);
    const { bytesRead } = await handle.read(buf, 0, 4, 0);
    return bytesRead === 4 && buf[0] === 0x50 && buf[1] === 0x4b;
  } finally {
    await handle.close();
  }
}

function readZip(file: string, onFile: (name: string) => boolean, limits: SourceLimits): Promise<SourceFile[]> {
  const label = path.basename(file);
  const budget = new Budget(label, limits);
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, autoClose: true, strictFileNames: false, validateEntrySizes: true }, (err, zip) => {
      if (err || !zip) {
        reject(new ImportError(`${label}: not a valid zip archive (${err?.message ?? 'unreadable'})`));
        return;
      }
      const out: SourceFile[] = [];
      let failed = false;
      let compressedTotal = 0;
      let inflatedTotal = 0;
      const stop = (e: ImportError) => {
        if (failed) return;
        failed = true;
        zip.close();
        reject(e);
      };
      const fail = (e: Error) => stop(e instanceof ImportError ? e : new ImportError(`${label}: damaged zip archive (${e.message})`));
      zip.on('error', fail);
      zip.on('end', () => {
        if (!failed) resolve(out);
      });
      zip.on('entry', (entry: yauzl.Entry) => {
        if (failed) return;
        const name = entry.fileName;
        if (name.endsWith('/') || !onFile(name)) {
          zip.readEntry();
          return;
        }
        try {
          budget.entry(name);
          // Declared sizes first (yauzl then holds the stream to them): a bomb is refused before it inflates.
          if (entry.uncompressedSize > limits.maxFileBytes) throw tooBig(`${label}/${name}`, entry.uncompressedSize, limits);
          const ratio = entry.uncompressedSize / Math.max(1, entry.compressedSize);
          if (entry.uncompressedSize > RATIO_FLOOR_BYTES && ratio > limits.maxZipRatio) {
            throw new ImportError(`${label}/${name}: inflates ${Math.round(ratio)}:1 (${mib(entry.uncompressedSize)} from ${entry.compressedSize} bytes); over ${limits.maxZipRatio}:1 looks like a zip bomb and is refused (nothing was changed)`);
          }
          compressedTotal += entry.compressedSize;
          inflatedTotal += entry.uncompressedSize;
          if (inflatedTotal > RATIO_FLOOR_BYTES && inflatedTotal / Math.max(1, compressedTotal) > limits.maxZipRatio) {
            throw new ImportError(`${label}: the archive inflates over ${limits.maxZipRatio}:1 (at ${name}); refused as a likely zip bomb (nothing was changed)`);
          }
          budget.bytes(name, entry.uncompressedSize);
        } catch (e) {
          fail(e as Error);
          return;
        }
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) {
            fail(e ?? new Error(`cannot read ${name}`));
            return;
          }
          const chunks: Buffer[] = [];
          let size = 0;
          stream.on('data', (c: Buffer) => {
            size += c.length;
            if (size > limits.maxFileBytes) {
              stream.destroy();
              fail(tooBig(`${label}/${name}`, size, limits));
              return;
            }
            chunks.push(c);
          });
          stream.on('error', fail);
          stream.on('end', () => {
            if (failed) return;
            out.push({ name, bytes: Buffer.concat(chunks) });
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

/**
 * Lists and reads every candidate file within `limits`. `onFile` is told about each name that is read (for
 * progress); files matching the documentation pattern are skipped without being read. Symbolic links and
 * special files inside a folder are never opened; they come back as problems, so the import names them.
 */
export async function readPacketSource(source: string, onFile?: (name: string) => void, limits: SourceLimits = defaultSourceLimits): Promise<SourceRead> {
  let info;
  try {
    checkReadablePath(source, 'Packet source', 'file-or-folder');
    info = await stat(source);
  } catch (err) {
    if (err instanceof UnsafePathError && err.reason !== 'no such file or folder') throw new ImportError(err.message);
    throw new ImportError(`${source}: no such file or directory`);
  }
  const keep = (name: string) => {
    if (isIgnoredName(name)) return false;
    onFile?.(name);
    return true;
  };
  const label = path.basename(path.resolve(source));
  if (info.isDirectory()) {
    const names: string[] = [];
    const problems: SourceRead['problems'] = [];
    const budget = new Budget(label, limits);
    await walk(source, '', names, problems, budget);
    names.sort();
    const wanted = names.filter(keep);
    // Several reads in flight: one at a time leaves the disk (and the thread pool) idle between files.
    const out: SourceFile[] = new Array<SourceFile>(wanted.length);
    let next = 0;
    const reader = async () => {
      while (next < wanted.length) {
        const i = next++;
        const name = wanted[i] as string;
        out[i] = { name, bytes: await readBounded(path.join(source, name), name, budget) };
      }
    };
    await Promise.all(Array.from({ length: 16 }, reader));
    return { files: out, problems: problems.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0)) };
  }
  if (/\.zip$/i.test(source) || (await looksLikeZip(source))) {
    const files = await readZip(source, keep, limits);
    return { files: files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)), problems: [] };
  }
  if (isPacketName(source)) return { files: [{ name: path.basename(source), bytes: await readBounded(source, path.basename(source), new Budget(label, limits)) }], problems: [] };
  throw new ImportError(`${path.basename(source)}: not a directory, a .zip archive or an ORPHApacket .json file`);
}
