import type { Migration } from '../../db/migrate.js';
import * as m001 from './001_jobs.js';
import * as m003 from './003_jobs_owner.js';

/** The job runner's table (`jobs`): the platform owns it because every domain's work runs through it. */
export const jobsMigrations: readonly Migration[] = [
  { name: '001_jobs', sql: m001.sql },
  { name: '003_jobs_owner', sql: m003.sql },
];
