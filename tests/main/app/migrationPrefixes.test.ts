/**
 * Each domain's migrations touch only its own table prefix (README, Architecture). One released step breaks
 * the rule and stays as released, because databases ran it and record it by name: 045_labeling_written_votes
 * reads syn_questions (to recompute agreement) and clears rev_synced (so the review queue resyncs); labeling's
 * part of 010_synthesis declares foreign keys to syn_ tables. They are frozen below; a new step that names another domain's tables fails here. Cross-domain effects of a future step
 * belong behind the other domain's index (a function called from the owner's module), not in SQL.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { modules } from '../../../main/app/modules.js';

const prefixOf: Record<string, string | null> = {
  jobs: null,
  knowledge: 'kb',
  synthesis: 'syn',
  labeling: 'lab',
  llm: 'llm',
  review: 'rev',
  evaluation: 'eval',
  training: 'train',
  // No tables: it works in files (the model, its card, a resumable work folder).
  demoModel: null,
};
const domainPrefixes = ['kb', 'syn', 'lab', 'llm', 'rev', 'eval', 'train'];

/** Released steps that touch another prefix, with exactly the foreign tables they touch. Never add to this. */
const releasedCrossPrefix: Record<string, string[]> = {
  // Foreign keys from labels to the questions they label, in the released step 010 that created both.
  'labeling:010_synthesis': ['syn_datasets', 'syn_questions'],
  'labeling:045_labeling_written_votes': ['rev_synced', 'syn_questions'],
};

function foreignTables(sql: string, own: string | null): string[] {
  const text = sql.replace(/--[^\n]*/g, '');
  const found = new Set<string>();
  for (const m of text.matchAll(/\b([a-z]+)_[a-z0-9_]+\b/g)) {
    const prefix = m[1] as string;
    if (domainPrefixes.includes(prefix) && prefix !== own) found.add(m[0]);
  }
  return [...found].sort();
}

test('no migration touches another domain’s tables, except the frozen released one', () => {
  const seen: string[] = [];
  for (const [name, module] of Object.entries(modules)) {
    assert.ok(name in prefixOf, `module ${name} has no table prefix in this test; add it`);
    for (const step of module.migrations) {
      const key = `${name}:${step.name}`;
      const foreign = foreignTables(step.sql, prefixOf[name] ?? null);
      if (foreign.length) seen.push(key);
      assert.deepEqual(foreign, releasedCrossPrefix[key] ?? [], `${key} names tables of another domain: ${foreign.join(', ')}`);
    }
  }
  assert.deepEqual(seen.sort(), Object.keys(releasedCrossPrefix).sort(), 'every frozen exception still exists');
});

test('the detector sees a foreign table', () => {
  assert.deepEqual(foreignTables('UPDATE lab_labels SET x = (SELECT y FROM syn_questions); DELETE FROM rev_synced;', 'lab'), ['rev_synced', 'syn_questions']);
  assert.deepEqual(foreignTables('CREATE TABLE lab_runs (dataset_id INTEGER)', 'lab'), []);
});
