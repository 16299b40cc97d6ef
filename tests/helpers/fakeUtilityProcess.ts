/**
 * A stand-in for Electron's utilityProcess.fork, built on child_process.fork, so the app's Electron adapter
 * (main/llm/hostChannel.ts's utilityHost) and the host's parentPort side run in tests. What it keeps of Electron's
 * UtilityProcess (electron.d.ts): postMessage; 'spawn', 'message' (the value itself) and 'exit' (a code only:
 * a process ended by a signal reports the signal's number, as Chromium's termination status does on POSIX);
 * pid undefined before 'spawn' and after 'exit'; kill() sends SIGTERM; stdio defaults to 'inherit'. In the child,
 * utilityParentPort.ts puts Electron's process.parentPort in place of process.send.
 */
import { fork } from 'node:child_process';
import { EventEmitter } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { UtilityFork } from '../../main/llm/hostChannel.js';
import { repoRoot } from './shared.js';

const parentPortShim = pathToFileURL(path.join(repoRoot, 'tests', 'helpers', 'utilityParentPort.ts')).href;

export interface FakeUtilityRecord {
  modulePath: string;
  serviceName: string | undefined;
  env: NodeJS.ProcessEnv | undefined;
  /** Set on 'spawn'. */
  pid?: number;
  /** The code 'exit' reported. */
  exitCode?: number;
}

/** utilityProcess.fork's stand-in; each fork is recorded in `forks`. */
export function fakeUtilityFork(forks: FakeUtilityRecord[] = []): UtilityFork {
  return ((modulePath: string, args: string[], options: Parameters<UtilityFork>[2] = {}) => {
    const record: FakeUtilityRecord = { modulePath, serviceName: options.serviceName, env: options.env };
    forks.push(record);
    const stdio = options.stdio ?? ['inherit', 'inherit', 'inherit'];
    const child = fork(modulePath, args, {
      execArgv: [...(options.execArgv ?? []), '--import', parentPortShim],
      env: options.env ?? process.env,
      stdio: [stdio[0] ?? 'inherit', stdio[1] ?? 'inherit', stdio[2] ?? 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    let pid: number | undefined;
    const utility = Object.assign(new EventEmitter(), {
      get pid() {
        return pid;
      },
      stderr: child.stderr,
      postMessage(message: unknown) {
        if (!child.connected) throw new Error('utility process is not running');
        child.send(message as object);
      },
      kill() {
        return child.kill('SIGTERM');
      },
    });
    child.on('spawn', () => {
      pid = child.pid;
      record.pid = child.pid;
      utility.emit('spawn');
    });
    child.on('message', (m) => utility.emit('message', m));
    child.on('exit', (code, signal) => {
      pid = undefined;
      record.exitCode = signal ? os.constants.signals[signal] : (code ?? 0);
      utility.emit('exit', record.exitCode);
    });
    child.on('error', (err) => utility.emit('error', 'FatalError', err.message, ''));
    return utility;
  }) as unknown as UtilityFork;
}
