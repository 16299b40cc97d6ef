/** Runs the `medssr` CLI from source the way users run it, as a child process. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './shared.js';

/** Node arguments that start the CLI with `args` (for tests that spawn it themselves). */
export function medssrArgv(args: readonly string[]): string[] {
  return ['--import', 'tsx', path.join(repoRoot, 'main', 'cli', 'medssr.ts'), ...args];
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to its exit; `env` adds to this process's environment; stdin gets `stdin`, else ends at once. */
export function runMedssr(args: readonly string[], options: { env?: NodeJS.ProcessEnv; stdin?: string } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, medssrArgv(args), { cwd: repoRoot, env: { ...process.env, ...options.env }, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

/**
 * Starts the CLI and kills it with SIGKILL (no chance to clean up) once `stored()` reaches `atLeast`, or after
 * `timeoutMs`. `stored` may throw while the database is not there yet. Returns the last count and stderr.
 */
export async function killCliOnceStored(
  args: readonly string[],
  stored: () => number,
  options: { atLeast?: number; pollMs?: number; timeoutMs?: number } = {},
): Promise<{ seen: number; stderr: string }> {
  const child = spawn(process.execPath, medssrArgv(args), { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let gone = false;
  const exited = new Promise<void>((resolve) => child.on('exit', () => ((gone = true), resolve())));
  const atLeast = options.atLeast ?? 2;
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  let seen = 0;
  // A CLI that fails (or finishes) on its own ends the wait: there is nothing left to kill.
  while (Date.now() < deadline && !gone) {
    await new Promise((r) => setTimeout(r, options.pollMs ?? 50));
    try {
      seen = stored();
    } catch {
      seen = 0;
    }
    if (seen >= atLeast) break;
  }
  child.kill('SIGKILL');
  await exited;
  return { seen, stderr };
}
