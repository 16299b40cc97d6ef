// Builds the native GRPO + LoRA trainer (native/build/medssr-trainer) from native/trainer: our sources compiled against
// the ggml headers of the llama.cpp source node-llama-cpp pins (its git bundle) and linked to node-llama-cpp's
// prebuilt libggml-base.so. No ggml and no GPU toolkit is compiled: the CPU, CUDA and Vulkan backends are
// node-llama-cpp's own modules, loaded by the trainer at run time (main/training/trainerBackends.ts finds them).
//
//   node native/build.mjs     -> native/build/medssr-trainer
//
// Idempotent: the clone and the CMake configure are reused, so a second call only checks that nothing changed.
// Env: MEDSSR_NATIVE_CPU=1 also builds ggml's CPU backend for this machine's CPU (-march=native) as a loadable
//      module, native/build/backends/libggml-cpu.so, which a local trainer then prefers (see native/README.md).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const nativeDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(nativeDir, '..');
const bundle = path.join(repoRoot, 'node_modules', 'node-llama-cpp', 'llama', 'gitRelease.bundle');
const llamaDir = path.join(nativeDir, 'deps', 'llama.cpp');
const buildDir = path.join(nativeDir, 'build');
const nativeCpu = process.env.MEDSSR_NATIVE_CPU === '1';

/** node-llama-cpp's CPU package for this platform: its libggml-base.so is byte-identical in every package. */
function ggmlBase() {
  const name = `${process.platform === 'win32' ? 'win' : process.platform === 'darwin' ? 'mac' : 'linux'}-${process.arch}`;
  const lib = path.join(repoRoot, 'node_modules', '@node-llama-cpp', name, 'bins', name, 'libggml-base.so');
  if (!existsSync(lib)) throw new Error(`node-llama-cpp's prebuilt ggml not found: ${lib} (run npm install)`);
  return lib;
}

function run(cmd, args, opts = {}) {
  console.log(`[build:native] ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.error) throw new Error(`${cmd} could not be started: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args[0] ?? ''} failed with exit code ${r.status}`);
}

function have(cmd) {
  return spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Identifies the bundle node-llama-cpp ships, so a changed node-llama-cpp version brings fresh sources. */
function bundleStamp() {
  const pkg = JSON.parse(readFileSync(path.join(path.dirname(path.dirname(bundle)), 'package.json'), 'utf8'));
  return `node-llama-cpp@${pkg.version}:${statSync(bundle).size}`;
}

function ensureSources() {
  if (!existsSync(bundle)) throw new Error(`llama.cpp source bundle not found: ${bundle} (run npm install)`);
  const stampFile = path.join(llamaDir, '.medssr-bundle-stamp');
  const stamp = bundleStamp();
  if (existsSync(path.join(llamaDir, 'ggml', 'CMakeLists.txt'))) {
    if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return;
    console.error('llama.cpp sources do not match node-llama-cpp\'s bundle: cloning them again');
    rmSync(buildDir, { recursive: true, force: true });
  }
  const tmp = `${llamaDir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(path.dirname(llamaDir), { recursive: true });
  run('git', ['-c', 'advice.detachedHead=false', 'clone', '--quiet', bundle, tmp]);
  writeFileSync(path.join(tmp, '.medssr-bundle-stamp'), stamp);
  rmSync(llamaDir, { recursive: true, force: true });
  renameSync(tmp, llamaDir);
}

function main() {
  for (const tool of ['git', 'cmake']) {
    if (!have(tool)) throw new Error(`'${tool}' is not installed; it is needed to build the native trainer`);
  }
  ensureSources();
  const args = [
    '-S', path.join(nativeDir, 'trainer'),
    '-B', buildDir,
    '-DCMAKE_BUILD_TYPE=Release',
    `-DMEDSSR_OUTPUT_DIR=${buildDir}`,
    `-DMEDSSR_GGML_BASE=${ggmlBase()}`,
    `-DMEDSSR_NATIVE_CPU=${nativeCpu ? 'ON' : 'OFF'}`,
  ];
  // Configure again when the options changed, or when a configure failed (a CMakeCache.txt but no Makefile);
  // a build dir from the old static-ggml layout is replaced.
  const stampFile = path.join(buildDir, '.medssr-configure');
  const stamp = JSON.stringify(args);
  const configured = existsSync(path.join(buildDir, 'Makefile')) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp;
  if (!configured) {
    // a build dir of the old layout (ggml compiled in) is replaced; otherwise CMake reconfigures it in place, so a
    // failed configure never takes a working trainer with it
    const cache = path.join(buildDir, 'CMakeCache.txt');
    if (existsSync(cache) && !readFileSync(cache, 'utf8').includes('MEDSSR_GGML_BASE')) rmSync(buildDir, { recursive: true, force: true });
    run('cmake', args);
    writeFileSync(stampFile, stamp);
  }
  const jobs = String(Math.max(1, os.availableParallelism?.() ?? os.cpus().length));
  run('cmake', ['--build', buildDir, '--target', 'medssr-trainer', ...(nativeCpu ? ['ggml-cpu'] : []), '-j', jobs]);
  console.log(`[build:native] built ${path.join(buildDir, 'medssr-trainer')}`);
}

try {
  main();
} catch (e) {
  console.error(`[build:native] ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
