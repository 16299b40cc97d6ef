import os from 'node:os';
import { BUSY_TIMEOUT_MS, type Db } from '../db/open.js';
import type { JobInfo, JobKind, JobProgress, JobState } from '../../../api/jobs.js';

interface JobRow {
  id: string;
  kind: string;
  title: string;
  state: string;
  params: string;
  progress: string;
  checkpoint: string | null;
  result: string | null;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

function parseJson(text: string | null): unknown {
  return text === null ? null : (JSON.parse(text) as unknown);
}

function toInfo(row: JobRow): JobInfo {
  return {
    id: row.id,
    kind: row.kind as JobKind,
    title: row.title,
    state: row.state as JobState,
    progress: JSON.parse(row.progress) as JobProgress,
    params: parseJson(row.params),
    result: parseJson(row.result),
    error: row.error,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

export function currentOwner(): string {
  return `${os.hostname()}:${process.pid}`;
}

function ownerAlive(owner: string | null): boolean {
  if (!owner) return false;
  const i = owner.lastIndexOf(':');
  const host = owner.slice(0, i);
  const pid = Number(owner.slice(i + 1));
  if (host !== os.hostname() || !Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export type JobPatch = Partial<Pick<JobInfo, 'state' | 'progress' | 'result' | 'error' | 'startedAt' | 'finishedAt'>>;

export class JobsRepo {
  private readonly insertStmt;
  private readonly getStmt;
  private readonly listStmt;
  private readonly checkpointGet;
  private readonly checkpointSet;

  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare(
      `INSERT INTO jobs (id, kind, title, state, params, progress, created_at, owner)
       VALUES (@id, @kind, @title, @state, @params, @progress, @createdAt, @owner)`,
    );
    this.getStmt = db.prepare('SELECT * FROM jobs WHERE id = ?');
    this.listStmt = db.prepare('SELECT * FROM jobs ORDER BY created_at DESC, rowid DESC LIMIT ?');
    this.checkpointGet = db.prepare('SELECT checkpoint FROM jobs WHERE id = ?');
    this.checkpointSet = db.prepare('UPDATE jobs SET checkpoint = ? WHERE id = ?');
  }

  insert(job: Pick<JobInfo, 'id' | 'kind' | 'title' | 'state' | 'params' | 'progress' | 'createdAt'>): void {
    this.insertStmt.run({
      id: job.id,
      kind: job.kind,
      title: job.title,
      state: job.state,
      params: JSON.stringify(job.params ?? null),
      progress: JSON.stringify(job.progress),
      createdAt: job.createdAt,
      owner: currentOwner(),
    });
  }

  get(id: string): JobInfo | null {
    const row = this.getStmt.get(id) as JobRow | undefined;
    return row ? toInfo(row) : null;
  }

  list(limit = 500): JobInfo[] {
    return (this.listStmt.all(limit) as JobRow[]).map(toInfo);
  }

  update(id: string, patch: JobPatch): void {
    const sets: string[] = [];
    const values: (string | null)[] = [];
    const add = (column: string, value: string | null) => {
      sets.push(`${column} = ?`);
      values.push(value);
    };
    if (patch.state !== undefined) add('state', patch.state);
    if (patch.progress !== undefined) add('progress', JSON.stringify(patch.progress));
    if (patch.result !== undefined) add('result', JSON.stringify(patch.result ?? null));
    if (patch.error !== undefined) add('error', patch.error);
    if (patch.startedAt !== undefined) add('started_at', patch.startedAt);
    if (patch.finishedAt !== undefined) add('finished_at', patch.finishedAt);
    if (sets.length === 0) return;
    this.db.prepare(`UPDATE jobs SET ${sets.join(', ')} WHERE id = ?`).run(...values, id);
  }

  /**
   * Stores progress unless another connection holds the write lock right now (an import writing in its
   * worker); returns false then. Progress is also streamed from memory, so a skipped write loses nothing
   * but a few seconds of what a restart would show, and the thread answering the UI never waits for it.
   */
  tryUpdateProgress(id: string, progress: JobProgress): boolean {
    this.db.pragma('busy_timeout = 0');
    try {
      this.update(id, { progress });
      return true;
    } catch (err) {
      if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY')) return false;
      throw err;
    } finally {
      this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    }
  }

  getCheckpoint(id: string): unknown {
    const row = this.checkpointGet.get(id) as { checkpoint: string | null } | undefined;
    return row ? parseJson(row.checkpoint) : null;
  }

  setCheckpoint(id: string, state: unknown): void {
    this.checkpointSet.run(JSON.stringify(state ?? null), id);
  }

  /** Records that this process runs (or queued) the job. */
  claim(id: string): void {
    this.db.prepare('UPDATE jobs SET owner = ? WHERE id = ?').run(currentOwner(), id);
  }

  /**
   * Jobs a process that no longer exists left running or waiting: nothing will finish them. Jobs of a
   * live process on this machine (the app while the CLI runs beside it) are left alone. Returns the ids.
   */
  markInterrupted(): string[] {
    const rows = this.db.prepare(`SELECT id, owner FROM jobs WHERE state IN ('running', 'queued')`).all() as { id: string; owner: string | null }[];
    const dead = rows.filter((r) => !ownerAlive(r.owner)).map((r) => r.id);
    const mark = this.db.prepare(
      `UPDATE jobs SET state = 'interrupted', finished_at = ?,
         error = COALESCE(error, 'The app stopped while this job was running')
       WHERE id = ? AND state IN ('running', 'queued')`,
    );
    const now = new Date().toISOString();
    this.db.transaction(() => {
      for (const id of dead) mark.run(now, id);
    })();
    return dead;
  }
}
