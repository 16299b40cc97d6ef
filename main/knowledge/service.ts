import type { DisorderDetail, FacetCounts, FacetFilter, KnowledgeStats, SearchResult } from '../../api/knowledge.js';
import type { Db } from '../platform/db/open.js';
import { KnowledgeRepo } from './store.js';
import { KnowledgeSearch, type SearchParams } from './search.js';
import { HpoOntology, hpoImportSummary, importHpoFile, type HpoImportSummary } from './hpo.js';

/** The knowledge domain's service: what handlers, the CLI and other domains (synthesis) call. */
export class KnowledgeService {
  readonly repo: KnowledgeRepo;
  private readonly searcher: KnowledgeSearch;

  private hpo: { key: string; ontology: HpoOntology | null } | null = null;

  constructor(private readonly db: Db) {
    this.repo = new KnowledgeRepo(db);
    this.searcher = new KnowledgeSearch(this.repo);
  }

  /** Replaces the HPO ontology with an `hp.obo` file's (all or nothing). */
  importHpo(file: string): HpoImportSummary {
    const r = importHpoFile(this.db, file);
    this.hpo = null;
    return r;
  }

  hpoSummary(): HpoImportSummary | null {
    return hpoImportSummary(this.db);
  }

  /** The imported HPO ontology, or null when none was imported (another process may import: the key is re-read). */
  hpoOntology(): HpoOntology | null {
    const s = hpoImportSummary(this.db);
    const key = s ? `${s.sha256}|${s.importedAt}` : '';
    if (!this.hpo || this.hpo.key !== key) this.hpo = { key, ontology: s ? HpoOntology.load(this.db) : null };
    return this.hpo.ontology;
  }

  /** Call after the tables changed (an import) so search and facets see the new data. */
  invalidate(): void {
    this.searcher.invalidate();
  }

  /** Loads search data ahead of the first query (a few hundred ms on the full release). */
  warm(): void {
    this.searcher.warm();
  }

  stats(): KnowledgeStats {
    return this.repo.stats();
  }

  search(params: SearchParams): SearchResult {
    return this.searcher.search(params);
  }

  facets(text: string, filters: FacetFilter): FacetCounts {
    return this.searcher.facets(text, filters);
  }

  get(orphaCode: string | number): DisorderDetail | null {
    const code = typeof orphaCode === 'number' ? orphaCode : Number(String(orphaCode).replace(/^ORPHA:/i, ''));
    return Number.isInteger(code) ? this.repo.getDisorder(code) : null;
  }

  /** Every disorder with all its facts, loaded in one query per table (not one per disorder). */
  listDisorderFacts(): DisorderDetail[] {
    return this.repo.listDisorderFacts();
  }

  /** ORPHAcodes of the disorders classified under a branch (its ORPHAcode, e.g. "97929"). */
  disordersInBranch(branchCode: string): number[] {
    const code = Number(branchCode);
    return Number.isInteger(code) ? this.repo.codesInBranch(code) : [];
  }

  isEmpty(): boolean {
    return this.repo.count() === 0;
  }
}
