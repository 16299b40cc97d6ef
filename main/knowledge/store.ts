/** Read side of the Orphanet knowledge base: details, look-ups, full-text matches, facet data, stats. */
import { createHash } from 'node:crypto';
import type { Db } from '../platform/db/open.js';
import type {
  DisorderDetail,
  DisorderLink,
  DisorderSummary,
  ExternalReference,
  GeneAssociation,
  KnowledgeStats,
  Phenotype,
  Prevalence,
} from '../../api/knowledge.js';

type Row = Record<string, unknown>;
type Statement = ReturnType<Db['prepare']>;

interface DisorderRow {
  code: number;
  name: string;
  disorder_type: string;
  definition: string | null;
  purl: string | null;
  is_demo: number;
  phenotype_count: number;
  gene_count: number;
  source_version: string | null;
  source_created: string | null;
  source_copyright: string | null;
}

/** Per-disorder facet data, loaded once into memory for fast filtering and counting. */
export interface FacetRow {
  code: number;
  name: string;
  disorderType: string;
  isDemo: boolean;
  phenotypeCount: number;
  geneCount: number;
  branches: number[];
  prevalenceClasses: string[];
  inheritance: string[];
  onsets: string[];
}

const DETAIL_TABLES = {
  synonyms: 'SELECT code, synonym FROM kb_synonyms',
  refs: 'SELECT code, source, reference, mapping_relation FROM kb_external_refs',
  parents: 'SELECT code, parent_code, parent_name FROM kb_parents',
  children: 'SELECT code, child_code, child_name FROM kb_children',
  phenotypes: 'SELECT code, hpo_id, term, frequency FROM kb_phenotypes',
  genes: 'SELECT code, symbol, name, association_type, hgnc_id, omim_id, via_child_code, via_child_name FROM kb_genes',
  prevalences: `SELECT code, prevalence_type, qualification, prevalence_class, mean_value, geographic, source, validation_status
    FROM kb_prevalences`,
  onsets: 'SELECT code, value FROM kb_onsets',
  inheritance: 'SELECT code, value FROM kb_inheritance',
} as const;
type DetailTable = keyof typeof DETAIL_TABLES;

function groupBy(rows: Row[]): Map<number, Row[]> {
  const out = new Map<number, Row[]>();
  for (const r of rows) {
    const code = r.code as number;
    const list = out.get(code);
    if (list) list.push(r);
    else out.set(code, [r]);
  }
  return out;
}

export class KnowledgeRepo {
  private readonly one: Record<DetailTable, Statement>;
  private readonly disorderStmt: Statement;
  private readonly branchesStmt: Statement;
  private readonly namesStmt: Statement;
  private readonly ftsStmt: Statement;
  private readonly metaStmt: Statement;
  private readonly snippetStmt: Statement;

  constructor(private readonly db: Db) {
    const one = {} as Record<DetailTable, Statement>;
    for (const [k, sql] of Object.entries(DETAIL_TABLES) as [DetailTable, string][]) {
      one[k] = db.prepare(`${sql} WHERE code = ? ORDER BY pos`);
    }
    this.one = one;
    this.disorderStmt = db.prepare('SELECT * FROM kb_disorders WHERE code = ?');
    this.metaStmt = db.prepare('SELECT value FROM kb_meta WHERE key = ?');
    this.snippetStmt = db.prepare(
      `SELECT snippet(kb_fts, -1, '«', '»', '…', 12) FROM kb_fts WHERE kb_fts MATCH ? AND rowid = CAST(? AS INTEGER)`,
    );
    this.branchesStmt = db.prepare(
      `SELECT b.branch_code AS code, d.name AS name FROM kb_branches b JOIN kb_disorders d ON d.code = b.branch_code
       WHERE b.code = ? ORDER BY d.name`,
    );
    this.namesStmt = db.prepare('SELECT code, name FROM kb_disorders WHERE code IN (SELECT value FROM json_each(?))');
    this.ftsStmt = db.prepare(
      'SELECT rowid AS code, bm25(kb_fts, 12.0, 6.0, 1.0, 0.6, 3.0) AS score FROM kb_fts WHERE kb_fts MATCH ? ORDER BY score',
    );
  }

  meta(key: string): string | null {
    const row = this.metaStmt.get(key) as { value: string | null } | undefined;
    return row?.value ?? null;
  }

  stats(): KnowledgeStats {
    const count = (sql: string) => (this.db.prepare(sql).pluck().get() as number) ?? 0;
    const disorders = count('SELECT COUNT(*) FROM kb_disorders');
    return {
      disorders,
      phenotypeAssociations: count('SELECT COUNT(*) FROM kb_phenotypes'),
      geneAssociations: count('SELECT COUNT(*) FROM kb_genes WHERE via_child_code IS NULL'),
      genes: count('SELECT COUNT(DISTINCT symbol) FROM kb_genes'),
      prevalences: count('SELECT COUNT(*) FROM kb_prevalences'),
      sourceVersion: disorders ? this.meta('sourceVersion') : null,
      importedAt: disorders ? this.meta('importedAt') : null,
      isDemo: disorders > 0 && this.meta('isDemo') === '1',
      childGeneAssociations: this.childGeneAssociations(),
    };
  }

  /** Associations carried by subtypes (Children[].Genes), counted apart from the disorder's own. */
  childGeneAssociations(): number {
    return this.db.prepare('SELECT COUNT(*) FROM kb_genes WHERE via_child_code IS NOT NULL').pluck().get() as number;
  }

  count(): number {
    return this.db.prepare('SELECT COUNT(*) FROM kb_disorders').pluck().get() as number;
  }

  exists(code: number): boolean {
    return this.db.prepare('SELECT 1 FROM kb_disorders WHERE code = ?').get(code) !== undefined;
  }

  getDisorder(code: number): DisorderDetail | null {
    const row = this.disorderStmt.get(code) as DisorderRow | undefined;
    if (!row) return null;
    const rows = {} as Record<DetailTable, Row[]>;
    for (const k of Object.keys(DETAIL_TABLES) as DetailTable[]) rows[k] = this.one[k].all(code) as Row[];
    const linked = new Set<number>();
    for (const r of rows.parents) linked.add(r.parent_code as number);
    for (const r of rows.children) linked.add(r.child_code as number);
    const names = new Map(
      (this.namesStmt.all(JSON.stringify([...linked])) as { code: number; name: string }[]).map((r) => [r.code, r.name]),
    );
    const branches = (this.branchesStmt.all(code) as { code: number; name: string }[]).map((b) => ({
      orphaCode: String(b.code),
      name: b.name,
      present: true,
    }));
    return buildDetail(row, rows, names, branches);
  }

  /**
   * Every disorder with all its facts, in a fixed number of queries (one per table), for synthesis and
   * other bulk consumers. Ordered by ORPHAcode.
   */
  listDisorderFacts(): DisorderDetail[] {
    const disorders = this.db.prepare('SELECT * FROM kb_disorders ORDER BY code').all() as DisorderRow[];
    const names = new Map(disorders.map((d) => [d.code, d.name]));
    const grouped = {} as Record<DetailTable, Map<number, Row[]>>;
    for (const [k, sql] of Object.entries(DETAIL_TABLES) as [DetailTable, string][]) {
      grouped[k] = groupBy(this.db.prepare(`${sql} ORDER BY code, pos`).all() as Row[]);
    }
    const branchRows = groupBy(this.db.prepare('SELECT code, branch_code FROM kb_branches').all() as Row[]);
    return disorders.map((d) => {
      const rows = {} as Record<DetailTable, Row[]>;
      for (const k of Object.keys(DETAIL_TABLES) as DetailTable[]) rows[k] = grouped[k].get(d.code) ?? [];
      const branches = (branchRows.get(d.code) ?? [])
        .map((b) => ({ orphaCode: String(b.branch_code), name: names.get(b.branch_code as number) ?? '', present: true }))
        .sort((a, b) => a.name.localeCompare(b.name));
      return buildDetail(d, rows, names, branches);
    });
  }

  summaries(codes: number[]): DisorderSummary[] {
    if (codes.length === 0) return [];
    const rows = this.db
      .prepare(
        `SELECT code, name, disorder_type, is_demo, phenotype_count, gene_count FROM kb_disorders
         WHERE code IN (SELECT value FROM json_each(?))`,
      )
      .all(JSON.stringify(codes)) as DisorderRow[];
    const byCode = new Map(rows.map((r) => [r.code, r]));
    const out: DisorderSummary[] = [];
    for (const c of codes) {
      const r = byCode.get(c);
      if (r) out.push(summary(r));
    }
    return out;
  }

  facetRows(): FacetRow[] {
    const disorders = this.db
      .prepare('SELECT code, name, disorder_type, is_demo, phenotype_count, gene_count FROM kb_disorders')
      .all() as DisorderRow[];
    const multi = (sql: string) => {
      const out = new Map<number, string[]>();
      for (const [code, v] of this.db.prepare(sql).raw().all() as [number, string | number][]) {
        const list = out.get(code);
        if (list) list.push(String(v));
        else out.set(code, [String(v)]);
      }
      return out;
    };
    const branches = multi('SELECT code, branch_code FROM kb_branches');
    const prev = multi('SELECT DISTINCT code, prevalence_class FROM kb_prevalences WHERE prevalence_class IS NOT NULL');
    const inh = multi('SELECT DISTINCT code, value FROM kb_inheritance');
    const ons = multi('SELECT DISTINCT code, value FROM kb_onsets');
    return disorders.map((d) => ({
      code: d.code,
      name: d.name,
      disorderType: d.disorder_type,
      isDemo: d.is_demo === 1,
      phenotypeCount: d.phenotype_count,
      geneCount: d.gene_count,
      branches: (branches.get(d.code) ?? []).map(Number),
      prevalenceClasses: prev.get(d.code) ?? [],
      inheritance: inh.get(d.code) ?? [],
      onsets: ons.get(d.code) ?? [],
    }));
  }

  synonymsByCode(): Map<number, string[]> {
    const out = new Map<number, string[]>();
    for (const [code, synonym] of this.db.prepare('SELECT code, synonym FROM kb_synonyms ORDER BY code, pos').raw().all() as [number, string][]) {
      const list = out.get(code);
      if (list) list.push(synonym);
      else out.set(code, [synonym]);
    }
    return out;
  }

  /** Full-text matches, best first (bm25 with the name weighted most). `query` is FTS5 syntax. */
  ftsMatch(query: string): { code: number; score: number }[] {
    return this.ftsStmt.all(query) as { code: number; score: number }[];
  }

  snippets(query: string, codes: number[]): Map<number, string> {
    // One look-up per row: FTS5 seeks straight to a rowid, whereas "rowid IN (...)" walks every match.
    // The CAST matters: better-sqlite3 binds numbers as REAL, and FTS5 then silently drops a rowid constraint.
    const out = new Map<number, string>();
    for (const code of codes) {
      const snippet = this.snippetStmt.pluck().get(query, code) as string | undefined;
      if (snippet !== undefined) out.set(code, snippet);
    }
    return out;
  }

  codesByExactName(text: string): number[] {
    return this.db.prepare('SELECT code FROM kb_disorders WHERE name = ? COLLATE NOCASE ORDER BY code').pluck().all(text) as number[];
  }

  codesBySynonym(text: string): number[] {
    return this.db
      .prepare('SELECT DISTINCT code FROM kb_synonyms WHERE synonym = ? COLLATE NOCASE ORDER BY code')
      .pluck()
      .all(text) as number[];
  }

  codesByOmim(reference: string): number[] {
    return this.db
      .prepare(`SELECT DISTINCT code FROM kb_external_refs WHERE source = 'OMIM' AND reference = ? ORDER BY code`)
      .pluck()
      .all(reference) as number[];
  }

  /** Disorders associated with the gene, directly or through a subtype. */
  codesByGene(symbol: string): number[] {
    return this.db
      .prepare(
        // Causal links before candidate ones, diseases before their subtypes and groups, then the
        // best-characterised disorder first: "FBN1" should lead with Marfan syndrome.
        `SELECT g.code FROM kb_genes g JOIN kb_disorders d ON d.code = g.code
         WHERE g.symbol = ? COLLATE NOCASE
         GROUP BY g.code
         ORDER BY MAX(g.association_type LIKE 'Disease-causing%') DESC, d.disorder_type = 'Disease' DESC,
                  d.phenotype_count DESC, g.code`,
      )
      .pluck()
      .all(symbol) as number[];
  }

  /** Disorders with the HPO term, most frequent association first. */
  /** The HPO term's name as Orphanet gives it (the most common spelling), null when no entry lists the id. */
  hpoTermName(hpoId: string): string | null {
    const name = this.db
      .prepare('SELECT term FROM kb_phenotypes WHERE hpo_id = ? GROUP BY term ORDER BY COUNT(*) DESC, term LIMIT 1')
      .pluck()
      .get(hpoId) as string | undefined;
    return name ?? null;
  }

  codesByHpo(hpoId: string): number[] {
    return this.db
      .prepare(
        `SELECT code FROM kb_phenotypes WHERE hpo_id = ? GROUP BY code
         ORDER BY MIN(CASE frequency WHEN 'Obligate (100%)' THEN 0 WHEN 'Very frequent (99-80%)' THEN 1
           WHEN 'Frequent (79-30%)' THEN 2 WHEN 'Occasional (29-5%)' THEN 3 WHEN 'Very rare (<4-1%)' THEN 4 ELSE 5 END), code`,
      )
      .pluck()
      .all(hpoId) as number[];
  }

  /** Disorders classified under the branch (kb_branches), for review's branch filter. */
  codesInBranch(branchCode: number): number[] {
    return this.db.prepare('SELECT code FROM kb_branches WHERE branch_code = ?').pluck().all(branchCode) as number[];
  }

  names(codes: number[]): Map<number, string> {
    const rows = this.namesStmt.all(JSON.stringify(codes)) as { code: number; name: string }[];
    return new Map(rows.map((r) => [r.code, r.name]));
  }

  /**
   * A digest of every knowledge table's content, to prove in tests that a failed import left the
   * database exactly as it was.
   */
  digest(options: { ignoreMeta?: readonly string[] } = {}): string {
    const ignored = new Set(options.ignoreMeta ?? []);
    const hash = createHash('sha256');
    const tables = [
      'kb_disorders', 'kb_synonyms', 'kb_external_refs', 'kb_parents', 'kb_children', 'kb_phenotypes', 'kb_genes',
      'kb_prevalences', 'kb_onsets', 'kb_inheritance', 'kb_branches', 'kb_meta',
    ];
    for (const t of tables) {
      hash.update(`#${t}\n`);
      for (const row of this.db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).raw().iterate()) {
        if (t === 'kb_meta' && ignored.has(String((row as unknown[])[0]))) continue;
        hash.update(JSON.stringify(row));
      }
    }
    hash.update('#fts\n');
    for (const row of this.db.prepare('SELECT rowid, * FROM kb_fts ORDER BY rowid').raw().iterate()) hash.update(JSON.stringify(row));
    return hash.digest('hex');
  }
}

function summary(r: DisorderRow): DisorderSummary {
  return {
    orphaCode: String(r.code),
    name: r.name,
    disorderType: r.disorder_type,
    isDemo: r.is_demo === 1,
    phenotypeCount: r.phenotype_count,
    geneCount: r.gene_count,
  };
}

function buildDetail(
  d: DisorderRow,
  rows: Record<DetailTable, Row[]>,
  names: Map<number, string>,
  branches: DisorderLink[],
): DisorderDetail {
  const link = (code: number, label: string): DisorderLink => ({
    orphaCode: String(code),
    name: names.get(code) ?? label,
    present: names.has(code),
  });
  const s = (v: unknown) => v as string;
  const n = (v: unknown) => (v === null || v === undefined ? null : String(v));
  return {
    orphaCode: String(d.code),
    name: d.name,
    disorderType: d.disorder_type,
    definition: d.definition,
    purl: d.purl,
    synonyms: rows.synonyms.map((r) => s(r.synonym)),
    externalReferences: rows.refs.map(
      (r): ExternalReference => ({ source: s(r.source), reference: s(r.reference), mappingRelation: n(r.mapping_relation) }),
    ),
    parents: rows.parents.map((r) => link(r.parent_code as number, s(r.parent_name))),
    children: rows.children.map((r) => link(r.child_code as number, s(r.child_name))),
    branches,
    phenotypes: rows.phenotypes.map((r): Phenotype => ({ hpoId: s(r.hpo_id), term: s(r.term), frequency: s(r.frequency) })),
    genes: rows.genes.map(
      (r): GeneAssociation => ({
        symbol: s(r.symbol),
        name: s(r.name),
        associationType: s(r.association_type),
        hgncId: n(r.hgnc_id),
        omimId: n(r.omim_id),
        viaChild: r.via_child_code === null ? null : { orphaCode: String(r.via_child_code), name: s(r.via_child_name) },
      }),
    ),
    prevalences: rows.prevalences.map(
      (r): Prevalence => ({
        prevalenceType: s(r.prevalence_type),
        qualification: s(r.qualification),
        prevalenceClass: n(r.prevalence_class),
        meanValue: n(r.mean_value),
        geographic: n(r.geographic),
        source: n(r.source),
        validationStatus: n(r.validation_status),
      }),
    ),
    onsets: rows.onsets.map((r) => s(r.value)),
    inheritance: rows.inheritance.map((r) => s(r.value)),
    isDemo: d.is_demo === 1,
    source: { version: d.source_version, created: d.source_created, copyright: d.source_copyright },
  };
}
