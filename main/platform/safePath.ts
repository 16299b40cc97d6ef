/**
 * Every path a person or a client hands the app passes here before anything opens, creates or reads it.
 * Pseudo file systems and special files are refused by name: `mkdir -p /proc/x` spins at 100% CPU inside a
 * synchronous call that no signal interrupts, reading a FIFO blocks forever, `/proc/self` or `/dev/zero` reads
 * without end. The check is on the resolved path (symlinks followed) and, where the platform reports it, on the
 * type of the file system that holds it, so a procfs mounted elsewhere is caught too.
 */
import { lstatSync, realpathSync, statfsSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';

export class UnsafePathError extends Error {
  constructor(
    readonly what: string,
    readonly path: string,
    readonly reason: string,
    message = `${what} ${path}: ${reason}`,
  ) {
    super(message);
    this.name = 'UnsafePathError';
  }
}

/** Linux file-system magic numbers (statfs f_type) of kernel pseudo file systems. */
const pseudoFileSystems = new Map<number, string>([
  [0x9fa0, 'procfs'],
  [0x62656572, 'sysfs'],
  [0x1373, 'devfs'],
  [0x1cd1, 'devpts'],
  [0x64626720, 'debugfs'],
  [0x73636673, 'securityfs'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x74726163, 'tracefs'],
  [0xcafe4a11, 'bpf'],
  [0x62656570, 'configfs'],
  [0x6165676c, 'pstore'],
  [0xde5e81e4, 'efivarfs'],
  [0x65735543, 'fusectl'],
  [0x42494e4d, 'binfmt_misc'],
  [0x19800202, 'mqueue'],
]);

/** Trees that hold no user files on Unix; /dev/shm is ordinary shared memory (tmpfs) and stays allowed. */
const pseudoTrees = ['/proc', '/sys', '/dev'];
const allowedUnderPseudo = ['/dev/shm'];

function within(p: string, root: string): boolean {
  return p === root || p.startsWith(`${root}/`);
}

function kindOf(st: Stats): string {
  if (st.isFile()) return 'a regular file';
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'a special file';
}

/** The deepest ancestor of `full` (itself included) that exists, resolved through symlinks. */
function existingAncestor(full: string): { real: string; missing: string[] } {
  const missing: string[] = [];
  let cur = full;
  for (;;) {
    try {
      lstatSync(cur);
      return { real: realpathSync(cur), missing };
    } catch {
      const parent = path.dirname(cur);
      if (parent === cur) return { real: cur, missing };
      missing.unshift(path.basename(cur));
      cur = parent;
    }
  }
}

function refusePseudo(what: string, shown: string, real: string): void {
  if (process.platform === 'win32') return;
  if (!allowedUnderPseudo.some((a) => within(real, a))) {
    const tree = pseudoTrees.find((t) => within(real, t));
    if (tree) throw new UnsafePathError(what, shown, `is under ${tree}, a system file system, not a place for data`);
  }
  if (process.platform !== 'linux') return;
  try {
    const fsName = pseudoFileSystems.get(Number(statfsSync(real).type));
    if (fsName) throw new UnsafePathError(what, shown, `is on ${fsName}, a kernel pseudo file system, not a place for data`);
  } catch (err) {
    if (err instanceof UnsafePathError) throw err;
    // statfs unavailable (permissions, exotic platform): the tree test above still applied.
  }
}

export type PathKind = 'file' | 'folder' | 'file-or-folder';

function expectKind(what: string, shown: string, st: Stats, kind: PathKind): void {
  const ok = kind === 'file' ? st.isFile() : kind === 'folder' ? st.isDirectory() : st.isFile() || st.isDirectory();
  if (!ok) {
    const wanted = kind === 'file' ? 'a regular file' : kind === 'folder' ? 'a folder' : 'a regular file or a folder';
    throw new UnsafePathError(what, shown, `is ${kindOf(st)}, not ${wanted}`);
  }
}

/**
 * An existing file or folder to read. Returns its absolute path (as given, not resolved, so messages and stored
 * paths keep the name the person used). `what` names the role in messages ("Model file", "Packet source").
 */
export function checkReadablePath(p: string, what: string, kind: PathKind = 'file'): string {
  const full = path.resolve(p);
  let st: Stats;
  try {
    st = statSync(full);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // "No model file at …" is the wording people (and scripts) already know for a missing file.
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new UnsafePathError(what, full, 'no such file or folder', `No ${what.toLowerCase()} at ${full}`);
    throw new UnsafePathError(what, full, code === 'EACCES' ? 'permission denied' : `cannot be read (${code ?? String(err)})`);
  }
  refusePseudo(what, full, realpathSync(full));
  expectKind(what, full, st, kind);
  return full;
}

/**
 * A file the app will create or replace (its missing folders created later by the writer). An existing target
 * must be a regular file; the deepest existing ancestor must be a folder on an ordinary file system.
 */
export function checkWritableFile(p: string, what: string): string {
  return checkWritable(p, what, 'file');
}

/** A folder the app will create or write into. */
export function checkWritableFolder(p: string, what: string): string {
  return checkWritable(p, what, 'folder');
}

function checkWritable(p: string, what: string, kind: 'file' | 'folder'): string {
  const full = path.resolve(p);
  const { real, missing } = existingAncestor(full);
  refusePseudo(what, full, real);
  const st = statSync(real);
  if (missing.length === 0) expectKind(what, full, st, kind);
  else if (!st.isDirectory()) throw new UnsafePathError(what, full, `${real} is ${kindOf(st)}, not a folder`);
  return full;
}
