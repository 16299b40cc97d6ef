/**
 * Where the trainer's compute backends are: node-llama-cpp's own prebuilt ggml modules (libggml-cpu-<variant>.so,
 * libggml-cuda.so incl. the CUDA 12 build of the -cuda-ext package, libggml-vulkan.so) in the installed
 * @node-llama-cpp/* packages, found the way node-llama-cpp's getBinsDir() finds them (the package's bins/ folder,
 * its version equal to node-llama-cpp's), with `.asar` mapped to `.asar.unpacked` in an installed app. The trainer
 * loads them at run time (init.backendDirs), so one trainer binary trains on the CPU, CUDA or Vulkan.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BackendDirs {
  /** Folders with libggml-cpu*.so, best first (the trainer takes the best-scoring variant of the first usable one). */
  cpu: string[];
  /** Folders with libggml-cuda.so in node-llama-cpp's order: the CUDA 13 build, then the CUDA 12 fallback. */
  cuda: string[];
  vulkan: string[];
  /** The folder of the libggml-base.so the trainer links (byte-identical in every package). */
  ggmlBase?: string;
}

const here = path.dirname(fileURLToPath(import.meta.url));

/** Files inside an asar archive cannot be dlopen()ed; electron-builder puts them in app.asar.unpacked. */
export function unpackedPath(p: string): string {
  return p.replace(/\.asar([\\/])/g, '.asar.unpacked$1');
}

function platformName(): string {
  const os = process.platform === 'win32' ? 'win' : process.platform === 'darwin' ? 'mac' : process.platform;
  return `${os}-${process.arch}`;
}

/** node_modules folders from this file upwards (source, dist and app.asar layouts). */
function nodeModulesDirs(start: string): string[] {
  const out: string[] = [];
  let dir = start;
  for (;;) {
    const nm = path.join(dir, 'node_modules');
    if (existsSync(unpackedPath(nm)) || existsSync(nm)) out.push(nm);
    const up = path.dirname(dir);
    if (up === dir) return out;
    dir = up;
  }
}

/** A package's version; its package.json may sit inside app.asar or, when unpacked, beside it. */
function readVersion(pkgDir: string): string | undefined {
  for (const p of [path.join(pkgDir, 'package.json'), unpackedPath(path.join(pkgDir, 'package.json'))]) {
    try {
      return (JSON.parse(readFileSync(p, 'utf8')) as { version?: string }).version;
    } catch {
      // try the next place
    }
  }
  return undefined;
}

/** bins/<build> folders of one @node-llama-cpp package holding a file named like `lib` (its version must match). */
function binsDirs(roots: string[], pkg: string, lib: RegExp, version: string | undefined): string[] {
  for (const nm of roots) {
    const pkgDir = path.join(nm, '@node-llama-cpp', pkg);
    const pkgVersion = readVersion(pkgDir);
    if (pkgVersion === undefined) continue;
    // node-llama-cpp ignores a binaries package of another version; so do we
    if (version && pkgVersion !== version) return [];
    const bins = unpackedPath(path.join(pkgDir, 'bins'));
    const found: string[] = [];
    const walk = (dir: string, depth: number): void => {
      let entries: string[];
      try {
        entries = readdirSync(dir);
      } catch {
        return;
      }
      if (entries.some((e) => lib.test(e))) found.push(dir);
      if (depth > 0) for (const e of entries.sort()) if (!e.includes('.')) walk(path.join(dir, e), depth - 1);
    };
    walk(bins, 2);
    return found;
  }
  return [];
}

/** A CPU backend built for this machine by `MEDSSR_NATIVE_CPU=1 npm run build:native` (native/build/backends). */
function localCpuBackend(trainerBinary: string | undefined, inCheckout: boolean): string | undefined {
  if (process.env.MEDSSR_TRAINER_CPU === 'prebuilt') return undefined;
  const candidates = [
    ...(trainerBinary ? [path.join(path.dirname(trainerBinary), 'backends')] : []),
    ...(inCheckout ? [path.resolve(here, '..', '..', 'native', 'build', 'backends'), path.resolve(here, '..', '..', '..', 'native', 'build', 'backends')] : []),
  ];
  return candidates.find((d) => existsSync(path.join(d, 'libggml-cpu.so')));
}

export function findBackendDirs(opts: { trainerBinary?: string; from?: string } = {}): BackendDirs {
  const roots = nodeModulesDirs(opts.from ?? here);
  const version = roots.map((nm) => readVersion(path.join(nm, 'node-llama-cpp'))).find((v) => v !== undefined);
  const name = platformName();
  const cpuDirs = binsDirs(roots, name, /^libggml-cpu.*\.so$|^ggml-cpu.*\.dll$/, version);
  const cuda = [
    ...binsDirs(roots, `${name}-cuda`, /^libggml-cuda\.so$|^ggml-cuda\.dll$/, version),
    ...binsDirs(roots, `${name}-cuda-ext`, /^libggml-cuda\.so$|^ggml-cuda\.dll$/, version),
  ];
  const vulkan = binsDirs(roots, `${name}-vulkan`, /^libggml-vulkan\.so$|^ggml-vulkan\.dll$/, version);
  const local = localCpuBackend(opts.trainerBinary, opts.from === undefined);
  const base = [...cpuDirs, ...vulkan, ...cuda].find((d) => existsSync(path.join(d, 'libggml-base.so')));
  return { cpu: [...(local ? [local] : []), ...cpuDirs], cuda, vulkan, ...(base ? { ggmlBase: base } : {}) };
}

/** The environment the trainer process needs: libggml-base.so on the loader path (an installed app's own copy). */
export function trainerEnv(dirs: BackendDirs, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  if (!dirs.ggmlBase) return env;
  const key = process.platform === 'darwin' ? 'DYLD_LIBRARY_PATH' : 'LD_LIBRARY_PATH';
  return { ...env, [key]: [dirs.ggmlBase, env[key]].filter(Boolean).join(path.delimiter) };
}
