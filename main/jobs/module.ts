/** The jobs.* Api over the platform's job runner; the runner's table is the platform's (see jobsMigrations). */
import { jobsMigrations } from '../platform/jobs/migrations/index.js';
import { defineModule } from '../platform/module.js';
import { jobsHandlers, type JobsMethod } from './handlers.js';

export const jobsModule = defineModule<JobsMethod, Record<never, never>>({
  name: 'jobs',
  migrations: jobsMigrations,
  setup: (ctx) => ({ handlers: jobsHandlers(ctx.jobs), exports: {} }),
});
