/** Browser mode as a separate process for fault tests: `npm run serve` from source, and one Api call over HTTP. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './shared.js';

export interface Served {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
}

/**
 * `npm run serve` from source over `dataDir` (loopback, no demo); resolves once it listens. `prefix` runs it under
 * another command (e.g. `unshare -m sh -c '<mount> && exec "$@"' …` for a private mount).
 */
export function serve(dataDir: string, prefix: string[] = []): Promise<Served> {
  const node = [process.execPath, '--import', 'tsx', path.join(repoRoot, 'main', 'server', 'serve.ts'), '--data-dir', dataDir, '--port', '0', '--no-demo'];
  const [cmd, ...argv] = [...prefix, ...node];
  const child = spawn(cmd as string, argv, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  return new Promise((resolve, reject) => {
    child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const url = /running in browser mode at (\S+)/.exec(out)?.[1];
      if (url && /Data folder: .*\n/.test(out)) resolve({ child, url, stdout: () => out, stderr: () => err });
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => reject(new Error(`serve exited (${code ?? signal}) before listening: ${err}`)));
  });
}

export interface CallAnswer {
  status: number;
  body: { ok: boolean; result?: unknown; error?: { code: string; message: string } };
}

export async function call(url: string, method: string, input: unknown): Promise<CallAnswer> {
  const res = await fetch(`${url}api/${method}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(input) });
  return { status: res.status, body: (await res.json()) as CallAnswer['body'] };
}
