/**
 * The one shape every domain has (main/<domain>/module.ts): its schema, and a setup that registers its job kinds
 * and returns its Api handlers plus what it offers the domains built on it. main/app lists the modules and passes
 * each the exports of the domains it needs: plain arguments, no container.
 */
import type { ApiEvent, ApiHandlers } from '../../api/contract.js';
import type { Migration } from './db/migrate.js';
import type { Db } from './db/open.js';
import type { JobRunner } from './jobs/runner.js';

/** What the platform gives every domain. It names no domain type, so any module can import it. */
export interface PlatformContext {
  /** Folder holding medssr.db, models, adapters, exports. */
  dataDir: string;
  /** Absolute path of the database file (or ':memory:'). */
  dbPath: string;
  db: Db;
  jobs: JobRunner;
  emit(event: ApiEvent): void;
}

export type ApiMethod = keyof ApiHandlers;

/** A domain once set up. */
export interface DomainInstance<M extends ApiMethod, E> {
  /** Exactly the Api methods this domain answers; main/app checks that all of them together cover the contract. */
  handlers: Pick<ApiHandlers, M>;
  /** What other domains (through main/app) and the transports may use. */
  exports: E;
}

/**
 * `M`: the Api methods it answers; `E`: its exports; `D`: the other domains' exports it needs.
 */
export interface DomainModule<M extends ApiMethod, E, D = Record<never, never>> {
  readonly name: string;
  /** Its schema steps, in its own folder; names stay as released (see Migration). */
  readonly migrations: readonly Migration[];
  setup(ctx: PlatformContext, deps: D): DomainInstance<M, E>;
}

/** Identity, so that a module's type parameters are inferred from its definition. */
export function defineModule<M extends ApiMethod, E, D = Record<never, never>>(module: DomainModule<M, E, D>): DomainModule<M, E, D> {
  return module;
}
