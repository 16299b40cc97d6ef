/** Shared plumbing for CLI commands: opening the app over the right database and running jobs to the end. */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { z } from 'zod';
import { ApiError, errorMessage } from '../../api/contract.js';
import { isJobOfKind, type JobInfo, type JobKind, type JobResults } from '../../api/jobs.js';
import { createApp, type AppRuntime } from '../app/index.js';
import { databasePath, defaultDataDir, isDiskFullFailure, opensReadOnly } from '../platform/dataDir.js';

export interface DbOption {
  db?: string;
}

/** --db PATH names the database file (a folder means <folder>/medssr.db); MEDSSR_DATA_DIR otherwise. */
export function resolveDbPath(option: string | undefined): { dataDir: string; dbPath: string } {
  if (option) {
    const full = path.resolve(option);
    const isDir = (existsSync(full) && statSync(full).isDirectory()) || /[\\/]$/.test(option);
    const dbPath = isDir ? databasePath(full) : full;
    return { dataDir: path.dirname(dbPath), dbPath };
  }
  const dataDir = defaultDataDir();
  return { dataDir, dbPath: databasePath(dataDir) };
}

/** The database this process opened read-only (its folder or file is not writable), for the error message. */
let readonlyDatabase: string | null = null;
/** The database the last openCliApp opened (for messages). */
let lastDatabase: string | null = null;

/**
 * A database in a folder that cannot be written (a read-only mount, a share) is opened read-only, so that the
 * commands that only read (stats, search, jobs list, export to another folder) still work; one that writes then
 * fails with readOnlyRefusal's message instead of "attempt to write a readonly database".
 */
export async function openCliApp(opts: DbOption): Promise<AppRuntime> {
  const { dataDir, dbPath } = resolveDbPath(opts.db);
  const readonly = opensReadOnly(dbPath);
  if (readonly) readonlyDatabase = dbPath;
  lastDatabase = dbPath;
  return createApp({ dataDir, dbPath, transport: 'ipc', seedDemo: false, readonly });
}

/** The message for a write that found the disk full (SQLITE_FULL, ENOSPC), naming where; null for any other error. */
export function diskFullMessage(err: unknown, dbPath: string | null): string | null {
  if (!isDiskFullFailure(err)) return null;
  const where = dbPath ? ` holding ${path.dirname(dbPath)}` : '';
  return `the disk${where} is full. The step that was being written was not kept (the database is as it was before it); free some space and run the command again`;
}

export function lastDatabasePath(): string | null {
  return lastDatabase;
}

/**
 * The message for a write refused because the data is read-only (SQLite's SQLITE_READONLY*, the file system's
 * EROFS), naming the folder and what still works; null for any other error.
 */
export function readOnlyRefusal(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !(code.startsWith('SQLITE_READONLY') || code === 'EROFS')) return null;
  const where = readonlyDatabase ? path.dirname(readonlyDatabase) : 'the data folder';
  return `${where} is read-only, and this command writes to it. Read-only commands still work: stats, search, jobs list, reviewers list, export --out to a writable folder`;
}

/** Runs `fn` with an app and always closes it, so the database is released before the process exits. */
export async function withApp<T>(opts: DbOption, fn: (app: AppRuntime) => Promise<T> | T): Promise<T> {
  const app = await openCliApp(opts);
  try {
    return await fn(app);
  } catch (err) {
    // A refused Api call (its validation or its service) exits with its message, never a stack.
    throw err instanceof ApiError ? asCliError(err) : err;
  } finally {
    await app.close();
  }
}

function formatProgress(job: JobInfo): string {
  const p = job.progress;
  const pct = p.total ? ` ${Math.floor((100 * p.done) / p.total)}%` : '';
  const rate = p.rate ? `, ${p.rate.value} ${p.rate.unit}/s` : '';
  const eta = p.etaSeconds ? `, ${p.etaSeconds}s left` : '';
  return `[${job.kind}] ${p.message}${pct}${rate}${eta}`;
}

/**
 * Waits for a job while printing its progress to stderr (throttled; rewritten in place on a terminal).
 * Ctrl-C cancels the job instead of killing the process mid-write.
 */
export async function followJob(app: AppRuntime, jobId: string, quiet = false): Promise<JobInfo> {
  const tty = process.stderr.isTTY === true;
  let last = 0;
  let lastLine = '';
  const unsubscribe = app.subscribe((e) => {
    if (quiet || e.type !== 'job' || e.job.id !== jobId) return;
    const now = Date.now();
    const line = formatProgress(e.job);
    if (line === lastLine || (now - last < 500 && e.job.state === 'running')) return;
    last = now;
    lastLine = line;
    process.stderr.write(tty ? `\r\x1b[K${line}` : `${line}\n`);
  });
  const onSigint = () => {
    process.stderr.write('\nCancelling…\n');
    void app.call('jobs.cancel', { id: jobId }).catch(() => undefined);
  };
  process.once('SIGINT', onSigint);
  try {
    return await app.waitForJob(jobId);
  } finally {
    process.off('SIGINT', onSigint);
    unsubscribe();
    if (tty && lastLine) process.stderr.write('\n');
  }
}

/**
 * Follows a job to its end (see followJob) and returns it completed; a job that did not complete becomes a
 * CliError with its error, or "<what> cancelled" and the like.
 */
export async function completedJob(app: AppRuntime, jobId: string, what: string, quiet = false): Promise<JobInfo> {
  const done = await followJob(app, jobId, quiet);
  if (done.state !== 'completed') throw new CliError(done.error ?? `${what} ${done.state}`);
  return done;
}

/** The result of a job of a known kind, typed by api/jobs.ts (see completedJob for what does not complete). */
export async function jobResult<K extends JobKind>(app: AppRuntime, jobId: string, kind: K, what: string, quiet = false): Promise<JobResults[K]> {
  const done = await completedJob(app, jobId, what, quiet);
  if (!isJobOfKind(done, kind)) throw new CliError(`${what}: job ${jobId} is a '${done.kind}' job, not '${kind}'`);
  if (done.result === null || done.result === undefined) throw new CliError(`${what}: job ${jobId} completed without a result`);
  return done.result;
}

/** --db, --json and --quiet, which every command that runs a job takes. */
export function jobCommandOptions(command: Command, jsonHelp = 'print the result as JSON on stdout'): Command {
  return command
    .option('--db <path>', 'database file (default: the app data folder; MEDSSR_DATA_DIR overrides)')
    .option('--json', jsonHelp, false)
    .option('-q, --quiet', 'no progress on stderr', false);
}

/**
 * The sampling options that `label` and `eval` share (MedSSR's temperature 0.6, top-p 0.95, top-k 20 by default);
 * `unit` names what one sample is ("sample", "generation") and `maxTokens` / `seed` differ per command.
 */
export function samplingOptions(command: Command, o: { unit: string; maxTokens: string; seed: string }): Command {
  return command
    .option('--adapter <path>', 'LoRA adapter (GGUF) applied to the model')
    .option('--temperature <t>', 'sampling temperature', '0.6')
    .option('--top-p <p>', 'top-p', '0.95')
    .option('--top-k <k>', 'top-k', '20')
    .option('--max-tokens <n>', `tokens per ${o.unit}`, o.maxTokens)
    .option('--seed <n>', 'sampling seed (the same seed gives the same samples at any --parallel; see README)', o.seed)
    .option('--parallel <n>', `parallel sequences (0 = one per ${o.unit})`, '0')
    .option('--threads <n>', 'CPU threads (default: 1 for tiny models, else all math cores)');
}

/** A numeric option's value, undefined when the option was not given (the schema then applies its default). */
export function optionalNumber(value: unknown): number | undefined {
  return value === undefined ? undefined : Number(value);
}

/** Validates what the options add up to; every issue is named by its field (after `prefix`, e.g. "--set "). */
export function parseCliInput<S extends z.ZodType>(schema: S, raw: unknown, prefix = ''): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new CliError(parsed.error.issues.map((i) => `${prefix}${i.path.join('.') || 'input'}: ${i.message}`).join('; '));
  return parsed.data;
}

/** Error for a command that should exit non-zero with a message on stderr. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'CliError';
  }
}

/** Any error as a CliError carrying its message, so a refused Api call exits with that message and no stack. */
export function asCliError(err: unknown): CliError {
  if (err instanceof CliError) return err;
  return new CliError(errorMessage(err), 1, { cause: err });
}
