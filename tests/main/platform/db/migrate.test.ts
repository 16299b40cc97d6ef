import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { appliedMigrations, migrate } from '../../../../main/platform/db/migrate.js';
import { openDatabase } from '../../../../main/platform/db/open.js';
import { openAppDatabase } from '../../../../main/app/index.js';
import { migrations } from '../../../../main/app/index.js';
import { removeDir, tempDir } from '../../knowledge/fixtures.js';

describe('database', () => {
  it('opens with WAL, foreign keys and a busy timeout, and applies every migration once, by name', () => {
    const dir = tempDir();
    try {
      const file = path.join(dir, 'sub', 'medssr.db');
      const db = openAppDatabase(file);
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
      assert.ok((db.pragma('busy_timeout', { simple: true }) as number) >= 1000);
      assert.deepEqual(appliedMigrations(db), migrations.map((m) => m.name).sort());
      db.close();
      const again = openAppDatabase(file);
      assert.deepEqual(migrate(again, migrations), [], 'nothing pending on the second open');
      again.close();
    } finally {
      removeDir(dir);
    }
  });

  it('applies pending migrations in name order and rolls back a failing one with its record', () => {
    const db = openDatabase(':memory:');
    const order: string[] = [];
    db.function('note', (s: string) => {
      order.push(s);
      return s;
    });
    const applied = migrate(db, [
      { name: '002_second', sql: `CREATE TABLE b (x); SELECT note('002');` },
      { name: '001_first', sql: `CREATE TABLE a (x); SELECT note('001');` },
    ]);
    assert.deepEqual(applied, ['001_first', '002_second']);
    assert.deepEqual(order, ['001', '002']);
    assert.throws(() => migrate(db, [{ name: '003_broken', sql: 'CREATE TABLE c (x); CREATE TABLE c (y);' }]), /already exists/);
    assert.deepEqual(appliedMigrations(db), ['001_first', '002_second']);
    assert.equal(db.prepare(`SELECT COUNT(*) FROM sqlite_master WHERE name = 'c'`).pluck().get(), 0, 'no half-applied schema');
    assert.throws(() => migrate(db, [{ name: 'bad name', sql: '' }]), /must look like 001_some_name/);
    db.close();
  });

  it('cascades deletes from disorders to their facts (foreign keys are enforced)', () => {
    const db = openAppDatabase(':memory:');
    db.prepare(`INSERT INTO kb_disorders (code, name, disorder_type, content_hash, phenotype_count, gene_count) VALUES (1, 'x', 'Disease', 'h', 1, 0)`).run();
    db.prepare(`INSERT INTO kb_phenotypes (code, pos, hpo_id, term, frequency) VALUES (1, 0, 'HP:1', 't', 'f')`).run();
    assert.throws(() => db.prepare(`INSERT INTO kb_phenotypes (code, pos, hpo_id, term, frequency) VALUES (2, 0, 'HP:1', 't', 'f')`).run(), /FOREIGN KEY/);
    db.prepare('DELETE FROM kb_disorders WHERE code = 1').run();
    assert.equal(db.prepare('SELECT COUNT(*) FROM kb_phenotypes').pluck().get(), 0);
    db.close();
  });
});
