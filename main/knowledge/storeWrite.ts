/** Writes Orphanet records. Used inside one transaction by the importer (in its worker thread). */
import type { Db } from '../platform/db/open.js';
import type { PacketRecord } from './packet.js';

export interface ExistingEntry {
  hash: string;
  isDemo: boolean;
}

export function ftsDocument(rec: PacketRecord): { name: string; synonyms: string; definition: string; phenotypes: string; genes: string } {
  const geneText = new Set<string>();
  for (const g of rec.genes) geneText.add(`${g.symbol} ${g.name}`);
  for (const c of rec.children) for (const g of c.genes) geneText.add(`${g.symbol} ${g.name}`);
  return {
    name: rec.name,
    synonyms: rec.synonyms.join(' ; '),
    definition: rec.definition ?? '',
    phenotypes: rec.phenotypes.map((p) => p.term).join(' ; '),
    genes: [...geneText].join(' ; '),
  };
}

export class KnowledgeWriter {
  private readonly s;

  constructor(private readonly db: Db) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      disorder: p(`INSERT INTO kb_disorders (code, name, disorder_type, definition, purl, is_demo, content_hash,
        phenotype_count, gene_count, source_version, source_created, source_copyright, source_file)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      synonym: p('INSERT INTO kb_synonyms (code, pos, synonym) VALUES (?, ?, ?)'),
      ref: p('INSERT INTO kb_external_refs (code, pos, source, reference, mapping_relation) VALUES (?, ?, ?, ?, ?)'),
      parent: p('INSERT INTO kb_parents (code, pos, parent_code, parent_name) VALUES (?, ?, ?, ?)'),
      child: p('INSERT INTO kb_children (code, pos, child_code, child_name) VALUES (?, ?, ?, ?)'),
      phenotype: p('INSERT INTO kb_phenotypes (code, pos, hpo_id, term, frequency) VALUES (?, ?, ?, ?, ?)'),
      gene: p(`INSERT INTO kb_genes (code, pos, symbol, name, association_type, hgnc_id, omim_id, clinvar_id,
        via_child_code, via_child_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      prevalence: p(`INSERT INTO kb_prevalences (code, pos, prevalence_type, qualification, prevalence_class, mean_value,
        geographic, source, validation_status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      onset: p('INSERT INTO kb_onsets (code, pos, value) VALUES (?, ?, ?)'),
      inheritance: p('INSERT INTO kb_inheritance (code, pos, value) VALUES (?, ?, ?)'),
      fts: p('INSERT INTO kb_fts (rowid, name, synonyms, definition, phenotypes, genes) VALUES (?, ?, ?, ?, ?, ?)'),
      deleteFts: p('DELETE FROM kb_fts WHERE rowid = ?'),
      deleteDisorder: p('DELETE FROM kb_disorders WHERE code = ?'),
      meta: p('INSERT INTO kb_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
      branch: p('INSERT OR IGNORE INTO kb_branches (code, branch_code) VALUES (?, ?)'),
    };
  }

  existing(): Map<number, ExistingEntry> {
    const rows = this.db.prepare('SELECT code, content_hash, is_demo FROM kb_disorders').raw().all() as [number, string, number][];
    return new Map(rows.map(([code, hash, demo]) => [code, { hash, isDemo: demo === 1 }]));
  }

  insert(rec: PacketRecord, file: string | null): void {
    const s = this.s;
    const c = rec.code;
    const geneSymbols = new Set<string>();
    for (const g of rec.genes) geneSymbols.add(g.symbol);
    for (const ch of rec.children) for (const g of ch.genes) geneSymbols.add(g.symbol);
    s.disorder.run(c, rec.name, rec.disorderType, rec.definition, rec.purl, rec.isDemo ? 1 : 0, rec.hash,
      rec.phenotypes.length, geneSymbols.size, rec.version, rec.created, rec.copyright, file);
    rec.synonyms.forEach((v, i) => s.synonym.run(c, i, v));
    rec.externalReferences.forEach((r, i) => s.ref.run(c, i, r.source, r.reference, r.mappingRelation));
    rec.parents.forEach((r, i) => s.parent.run(c, i, r.code, r.name));
    rec.children.forEach((r, i) => s.child.run(c, i, r.code, r.name));
    rec.phenotypes.forEach((r, i) => s.phenotype.run(c, i, r.hpoId, r.term, r.frequency));
    let pos = 0;
    for (const g of rec.genes) {
      s.gene.run(c, pos++, g.symbol, g.name, g.associationType, g.hgncId, g.omimId, g.clinvarId, null, null);
    }
    for (const ch of rec.children) {
      for (const g of ch.genes) {
        s.gene.run(c, pos++, g.symbol, g.name, g.associationType, g.hgncId, g.omimId, g.clinvarId, ch.code, ch.name);
      }
    }
    rec.prevalences.forEach((r, i) =>
      s.prevalence.run(c, i, r.prevalenceType, r.qualification, r.prevalenceClass, r.meanValue, r.geographic, r.source,
        r.validationStatus),
    );
    rec.onsets.forEach((v, i) => s.onset.run(c, i, v));
    rec.inheritance.forEach((v, i) => s.inheritance.run(c, i, v));
  }

  insertFts(rec: PacketRecord): void {
    const d = ftsDocument(rec);
    this.s.fts.run(rec.code, d.name, d.synonyms, d.definition, d.phenotypes, d.genes);
  }

  remove(code: number): void {
    this.s.deleteFts.run(code);
    this.s.deleteDisorder.run(code);
  }

  setMeta(key: string, value: string | null): void {
    this.s.meta.run(key, value);
  }

  /**
   * Top-level branches = the highest ancestors that have a packet of their own. Orphanet's graph hangs
   * everything under one umbrella ("Rare disorders", no packet), so its children, the classification
   * heads, come out as branches. An entry with no classification at all (no parent, no child) gets none.
   */
  recomputeBranches(): void {
    this.db.exec('DELETE FROM kb_branches');
    const present = new Set((this.db.prepare('SELECT code FROM kb_disorders').pluck().all() as number[]));
    const parentsOf = new Map<number, number[]>();
    const hasChild = new Set<number>();
    for (const [code, parent] of this.db.prepare('SELECT code, parent_code FROM kb_parents').raw().all() as [number, number][]) {
      hasChild.add(parent);
      if (!present.has(parent)) continue;
      const list = parentsOf.get(code);
      if (list) list.push(parent);
      else parentsOf.set(code, [parent]);
    }
    for (const code of this.db.prepare('SELECT DISTINCT code FROM kb_children').pluck().all() as number[]) hasChild.add(code);
    const memo = new Map<number, Set<number>>();
    const visiting = new Set<number>();
    const branchesOf = (code: number): Set<number> => {
      const cached = memo.get(code);
      if (cached) return cached;
      visiting.add(code);
      const result = new Set<number>();
      for (const p of parentsOf.get(code) ?? []) {
        if (visiting.has(p)) continue;
        for (const b of branchesOf(p)) result.add(b);
      }
      if (result.size === 0) result.add(code);
      visiting.delete(code);
      memo.set(code, result);
      return result;
    };
    for (const code of present) {
      const branches = branchesOf(code);
      if (branches.size === 1 && branches.has(code) && !hasChild.has(code)) continue;
      for (const b of branches) this.s.branch.run(code, b);
    }
  }

  optimizeFts(): void {
    this.db.exec(`INSERT INTO kb_fts(kb_fts) VALUES ('optimize')`);
  }
}
