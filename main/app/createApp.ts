/**
 * Builds the services over one data folder: the platform (database, job runner, events), then each module of
 * main/app/modules.ts in dependency order, each given the exports of the domains it builds on.
 */
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseInput, type ApiEvent, type ApiHandlers, type AppInfo, type MethodInput, type MethodName, type MethodOutput } from '../../api/contract.js';
import type { JobInfo } from '../../api/jobs.js';
import { databasePath } from '../platform/dataDir.js';
import { JobRunner } from '../platform/jobs/runner.js';
import type { PlatformContext } from '../platform/module.js';
import type { AppContext } from './context.js';
import { modules, openAppDatabase } from './modules.js';
import type { AppOptions, AppServices } from './types.js';
import { checkReadablePath, checkWritableFolder } from '../platform/safePath.js';

export interface AppRuntime extends AppServices {
  /** The platform and the knowledge service, for tests that look inside; transports use `call` (lint keeps the CLI off it). */
  context: AppContext;
  /** Absolute path of the database file (or ':memory:'). */
  dbPath: string;
  /** One Api call as the transports make it: the contract's validation, then the handler. */
  call<M extends MethodName>(method: M, ...input: undefined extends MethodInput<M> ? [MethodInput<M>?] : [MethodInput<M>]): Promise<MethodOutput<M>>;
  /** Resolves when the job has ended (completed, failed, cancelled or interrupted). */
  waitForJob(id: string): Promise<JobInfo>;
}

function packageVersion(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'medssr-studio' && pkg.version) return pkg.version;
    }
    dir = path.dirname(dir);
  }
  return '0.0.0';
}

export async function createApp(options: AppOptions): Promise<AppRuntime> {
  const readonly = options.readonly === true;
  const dataDir = readonly ? checkReadablePath(options.dataDir, 'Data folder', 'folder') : checkWritableFolder(options.dataDir, 'Data folder');
  if (!readonly) mkdirSync(dataDir, { recursive: true });
  const dbPath = options.dbPath === ':memory:' ? ':memory:' : path.resolve(options.dbPath ?? databasePath(dataDir));
  const db = openAppDatabase(dbPath, { readonly });

  const listeners = new Set<(event: ApiEvent) => void>();
  const emit = (event: ApiEvent) => {
    for (const l of listeners) {
      try {
        l(event);
      } catch (err) {
        console.error('event listener failed:', err);
      }
    }
  };
  const jobs = new JobRunner(db, { onChange: (job) => emit({ type: 'job', job }) });
  const platform: PlatformContext = { dataDir, dbPath, db, jobs, emit };
  const jobsApi = modules.jobs.setup(platform, {});
  const knowledge = modules.knowledge.setup(platform, {});
  const llm = modules.llm.setup(platform, {});
  const labeling = modules.labeling.setup(platform, {});
  // Before synthesis: it reads the imported benchmarks for decontamination (a port, evaluation builds on synthesis).
  const evaluation = modules.evaluation.setup(platform, {});
  const synthesis = modules.synthesis.setup(platform, { knowledge: knowledge.exports.service, labels: labeling.exports.pseudoLabels, benchmarks: evaluation.exports.benchmarks });
  const review = modules.review.setup(platform, { knowledge: knowledge.exports.service });
  const training = modules.training.setup(platform, { registry: llm.exports.registry, benchmarks: evaluation.exports.benchmarks });
  const demoModel = modules.demoModel.setup(platform, { knowledge: knowledge.exports.service, registry: llm.exports.registry });
  const context: AppContext = { ...platform, options, knowledge: knowledge.exports.service };

  if (options.seedDemo && !readonly) await knowledge.exports.seedDemoIfEmpty();

  const version = packageVersion();
  const appInfo = (): AppInfo => ({
    version,
    dataDir,
    transport: options.transport,
    platform: process.platform,
    authRequired: false,
    readOnly: readonly,
  });

  const handlers = {
    'app.info': appInfo,
    ...jobsApi.handlers,
    ...knowledge.handlers,
    ...llm.handlers,
    ...synthesis.handlers,
    ...labeling.handlers,
    ...review.handlers,
    ...evaluation.handlers,
    ...training.handlers,
    ...demoModel.handlers,
  } satisfies ApiHandlers;

  let closed = false;
  // Warm search after start-up work, so the first keystroke in the search box does not pay for it.
  setImmediate(() => {
    if (closed) return;
    try {
      knowledge.exports.service.warm();
    } catch (err) {
      console.error('warming the knowledge search failed:', err);
    }
  });
  return {
    handlers,
    accounts: review.exports.accounts,
    context,
    dbPath,
    async call(method, ...input) {
      const parsed = parseInput(method, input[0]);
      // As in dispatch: the contract maps each name to its own handler type, which a union cannot call without a cast.
      const handler = handlers[method] as (input: unknown) => unknown;
      return (await handler(parsed)) as MethodOutput<typeof method>;
    },
    waitForJob: (id) => jobs.waitFor(id),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      await jobs.close();
      listeners.clear();
      db.close();
    },
  };
}
