import { useEffect, useState, type ReactNode } from 'react';
import type { JobInfo, JobKind } from '../../../api/jobs.js';
import { errorMessage } from '../api/clientError.js';
import { useConfirm } from '../components/ConfirmDialog.js';
import { usePersistentState } from '../state/usePersistentState.js';
import { activeStates, jobFraction, useJobs } from './JobsContext.js';

export interface StartedJob {
  /** The last job this form started, live from the job list. */
  job: JobInfo | undefined;
  running: boolean;
  /** Its end state once it has ended, else null. */
  finished: JobInfo['state'] | null;
  /** Done over total, null while the total is unknown. */
  fraction: number | null;
  /** Why the last start was refused. */
  error: string | null;
  /** Starts a job through `begin` (an Api call answering its id) and follows it. */
  start(begin: () => Promise<{ jobId: string }>): Promise<void>;
  cancel(): void;
  /** Forgets the job and the error (the form starts afresh). */
  reset(): void;
  /** The "another job of this kind is running" question; render it where the form is. */
  dialog: ReactNode;
}

export interface StartedJobOptions {
  /**
   * With a kind: a start while a job of that kind is queued or running asks first (the new one would wait
   * behind it), instead of queueing silently. Callers that pass it render `dialog`.
   */
  kind?: JobKind;
  /** Keeps the followed job across navigation and reload (the form's progress line comes back). */
  persistKey?: string;
  /** What the confirmation calls the job ("evaluation", "training run"). */
  noun?: string;
}

const isJobId = (v: unknown): v is string | null => v === null || typeof v === 'string';

/** The one job a form starts: its live state, the start error, cancel; `onFinished` runs once it ends. */
export function useStartedJob(onFinished?: () => void, options: StartedJobOptions = {}): StartedJob {
  const { byId, jobs, track, cancel } = useJobs();
  const [localId, setLocalId] = useState<string | null>(null);
  const [storedId, setStoredId] = usePersistentState<string | null>(`job.${options.persistKey ?? ''}`, null, isJobId);
  const jobId = options.persistKey ? storedId : localId;
  const setJobId = options.persistKey ? setStoredId : setLocalId;
  const confirm = useConfirm();
  const [error, setError] = useState<string | null>(null);
  const job = jobId ? byId.get(jobId) : undefined;
  const finished = job && !activeStates.has(job.state) ? job.state : null;

  useEffect(() => {
    if (finished) onFinished?.();
  }, [finished, onFinished]);

  const go = async (begin: () => Promise<{ jobId: string }>) => {
    setError(null);
    try {
      const { jobId: id } = await begin();
      setJobId(id);
      await track(id);
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  const start = async (begin: () => Promise<{ jobId: string }>) => {
    const busy = options.kind ? jobs.filter((j) => j.kind === options.kind && activeStates.has(j.state)) : [];
    if (busy.length === 0) return go(begin);
    const noun = options.noun ?? 'job';
    confirm.ask({
      title: `Another ${noun} is ${busy.some((j) => j.state === 'running') ? 'running' : 'queued'}`,
      body: `"${busy[0]?.title ?? ''}" has not finished. A new ${noun} waits until ${busy.length === 1 ? 'it ends' : `these ${busy.length} end`}, then runs.`,
      confirmLabel: `Queue another ${noun}`,
      onConfirm: () => go(begin),
    });
  };

  return {
    job,
    running: job !== undefined && activeStates.has(job.state),
    finished,
    fraction: job ? jobFraction(job) : null,
    error,
    start,
    cancel: () => {
      if (jobId) void cancel(jobId);
    },
    reset: () => {
      setJobId(null);
      setError(null);
    },
    dialog: confirm.dialog,
  };
}
