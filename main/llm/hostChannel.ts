/**
 * How the app starts its model host process and talks to it, behind one small interface: in browser mode, the CLI
 * and tests a Node child (child_process.fork); inside Electron a utility process (utilityProcess.fork), which
 * needs no ELECTRON_RUN_AS_NODE, so the installed app can ship with the runAsNode fuse off. modelHost.ts drives
 * either the same way; modelHostProcess.ts, on the other side, reads its parent through parentChannel().
 *
 * Which one is a launcher set once per process (useHostLauncher): Electron's main process sets the utility
 * process one after 'ready'; everything else keeps the fork default. Electron itself cannot run in this project's
 * tests (no display), so its adapter (utilityHost) is driven there by a stand-in for utilityProcess.fork built
 * on child_process.fork with Electron's semantics (tests/helpers/fakeUtilityProcess.ts), jobs included.
 */
import { fork } from 'node:child_process';
import type { FromHost, ToHost } from './modelHostProtocol.js';

/** The app's end of a model host process. */
export interface HostChannel {
  /** Undefined until the process has started, and after it has exited. */
  readonly pid: number | undefined;
  /** True once the process has exited (or could not start). */
  readonly exited: boolean;
  /** Sends a message; `onFailed` hears when it could not be delivered (the process is gone). */
  send(msg: ToHost, onFailed: (err: Error) => void): void;
  onMessage(listener: (msg: FromHost) => void): void;
  /** What the process writes to stderr (llama.cpp prints its assertion there before aborting). */
  onStderr(listener: (chunk: string) => void): void;
  /** Once, when the process has ended: its exit code, or the signal that ended it where the platform says. */
  onExit(listener: (code: number | null, signal: NodeJS.Signals | null) => void): void;
  /** The process could not be started (or failed outside any message). */
  onError(listener: (err: Error) => void): void;
  /** Ends the process at once (SIGKILL where there are signals). */
  kill(): void;
  /**
   * True when a process ended by a signal is reported as an exit code holding the signal's number (Electron's
   * utility process: Chromium's termination status), so the message can name the likely signal.
   */
  readonly signalsAsCodes?: boolean;
}

export interface HostLaunch {
  /** The host's entry file (modelHostProcess.js, or .ts under tsx). */
  file: string;
  /** Node flags for the child (tsx's loader under tests). */
  execArgv: string[];
  env: NodeJS.ProcessEnv;
}

/** A plain Node child over Node's IPC channel (structured clone, as the utility process uses). */
export function forkHost(launch: HostLaunch): HostChannel {
  const child = fork(launch.file, [], { execArgv: launch.execArgv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'], env: launch.env, serialization: 'advanced' });
  child.stderr?.setEncoding('utf8');
  return {
    get pid() {
      return child.exitCode === null && child.signalCode === null ? child.pid : undefined;
    },
    get exited() {
      return child.exitCode !== null || child.signalCode !== null;
    },
    send(msg, onFailed) {
      if (!child.connected) {
        onFailed(new Error('the channel to the model process is closed'));
        return;
      }
      child.send(msg, (err) => {
        if (err) onFailed(err);
      });
    },
    onMessage: (listener) => void child.on('message', (m) => listener(m as FromHost)),
    onStderr: (listener) => void child.stderr?.on('data', listener),
    onExit: (listener) => void child.once('exit', listener),
    onError: (listener) => void child.on('error', listener),
    kill: () => void child.kill('SIGKILL'),
  };
}

/** The part of Electron's UtilityProcess this file uses (typed here, so nothing outside Electron loads 'electron'). */
interface UtilityChild {
  pid: number | undefined;
  stderr: NodeJS.ReadableStream | null;
  postMessage(message: unknown): void;
  kill(): boolean;
  on(event: 'message', listener: (message: unknown) => void): this;
  on(event: 'exit', listener: (code: number) => void): this;
  on(event: 'error', listener: (type: string, location: string, report: string) => void): this;
  once(event: 'exit', listener: (code: number) => void): this;
}
export type UtilityFork = (modulePath: string, args: string[], options: { execArgv?: string[]; env?: NodeJS.ProcessEnv; stdio?: ('pipe' | 'ignore' | 'inherit')[]; serviceName?: string }) => UtilityChild;

/** An Electron utility process (after app 'ready'); `utilityFork` is electron's utilityProcess.fork. */
export function utilityHost(launch: HostLaunch, utilityFork: UtilityFork): HostChannel {
  const child = utilityFork(launch.file, [], { execArgv: launch.execArgv, env: launch.env, stdio: ['ignore', 'ignore', 'pipe'], serviceName: 'MedSSR model host' });
  child.stderr?.setEncoding('utf8');
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  return {
    get pid() {
      return child.pid;
    },
    get exited() {
      return exited;
    },
    send(msg, onFailed) {
      if (exited) {
        onFailed(new Error('the model process has exited'));
        return;
      }
      try {
        child.postMessage(msg);
      } catch (err) {
        onFailed(err instanceof Error ? err : new Error(String(err)));
      }
    },
    onMessage: (listener) => void child.on('message', (m) => listener(m as FromHost)),
    onStderr: (listener) => void child.stderr?.on('data', (c: string | Buffer) => listener(String(c))),
    // A utility process reports an exit code only; a native abort shows as a non-zero code.
    onExit: (listener) => void child.once('exit', (code) => listener(code, null)),
    onError: (listener) => void child.on('error', (type, location) => listener(new Error(`${type} at ${location}`))),
    kill: () => void child.kill(),
    signalsAsCodes: true,
  };
}

/** Starts one model host process for `launch`. */
export type HostLauncher = (launch: HostLaunch) => HostChannel;

let launcher: HostLauncher = forkHost;

/**
 * Sets how this process starts model hosts: Electron's main process passes the utility-process adapter once
 * the app is ready; tests pass a stand-in. Returns a function that puts the previous launcher back.
 */
export function useHostLauncher(next: HostLauncher): () => void {
  const previous = launcher;
  launcher = next;
  return () => {
    launcher = previous;
  };
}

/** Electron's utility processes as the launcher; `utilityFork` is electron's utilityProcess.fork (bound). */
export function utilityHostLauncher(utilityFork: UtilityFork): HostLauncher {
  return (launch) => utilityHost(launch, utilityFork);
}

/**
 * Starts a model host with the launcher in use: a Node child by default (browser mode, the CLI, tests; also
 * Electron run as plain Node), a utility process once Electron's main process has set it (useHostLauncher).
 */
export async function launchHost(launch: HostLaunch): Promise<HostChannel> {
  return launcher(launch);
}

/** The host's end: its parent, over Node's IPC channel or Electron's parentPort. */
export interface ParentChannel {
  send(msg: FromHost): void;
  onMessage(listener: (msg: ToHost) => void): void;
  /** The parent went away (Node: the channel closed; a utility process is ended by Electron with its parent). */
  onDisconnect(listener: () => void): void;
  /** Closes the channel after the last message (so the process can exit). */
  close(): void;
}

interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): unknown;
}

export function parentChannel(): ParentChannel {
  const port = (process as { parentPort?: ParentPort }).parentPort;
  if (port) {
    return {
      send: (msg) => port.postMessage(msg),
      onMessage: (listener) => void port.on('message', (e) => listener(e.data as ToHost)),
      onDisconnect: () => undefined,
      // Nothing closes a parentPort; a moment lets the last message leave before the process ends.
      close: () => void setTimeout(() => process.exit(0), 100),
    };
  }
  // Node crashes the child ("Cannot set properties of null (setting kPendingMessages)") when it disconnects in
  // the tick of a send with advanced serialization: close waits until the last message has left.
  let sent: Promise<void> = Promise.resolve();
  return {
    send: (msg) => {
      sent = new Promise((resolve) => {
        if (!process.send?.(msg, undefined, {}, () => resolve())) resolve();
      });
    },
    onMessage: (listener) => void process.on('message', (m) => listener(m as ToHost)),
    onDisconnect: (listener) => void process.on('disconnect', listener),
    close: () =>
      void sent.then(() => {
        if (process.connected) process.disconnect();
      }),
  };
}
