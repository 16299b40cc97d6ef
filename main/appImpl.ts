/**
 * Builds the services over one data folder. Each domain contributes its handlers (and job kinds) from its
 * own `setup` module; adding a domain means one setup call and one spread below.
 */
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ApiEvent, ApiHandlers, AppInfo } from '../api/contract.js';
import type { AppOptions, AppServices } from './app.js';
import type { AppContext } from './appContext.js';
import { databasePath } from './dataDir.js';
import { openDatabase } from './db/open.js';
import { jobsHandlers } from './jobs/handlers.js';
import { JobRunner } from './jobs/runner.js';
import { setupKnowledge } from './knowledge/setup.js';
import { setupSynthesis } from './synthesis/setup.js';
import { setupEvaluation } from './evaluation/setup.js';
import { setupReview } from './review/setup.js';
import { setupTraining } from './training/setup.js';
import { checkWritableFolder } from './platform/safePath.js';

export interface AppRuntime extends AppServices {
  context: AppContext;
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
  const dataDir = checkWritableFolder(options.dataDir, 'Data folder');
  mkdirSync(dataDir, { recursive: true });
  const dbPath = options.dbPath === ':memory:' ? ':memory:' : path.resolve(options.dbPath ?? databasePath(dataDir));
  const db = openDatabase(dbPath);

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
  const base = { options, dataDir, dbPath, db, jobs, emit };
  const knowledge = setupKnowledge(base);
  const context: AppContext = { ...base, knowledge: knowledge.service };
  const synthesis = setupSynthesis(context);
  const evaluation = setupEvaluation(context);
  const review = setupReview(context);
  const training = setupTraining(context);

  if (options.seedDemo) await knowledge.seedDemoIfEmpty();

  const version = packageVersion();
  const appInfo = (): AppInfo => ({
    version,
    dataDir,
    transport: options.transport,
    platform: process.platform,
    authRequired: false,
  });

  const handlers = {
    'app.info': appInfo,
    ...knowledge.handlers,
    ...jobsHandlers(jobs),
    ...synthesis.handlers,
    ...evaluation.handlers,
    ...review.handlers,
    ...training.handlers,
  } satisfies ApiHandlers;

  let closed = false;
  // Warm search after start-up work, so the first keystroke in the search box does not pay for it.
  setImmediate(() => {
    if (closed) return;
    try {
      knowledge.service.warm();
    } catch (err) {
      console.error('warming the knowledge search failed:', err);
    }
  });
  return {
    handlers,
    accounts: review.accounts,
    context,
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
