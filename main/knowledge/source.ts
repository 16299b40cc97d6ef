/**
 * Reads the files of an ORPHApacket release from a folder or a .zip (as downloaded from Orphanet's GitHub).
 * Documentation that ships with a release (README, images, YAML twins of the packets, licences) is left
 * out; any other file that is not .json is reported, so a stray file is never silently taken for data.
 */
import { open as openFile, readFile, readdir, stat } from 'node:fs/promises';
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

async function walk(root: string, rel: string, out: string[]): Promise<void> {
  const entries = await readdir(path.join(root, rel), { withFileTypes: true });
  for (const e of entries) {
    const child = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) {
      if (!e.name.startsWith('.')) await walk(root, child, out);
    } else if (e.isFile()) out.push(child);
  }
}

async function looksLikeZip(file: string): Promise<boolean> {
  const handle = await openFile(file, 'r');
  try {
    const buf = Buffer.alloc(4);
    const { bytesRead } = await handle.read(buf, 0, 4, 0);
    return bytesRead === 4 && buf[0] === 0x50 && buf[1] === 0x4b;
  } finally {
    await handle.close();
  }
}

function readZip(file: string, onFile: (name: string) => boolean): Promise<SourceFile[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, autoClose: true, strictFileNames: false }, (err, zip) => {
      if (err || !zip) {
        reject(new ImportError(`${path.basename(file)}: not a valid zip archive (${err?.message ?? 'unreadable'})`));
        return;
      }
      const out: SourceFile[] = [];
      let failed = false;
      const fail = (e: Error) => {
        if (failed) return;
        failed = true;
        zip.close();
        reject(new ImportError(`${path.basename(file)}: damaged zip archive (${e.message})`));
      };
      zip.on('error', fail);
      zip.on('end', () => {
        if (!failed) resolve(out);
      });
      zip.on('entry', (entry: yauzl.Entry) => {
        const name = entry.fileName;
        if (name.endsWith('/') || !onFile(name)) {
          zip.readEntry();
          return;
        }
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) {
            fail(e ?? new Error(`cannot read ${name}`));
            return;
          }
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('error', fail);
          stream.on('end', () => {
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
 * Lists and reads every candidate file. `onFile` is told about each name that is read (for progress); files
 * matching the documentation pattern are skipped without being read.
 */
export async function readPacketSource(source: string, onFile?: (name: string) => void): Promise<SourceFile[]> {
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
  if (info.isDirectory()) {
    const names: string[] = [];
    await walk(source, '', names);
    names.sort();
    const wanted = names.filter(keep);
    // Several reads in flight: one at a time leaves the disk (and the thread pool) idle between files.
    const out: SourceFile[] = new Array<SourceFile>(wanted.length);
    let next = 0;
    const reader = async () => {
      while (next < wanted.length) {
        const i = next++;
        const name = wanted[i] as string;
        out[i] = { name, bytes: await readFile(path.join(source, name)) };
      }
    };
    await Promise.all(Array.from({ length: 16 }, reader));
    return out;
  }
  if (!info.isFile()) throw new ImportError(`${source}: not a directory or a .zip file`);
  if (/\.zip$/i.test(source) || (await looksLikeZip(source))) {
    const files = await readZip(source, keep);
    return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
  if (isPacketName(source)) return [{ name: path.basename(source), bytes: await readFile(source) }];
  throw new ImportError(`${path.basename(source)}: not a directory, a .zip archive or an ORPHApacket .json file`);
}
