/**
 * Starts a worker thread from a module next to the caller, from source (tsx: tests, `npm run bench`) and
 * from the compiled dist/ alike. Under tsx the worker must register tsx itself: Node 20 does not apply the
 * parent's `--import tsx` hooks before a worker's entry module loads.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

export function spawnWorker(callerUrl: string, moduleBaseName: string, options: WorkerOptions = {}): Worker {
  const fromSource = callerUrl.endsWith('.ts');
  const url = new URL(`./${moduleBaseName}${fromSource ? '.ts' : '.js'}`, callerUrl);
  if (!fromSource) return new Worker(url, options);
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(boot, { ...options, eval: true, execArgv: [] });
}
