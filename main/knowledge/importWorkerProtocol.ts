import type { ImportReport } from '../../api/knowledge.js';
import type { ImportProgress } from './importer.js';

export interface ImportWorkerData {
  dbPath: string;
  source: string;
  skipInvalid: boolean;
  allowRemovals: boolean;
  demo: boolean;
  /** SharedArrayBuffer(4): set to 1 to cancel; the worker checks it between packets. */
  cancelFlag: SharedArrayBuffer;
}

export type ImportWorkerMessage =
  | { type: 'progress'; progress: ImportProgress }
  | { type: 'done'; report: ImportReport }
  | { type: 'error'; name: 'ImportCancelled' | 'ImportError' | 'Error'; message: string; problems: { file: string; reason: string }[] };
