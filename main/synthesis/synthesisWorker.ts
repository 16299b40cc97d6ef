/** Worker-thread entry: template synthesis is pure CPU, so it runs here, off the thread that answers the UI. */
import { parentPort, workerData } from 'node:worker_threads';
import type { SynthesizeInput } from '../../api/synthesis.js';
import { openDatabase } from '../platform/db/open.js';
import { KnowledgeService } from '../knowledge/index.js';
import { buildDataset, SynthesisCancelled, type SynthesisJobResult } from './buildDataset.js';

export interface SynthesisWorkerData {
  dbPath: string;
  jobId: string;
  params: SynthesizeInput;
  cancelFlag: SharedArrayBuffer;
}

export type SynthesisWorkerMessage =
  | { type: 'progress'; done: number; total: number; message: string; unit: 'steps' | 'questions' }
  | { type: 'done'; result: SynthesisJobResult }
  | { type: 'error'; cancelled: boolean; message: string };

const data = workerData as SynthesisWorkerData;
const cancelled = new Int32Array(data.cancelFlag);
const post = (m: SynthesisWorkerMessage) => parentPort?.postMessage(m);

const db = openDatabase(data.dbPath);
try {
  const result = await buildDataset(db, new KnowledgeService(db), data.params, {
    jobId: data.jobId,
    isCancelled: () => Atomics.load(cancelled, 0) === 1,
    progress: (done, total, message, unit) => post({ type: 'progress', done, total, message, unit }),
  });
  post({ type: 'done', result });
} catch (err) {
  post({ type: 'error', cancelled: err instanceof SynthesisCancelled, message: err instanceof Error ? err.message : String(err) });
} finally {
  db.close();
}
