/**
 * What a reviewer (an account without the admin role) is shown over the network, beyond the methods their role
 * may call: nothing that names the server's folders. The data folder is left out of app.info; a job keeps its
 * kind, title, state and progress but not its parameters or result (file paths, model paths, output folders);
 * a model is named by its file name only. Admins see everything, as on the desktop.
 */
import path from 'node:path';
import type { ApiEvent, AppInfo } from '../../../api/contract.js';
import type { JobInfo } from '../../../api/jobs.js';
import type { ReviewerRole } from '../../../api/review.js';
import type { ModelInfo } from '../../../api/synthesis.js';

function job(j: JobInfo): JobInfo {
  return { ...j, params: null, result: null };
}

/** The result of `method` as a caller with `role` may see it. */
export function resultFor(role: ReviewerRole, method: string, result: unknown): unknown {
  if (role === 'admin') return result;
  switch (method) {
    case 'app.info':
      return { ...(result as AppInfo), dataDir: '' };
    case 'jobs.list':
      return (result as JobInfo[]).map(job);
    case 'jobs.get':
      return result === null ? null : job(result as JobInfo);
    case 'models.list':
      return (result as ModelInfo[]).map((m) => ({ ...m, path: path.basename(m.path) }));
    default:
      return result;
  }
}

export function eventFor(role: ReviewerRole | null, event: ApiEvent): ApiEvent {
  if (role === null || role === 'admin' || event.type !== 'job') return event;
  return { ...event, job: job(event.job) };
}
