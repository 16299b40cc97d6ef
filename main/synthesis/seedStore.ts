/**
 * Seed sets: questions from an existing medical QA set that seeded synthesis rewrites. Imported whole or not at
 * all (one transaction); re-importing a name replaces that set.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SeedSetSummary } from '../../api/datasets.js';
import type { Db } from '../platform/db/open.js';
import { parseBenchmarkText } from '../platform/benchmarkFile.js';

export interface SeedQuestion {
  /** `<set>:<external id>`: the id a synthetic question's `seedId` names. */
  id: string;
  set: string;
  externalId: string;
  question: string;
  gold: string;
  options: { letter: string; text: string }[];
  extra: Record<string, unknown> | null;
}

export type { SeedSetSummary } from '../../api/datasets.js';

export class SeedStore {
  constructor(private readonly db: Db) {}

  /** Parses a MedSSR benchmark-shaped file; every entry goes into the one set `name`, whatever its own name field. */
  importFile(file: string, name: string): SeedSetSummary {
    const abs = path.resolve(file);
    let text: string;
    try {
      text = readFileSync(abs, 'utf8');
    } catch (err) {
      throw new Error(`Cannot read the seed file ${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const parsed = parseBenchmarkText(text, abs);
    const questions = parsed.sets.flatMap((s) => s.questions.map((q) => ({ ...q, extra: s.name !== name ? { ...(q.extra ?? {}), name: s.name } : q.extra })));
    const ids = new Set<string>();
    for (const q of questions) {
      if (ids.has(q.externalId)) throw new Error(`${file}: id "${q.externalId}" appears twice across its sets; seed ids must be unique within --name ${name}`);
      ids.add(q.externalId);
    }
    const sha = parsed.sets.map((s) => s.sha256).join('');
    const importedAt = new Date().toISOString();
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM syn_seed_sets WHERE name = ?').run(name);
      const setId = Number(this.db.prepare('INSERT INTO syn_seed_sets (name, file, sha256, imported_at, count) VALUES (?, ?, ?, ?, ?)').run(name, abs, sha, importedAt, questions.length).lastInsertRowid);
      const insert = this.db.prepare('INSERT INTO syn_seeds (set_id, pos, external_id, question, gold, options, extra) VALUES (?, ?, ?, ?, ?, ?, ?)');
      questions.forEach((q, pos) => insert.run(setId, pos, q.externalId, q.question, q.gold, JSON.stringify(q.options), q.extra ? JSON.stringify(q.extra) : null));
    })();
    return { name, file: abs, sha256: sha, importedAt, count: questions.length };
  }

  list(): SeedSetSummary[] {
    return (this.db.prepare('SELECT name, file, sha256, imported_at AS importedAt, count FROM syn_seed_sets ORDER BY name').all() as SeedSetSummary[]);
  }

  /** The seeds of the named sets in set order, then file order; a missing set is an error naming it. */
  seeds(names: readonly string[]): SeedQuestion[] {
    const out: SeedQuestion[] = [];
    for (const name of names) {
      const set = this.db.prepare('SELECT id FROM syn_seed_sets WHERE name = ?').get(name) as { id: number } | undefined;
      if (!set) throw new Error(`No seed set named "${name}": import it with \`medssr import seeds FILE.json --name ${name}\``);
      const rows = this.db.prepare('SELECT external_id, question, gold, options, extra FROM syn_seeds WHERE set_id = ? ORDER BY pos').all(set.id) as {
        external_id: string;
        question: string;
        gold: string;
        options: string;
        extra: string | null;
      }[];
      for (const r of rows) {
        out.push({
          id: `${name}:${r.external_id}`,
          set: name,
          externalId: r.external_id,
          question: r.question,
          gold: r.gold,
          options: JSON.parse(r.options) as SeedQuestion['options'],
          extra: r.extra ? (JSON.parse(r.extra) as Record<string, unknown>) : null,
        });
      }
    }
    return out;
  }
}
