/**
 * What a reviewer (an account without the admin role) is shown over the network, beyond the methods their role
 * may call: nothing that names the server's folders. The data folder is left out of app.info; a job keeps its
 * kind, title, state and progress but not its parameters or result (file paths, model paths, output folders),
 * and the paths in its title, progress message and error are cut down (pathRedactor); so are the paths in a
 * refused call's message; a model is named by its file name only. Admins see everything, as on the desktop.
 */
import { realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ApiErrorBody, ApiEvent, AppInfo } from '../../../api/contract.js';
import type { JobInfo } from '../../../api/jobs.js';
import type { ReviewerRole } from '../../../api/review.js';
import type { ModelInfo } from '../../../api/synthesis.js';

export type Redactor = (text: string) => string;

// A path starts after a boundary (start, space, quote, bracket, '=' or ','); its parts hold none of those.
const posixPath = /(^|[\s'"([=,])((?:\/[^\s/'"()[\]:,]+)+\/)([^\s/'"()[\]:,]+)/g;
const windowsPath = /(^|[\s'"([=,])([A-Za-z]:\\(?:[^\s\\'"()[\]:,]+\\)+)([^\s\\'"()[\]:,]+)/g;

/**
 * Cuts the server's paths out of a message: the data folder becomes "<data folder>", the home folder "~", and
 * any other absolute path keeps only its last part ("…/x.gguf"), so a reviewer still learns which file failed
 * but not where the server keeps it.
 */
export function pathRedactor(dataDirs: readonly string[] = []): Redactor {
  const named = new Map<string, string>();
  const add = (p: string, label: string): void => {
    if (!p || path.parse(p).root === p) return;
    named.set(p, label);
    try {
      named.set(realpathSync(p), label);
    } catch {
      // A folder that is gone has no other spelling.
    }
  };
  add(os.homedir(), '~');
  for (const d of dataDirs) add(path.resolve(d), '<data folder>');
  // Longest first: a data folder under the home folder is named as the data folder.
  const order = [...named].sort((a, b) => b[0].length - a[0].length);
  return (text) => {
    let out = text;
    for (const [p, label] of order) out = out.split(p).join(label);
    return out.replace(posixPath, (_m, pre: string, _dir, base: string) => `${pre}…/${base}`).replace(windowsPath, (_m, pre: string, _dir, base: string) => `${pre}…\\${base}`);
  };
}

const defaultRedactor = pathRedactor();

function job(j: JobInfo, hide: Redactor): JobInfo {
  return {
    ...j,
    title: hide(j.title),
    progress: { ...j.progress, message: hide(j.progress.message) },
    error: j.error === null ? null : hide(j.error),
    params: null,
    result: null,
  };
}

/** The result of `method` as a caller with `role` may see it. */
export function resultFor(role: ReviewerRole, method: string, result: unknown, hide: Redactor = defaultRedactor): unknown {
  if (role === 'admin') return result;
  switch (method) {
    case 'app.info':
      return { ...(result as AppInfo), dataDir: '' };
    case 'jobs.list':
      return (result as JobInfo[]).map((j) => job(j, hide));
    case 'jobs.get':
    case 'jobs.cancel':
    case 'jobs.resume':
      return result === null || typeof result !== 'object' || !('kind' in result) ? result : job(result as JobInfo, hide);
    case 'models.list':
      return (result as ModelInfo[]).map((m) => ({ ...m, path: path.basename(m.path) }));
    default:
      return result;
  }
}

/** A refused call's error as a caller with `role` may see it: without the server's paths unless an admin. */
export function errorFor(role: ReviewerRole, error: ApiErrorBody, hide: Redactor = defaultRedactor): ApiErrorBody {
  return role === 'admin' ? error : { ...error, message: hide(error.message) };
}

export function eventFor(role: ReviewerRole | null, event: ApiEvent, hide: Redactor = defaultRedactor): ApiEvent {
  if (role === null || role === 'admin' || event.type !== 'job') return event;
  return { ...event, job: job(event.job, hide) };
}
