import type Database from 'better-sqlite3';

/**
 * One schema step. Each lives in its owner's folder as `migrations/NNN_name.ts` exporting `sql`, so the text
 * travels with the compiled code (tsx, dist/ and an asar archive alike) without a copy step. The name is what a
 * database records: it never changes once released, or existing databases would apply the step again.
 */
export interface Migration {
  name: string;
  sql: string;
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
  const seen = new Set<string>();
  for (const m of migrations) {
    if (!NAME_PATTERN.test(m.name)) throw new Error(`Migration name "${m.name}" must look like 001_some_name`);
    if (seen.has(m.name)) throw new Error(`Migration "${m.name}" is registered twice`);
    seen.add(m.name);
  }
  const applied = new Set(
    (db.prepare('SELECT name FROM schema_migrations').all() as { name: string }[]).map((r) => r.name),
  );
  const pending = [...migrations].filter((m) => !applied.has(m.name)).sort((a, b) => a.name.localeCompare(b.name));
  const record = db.prepare('INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)');
  for (const m of pending) {
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.name, new Date().toISOString());
    })();
  }
  return pending.map((m) => m.name);
}

export function appliedMigrations(db: Database.Database): string[] {
  return (db.prepare('SELECT name FROM schema_migrations ORDER BY name').all() as { name: string }[]).map((r) => r.name);
}
