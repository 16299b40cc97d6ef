/**
 * Databases made by the release before the restructure keep opening: fixtures/migrations-0.1.0 is that
 * release's migration list, byte for byte (git show 81506c2:main/db/migrations/*). A database built from it,
 * with data in it, opens with today's modules: its steps are kept, only the steps added since apply, its data stays, and
 * its schema ends up identical to a fresh database's.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { migrations, openAppDatabase } from '../../../main/app/index.js';
import { appliedMigrations, migrate } from '../../../main/platform/db/migrate.js';
import { openDatabase, type Db } from '../../../main/platform/db/open.js';
import { removeDir, tempDir } from '../knowledge/fixtures.js';
import { migrations as released } from './fixtures/migrations-0.1.0/index.js';

function schema(db: Db): { type: string; name: string; sql: string | null }[] {
  return db.prepare(`SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name`).all() as { type: string; name: string; sql: string | null }[];
}

describe('a database from the previous release', () => {
  it('opens, keeps its steps, applies only the steps added since, and keeps its rows', () => {
    const dir = tempDir();
    try {
      const file = path.join(dir, 'medssr.db');
      const old = openDatabase(file);
      assert.equal(migrate(old, released).length, 7, 'the released list has seven steps');
      old.prepare(`INSERT INTO kb_disorders (code, name, disorder_type, content_hash, phenotype_count, gene_count) VALUES (558, 'Marfan syndrome', 'Disease', 'h', 0, 0)`).run();
      old
        .prepare(`INSERT INTO syn_datasets (id, name, version, state, created_at, generator, seed, plan, params) VALUES (1, 'd', 1, 'complete', 't', 'template', 1, '{}', '{}')`)
        .run();
      old.prepare(`INSERT INTO llm_models (id, name, path, copied, size_bytes, added_at) VALUES ('m', 'm', '/m.gguf', 0, 1, 't')`).run();
      const releasedSteps = appliedMigrations(old);
      old.close();

      const db = openAppDatabase(file);
      try {
        const added = [...new Set(migrations.map((m) => m.name))].filter((n) => !releasedSteps.includes(n)).sort();
        assert.deepEqual(appliedMigrations(db), [...releasedSteps, ...added].sort(), 'released steps kept, only the new ones applied');
        assert.deepEqual(migrate(db, migrations), [], 'nothing pending');
        const fresh = openAppDatabase(':memory:');
        try {
          assert.deepEqual(schema(db), schema(fresh), 'the upgraded schema equals a fresh one');
        } finally {
          fresh.close();
        }
        assert.equal(db.prepare('SELECT name FROM kb_disorders WHERE code = 558').pluck().get(), 'Marfan syndrome');
        assert.equal(db.prepare('SELECT COUNT(*) FROM syn_datasets').pluck().get(), 1);
        assert.equal(db.prepare('SELECT path FROM llm_models').pluck().get(), '/m.gguf');
      } finally {
        db.close();
      }
    } finally {
      removeDir(dir);
    }
  });

  it('upgraded, it is what a new database gets: same steps, same schema', () => {
    const old = openDatabase(':memory:');
    migrate(old, released);
    migrate(old, migrations);
    const fresh = openAppDatabase(':memory:');
    try {
      assert.deepEqual(appliedMigrations(fresh), appliedMigrations(old));
      assert.deepEqual(schema(fresh), schema(old));
    } finally {
      old.close();
      fresh.close();
    }
  });
});
