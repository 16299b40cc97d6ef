/**
 * Registry of schema migrations. Each lives in its own module `NNN_name.ts` exporting `sql`, so the text
 * travels with the compiled code (tsx, dist/ and an asar archive alike) without a copy step.
 * To add one: create `NNN_name.ts` and append it below; the runner sorts by name and records each by name.
 */
import * as m001 from './001_jobs.js';
import * as m002 from './002_knowledge.js';
import * as m003 from './003_jobs_owner.js';
import * as m010 from './010_synthesis.js';
import * as m030 from './030_evaluation.js';
import * as m020 from './020_review.js';
import * as m040 from './040_training.js';
import * as m045 from './045_labeling_written_votes.js';

export interface Migration {
  name: string;
  sql: string;
}

export const migrations: readonly Migration[] = [
  { name: '001_jobs', sql: m001.sql },
  { name: '002_knowledge', sql: m002.sql },
  { name: '003_jobs_owner', sql: m003.sql },
  { name: '010_synthesis', sql: m010.sql },
  { name: '030_evaluation', sql: m030.sql },
  { name: '020_review', sql: m020.sql },
  { name: '040_training', sql: m040.sql },
  { name: '045_labeling_written_votes', sql: m045.sql },
];
