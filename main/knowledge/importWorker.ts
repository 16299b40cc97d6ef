/** Worker-thread entry: runs a whole import (parse and write) off the thread that answers the UI. */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../platform/db/open.js';
import { importOrphanet } from './importer.js';
import { ImportCancelled, ImportError } from './errors.js';
import type { ImportWorkerData, ImportWorkerMessage } from './importWorkerProtocol.js';

const data = workerData as ImportWorkerData;
const cancelled = new Int32Array(data.cancelFlag);
const post = (m: ImportWorkerMessage) => parentPort?.postMessage(m);

const db = openDatabase(data.dbPath);
try {
  const report = await importOrphanet(db, data.source, {
    skipInvalid: data.skipInvalid,
    allowRemovals: data.allowRemovals,
    demo: data.demo,
    isCancelled: () => Atomics.load(cancelled, 0) === 1,
    onProgress: (progress) => post({ type: 'progress', progress }),
  });
  post({ type: 'done', report });
} catch (err) {
  post({
    type: 'error',
    name: err instanceof ImportCancelled ? 'ImportCancelled' : err instanceof ImportError ? 'ImportError' : 'Error',
    message: err instanceof Error ? err.message : String(err),
    problems: err instanceof ImportError ? err.problems : [],
  });
} finally {
  db.close();
}
