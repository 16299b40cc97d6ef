import type Database from 'better-sqlite3';

/**
 * One schema step. Each lives in its owner's folder as `migrations/NNN_name.ts` exporting `sql`, so the text
 * travels with the compiled code (tsx, dist/ and an asar archive alike) without a copy step. The name is what a
 * database records: it never changes once released, or existing databases would apply the step again.
 */
export interface Migration {
  name: string;
  sql: string;
  /**
   * Set when a released step created tables that several domains now own: each owner contributes its part under
   * the step's name, and the parts run as that one step (in module order, one transaction, one record).
   */
  part?: string;
}

const NAME_PATTERN = /^\d{3}_[a-z0-9_]+$/;

/**
 * Applies pending migrations in name order, each inside its own transaction together with the row that
 * records it, so a failing migration leaves neither half a schema nor a false record behind.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[]): string[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    name TEXT PRIMARY KEY,
    applied_at TEXT NOT NULL
  )`);
  const steps = new Map<string, Migration[]>();
  for (const m of migrations) {
    if (!NAME_PATTERN.test(m.name)) throw new Error(`Migration name "${m.name}" must look like 001_some_name`);
    const parts = steps.get(m.name) ?? [];
    if (parts.length && (m.part === undefined || parts.some((p) => p.part === undefined || p.part === m.part))) {
      throw new Error(`Migration "${m.name}" is registered twice${m.part ? ` (part "${m.part}")` : ''}`);
    }
    parts.push(m);
    steps.set(m.name, parts);
  }
  const applied = new Set(
    (db.prepare('SELECT name FROM schema_migrations').all() as { name: string }[]).map((r) => r.name),
  );
  const pending = [...steps.keys()].filter((name) => !applied.has(name)).sort((a, b) => a.localeCompare(b));
  const record = db.prepare('INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)');
  for (const name of pending) {
    db.transaction(() => {
      for (const part of steps.get(name) ?? []) db.exec(part.sql);
      record.run(name, new Date().toISOString());
    })();
  }
  return pending;
}

export function appliedMigrations(db: Database.Database): string[] {
  return (db.prepare('SELECT name FROM schema_migrations ORDER BY name').all() as { name: string }[]).map((r) => r.name);
}

/** Names of the steps in `migrations` that `db` has not recorded (all of them for a database without the table). */
export function pendingMigrations(db: Database.Database, migrations: readonly Migration[]): string[] {
  const table = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).get();
  const applied = new Set(table ? appliedMigrations(db) : []);
  return [...new Set(migrations.map((m) => m.name))].filter((name) => !applied.has(name));
}
