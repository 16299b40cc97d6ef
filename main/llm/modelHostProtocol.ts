/** Messages between the app and its model host process (modelHost.ts ↔ modelHostProcess.ts), over Node's IPC channel. */
import type { GpuSetting } from './llama.js';
import type { ContextOptions } from './generation.js';
import type { SchedulerStats } from './scheduler.js';

export type HostMethod = 'sample' | 'chooseLetter' | 'continuationLogProbs' | 'generateJson' | 'biasedGreedy' | 'encode';

export type ToHost =
  | { op: 'open'; id: number; modelPath: string; gpu: GpuSetting | undefined; context: ContextOptions }
  | { op: 'call'; id: number; method: HostMethod; args: unknown[]; abortable: boolean }
  | { op: 'abort'; id: number }
  | { op: 'close'; id: number };

export interface OpenedInfo {
  mode: 'chat' | 'base';
  threads: number;
  parallel: number;
}

export type FromHost =
  | { op: 'result'; id: number; ok: true; value: unknown; stats: SchedulerStats | null }
  | { op: 'result'; id: number; ok: false; message: string; stats: SchedulerStats | null }
  /** Something failed outside any request (an unhandled rejection inside the runtime): the host exits after it. */
  | { op: 'fatal'; message: string };
