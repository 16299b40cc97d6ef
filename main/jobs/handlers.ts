import type { ApiHandlers } from '../../api/contract.js';
import { ApiError } from '../../api/contract.js';
import type { JobRunner } from '../platform/jobs/runner.js';

export type JobsMethod = 'jobs.list' | 'jobs.get' | 'jobs.cancel' | 'jobs.resume';

export function jobsHandlers(runner: JobRunner): Pick<ApiHandlers, JobsMethod> {
  return {
    'jobs.list': () => runner.list(),
    'jobs.get': ({ id }) => runner.get(id),
    'jobs.cancel': ({ id }) => runner.cancel(id),
    'jobs.resume': ({ id }) => {
      const job = runner.get(id);
      if (!job) throw new ApiError('not-found', `No job with id ${id}`);
      return runner.resume(id);
    },
  };
}
