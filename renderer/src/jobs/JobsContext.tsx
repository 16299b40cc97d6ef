import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { JobInfo } from '../../../api/jobs.js';
import { useApi, useApiEvents } from '../api/ApiContext.js';

export const activeStates: ReadonlySet<JobInfo['state']> = new Set(['queued', 'running']);

interface JobsValue {
  jobs: JobInfo[];
  byId: ReadonlyMap<string, JobInfo>;
  cancel(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  /** Lets a caller register a job it has just started before its first event arrives. */
  track(id: string): Promise<void>;
}

const JobsContext = createContext<JobsValue | null>(null);

/** One live view of all jobs: loaded once, then kept current by job events (polled as a safety net while active). */
export function JobsProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const [byId, setById] = useState<ReadonlyMap<string, JobInfo>>(new Map());

  const upsert = useCallback((job: JobInfo) => {
    setById((prev) => {
      const next = new Map(prev);
      next.set(job.id, job);
      return next;
    });
  }, []);

  const refresh = useCallback(async () => {
    try {
      const list = await api.call('jobs.list', {});
      setById(new Map(list.map((j) => [j.id, j])));
    } catch {
      // The indicator keeps the last known state; the next event or poll corrects it.
    }
  }, [api]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  useApiEvents((event) => {
    if (event.type === 'job') upsert(event.job);
  });

  const anyActive = [...byId.values()].some((j) => activeStates.has(j.state));
  useEffect(() => {
    if (!anyActive) return;
    const timer = setInterval(() => void refresh(), 4000);
    return () => clearInterval(timer);
  }, [anyActive, refresh]);

  const value = useMemo<JobsValue>(() => {
    const jobs = [...byId.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    return {
      jobs,
      byId,
      async cancel(id) {
        upsert(await api.call('jobs.cancel', { id }));
      },
      async resume(id) {
        upsert(await api.call('jobs.resume', { id }));
      },
      async track(id) {
        const job = await api.call('jobs.get', { id });
        if (job) setById((prev) => (prev.has(id) ? prev : new Map(prev).set(id, job)));
      },
    };
  }, [api, byId, upsert]);

  return <JobsContext.Provider value={value}>{children}</JobsContext.Provider>;
}

export function useJobs(): JobsValue {
  const value = useContext(JobsContext);
  if (!value) throw new Error('useJobs outside JobsProvider');
  return value;
}

export function jobFraction(job: JobInfo): number | null {
  // A completed job is done, whatever its last progress report said (a synthesis of 5 questions reported its
  // last step at 3/5 and its bar stopped at 60% beside "Done").
  if (job.state === 'completed') return 1;
  const { done, total } = job.progress;
  if (total === null || total <= 0) return null;
  return Math.max(0, Math.min(1, done / total));
}
