/**
 * The list of modules. Their migrations together are the schema; createApp sets them up in dependency order.
 * Adding a domain: its folder with module.ts and index.ts, one entry here, one setup call in createApp.
 */
import { demoModelModule } from '../demoModel/index.js';
import { evaluationModule } from '../evaluation/index.js';
import { jobsModule } from '../jobs/index.js';
import { knowledgeModule } from '../knowledge/index.js';
import { labelingModule } from '../labeling/index.js';
import { llmModule } from '../llm/index.js';
import type { Migration } from '../platform/db/migrate.js';
import { openDatabase, type Db, type OpenOptions } from '../platform/db/open.js';
import { reviewModule } from '../review/index.js';
import { synthesisModule } from '../synthesis/index.js';
import { trainingModule } from '../training/index.js';

export const modules = {
  jobs: jobsModule,
  knowledge: knowledgeModule,
  // synthesis, labeling, llm: the order of their parts of the released step 010_synthesis.
  synthesis: synthesisModule,
  labeling: labelingModule,
  llm: llmModule,
  review: reviewModule,
  evaluation: evaluationModule,
  training: trainingModule,
  demoModel: demoModelModule,
} as const;

/** Every module's schema steps; the runner applies them in name order and records each by name. */
export const migrations: readonly Migration[] = Object.values(modules).flatMap((m) => m.migrations);

/** Opens a database with the whole app's schema applied (what createApp, the CLI and tests open). */
export function openAppDatabase(file: string, options: Omit<OpenOptions, 'migrations'> = {}): Db {
  return openDatabase(file, { ...options, migrations });
}
