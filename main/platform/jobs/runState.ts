/**
 * The real state of a domain's run row ("evaluation run", "labelling run"). Such rows are stored as running and
 * marked finished by their job's last step; a job that fails, is cancelled or interrupted never comes back to
 * update them, so for any row not marked finished the job's own state is the truth.
 */
import type { JobState } from '../../../api/jobs.js';
import type { JobsRepo } from './store.js';

export type UnfinishedRunState = Exclude<JobState, 'completed'> | 'incomplete';

/** For a row not marked finished: its job's state and error, or 'incomplete' when the job is gone or says completed. */
export function unfinishedRunState(jobs: JobsRepo, jobId: string | null): { state: UnfinishedRunState; error: string | null } {
  const job = jobId ? jobs.get(jobId) : null;
  if (!job || job.state === 'completed') return { state: 'incomplete', error: null };
  return { state: job.state, error: job.state === 'failed' ? (job.error ?? 'no reason recorded') : null };
}
