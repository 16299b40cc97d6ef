/**
 * The HPO ontology from an `hp.obo` file: parsed whole before anything is stored, stored in one transaction,
 * read back as an in-memory view of names and ancestors. Obsolete terms are left out (their names would resolve
 * options to ids nothing points to any more).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Db } from '../platform/db/open.js';

export interface HpoTerm {
  id: string;
  name: string;
  synonyms: string[];
  parents: string[];
}

export interface HpoImportSummary {
  file: string;
  version: string | null;
  sha256: string;
  importedAt: string;
  terms: number;
}

const hpId = /^HP:\d{7}$/;

/** Terms of an OBO text; throws naming the line when a stanza is malformed or no HP term is found. */
export function parseObo(text: string, file: string): { version: string | null; terms: HpoTerm[] } {
  const lines = text.split(/\r?\n/);
  let version: string | null = null;
  const terms: HpoTerm[] = [];
  let current: (HpoTerm & { obsolete: boolean; line: number }) | null = null;
  let inTerm = false;
  const finish = () => {
    if (!current) return;
    if (!current.id) throw new Error(`${file}: the [Term] stanza at line ${current.line} has no id`);
    if (!current.name) throw new Error(`${file}: term ${current.id} (line ${current.line}) has no name`);
    if (!current.obsolete && hpId.test(current.id)) terms.push({ id: current.id, name: current.name, synonyms: current.synonyms, parents: current.parents });
    current = null;
  };
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line.startsWith('[')) {
      finish();
      inTerm = line === '[Term]';
      if (inTerm) current = { id: '', name: '', synonyms: [], parents: [], obsolete: false, line: i + 1 };
      return;
    }
    if (!line || line.startsWith('!')) return;
    const colon = line.indexOf(':');
    if (colon < 0) return;
    const key = line.slice(0, colon);
    const value = line.slice(colon + 1).trim();
    if (!inTerm) {
      if (key === 'data-version') version = value;
      return;
    }
    const t = current;
    if (!t) return;
    if (key === 'id') t.id = value;
    else if (key === 'name') t.name = value;
    else if (key === 'is_obsolete') t.obsolete = value === 'true';
    else if (key === 'is_a') {
      const parent = value.split(/\s/)[0] ?? '';
      if (!hpId.test(parent) && parent.startsWith('HP:')) throw new Error(`${file}: line ${i + 1}: is_a "${value}" is not an HP id`);
      if (hpId.test(parent)) t.parents.push(parent);
    } else if (key === 'synonym') {
      const m = /^"((?:[^"\\]|\\.)*)"\s+EXACT\b/.exec(value);
      if (m?.[1]) t.synonyms.push(m[1].replace(/\\"/g, '"'));
    }
  });
  finish();
  if (terms.length === 0) throw new Error(`${file}: no HPO term ([Term] stanza with an HP:nnnnnnn id) found; is this hp.obo?`);
  return { version, terms };
}

/** Replaces the stored ontology with the file's (nothing changes when the file does not parse). */
export function importHpoFile(db: Db, file: string): HpoImportSummary {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (err) {
    throw new Error(`Cannot read the HPO file ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const { version, terms } = parseObo(text, file);
  const sha256 = createHash('sha256').update(text).digest('hex');
  const importedAt = new Date().toISOString();
  db.transaction(() => {
    db.prepare('DELETE FROM kb_hpo_is_a').run();
    db.prepare('DELETE FROM kb_hpo_terms').run();
    const term = db.prepare('INSERT INTO kb_hpo_terms (id, name, synonyms) VALUES (?, ?, ?)');
    const edge = db.prepare('INSERT OR IGNORE INTO kb_hpo_is_a (child, parent) VALUES (?, ?)');
    for (const t of terms) {
      term.run(t.id, t.name, JSON.stringify(t.synonyms));
      for (const p of t.parents) edge.run(t.id, p);
    }
    db.prepare('INSERT OR REPLACE INTO kb_hpo_import (id, file, version, sha256, imported_at, terms) VALUES (1, ?, ?, ?, ?, ?)').run(abs, version, sha256, importedAt, terms.length);
  })();
  return { file: abs, version, sha256, importedAt, terms: terms.length };
}

export function hpoImportSummary(db: Db): HpoImportSummary | null {
  const r = db.prepare('SELECT file, version, sha256, imported_at AS importedAt, terms FROM kb_hpo_import WHERE id = 1').get() as HpoImportSummary | undefined;
  return r ?? null;
}

/** Names and ancestors of the imported HPO terms, as the question checker asks for them. */
export class HpoOntology {
  private readonly parents = new Map<string, string[]>();
  private readonly byName = new Map<string, string>();
  private readonly ancestorCache = new Map<string, Set<string>>();

  constructor(terms: readonly { id: string; name: string; synonyms: readonly string[]; parents: readonly string[] }[]) {
    for (const t of terms) {
      this.parents.set(t.id, [...t.parents]);
      this.byName.set(t.name.toLowerCase(), t.id);
    }
    // Synonyms only where no term has that name: a primary name always wins.
    for (const t of terms) for (const s of t.synonyms) if (!this.byName.has(s.toLowerCase())) this.byName.set(s.toLowerCase(), t.id);
  }

  get size(): number {
    return this.parents.size;
  }

  /** The term a label names (its name or an exact synonym, any case); null when none does. */
  idOf(label: string): string | null {
    return this.byName.get(label.trim().toLowerCase()) ?? null;
  }

  /** Every term above `id` through is_a, not `id` itself. */
  ancestors(id: string): Set<string> {
    let out = this.ancestorCache.get(id);
    if (out) return out;
    out = new Set<string>();
    const stack = [...(this.parents.get(id) ?? [])];
    while (stack.length > 0) {
      const p = stack.pop() as string;
      if (out.has(p)) continue;
      out.add(p);
      stack.push(...(this.parents.get(p) ?? []));
    }
    this.ancestorCache.set(id, out);
    return out;
  }

  isAncestor(ancestor: string, of: string): boolean {
    return this.ancestors(of).has(ancestor);
  }

  static load(db: Db): HpoOntology | null {
    if (!hpoImportSummary(db)) return null;
    const terms = db.prepare('SELECT id, name, synonyms FROM kb_hpo_terms').all() as { id: string; name: string; synonyms: string }[];
    const parents = new Map<string, string[]>();
    for (const e of db.prepare('SELECT child, parent FROM kb_hpo_is_a').all() as { child: string; parent: string }[]) {
      const list = parents.get(e.child);
      if (list) list.push(e.parent);
      else parents.set(e.child, [e.parent]);
    }
    return new HpoOntology(terms.map((t) => ({ id: t.id, name: t.name, synonyms: JSON.parse(t.synonyms) as string[], parents: parents.get(t.id) ?? [] })));
  }
}
