import type { DisorderDetail, FacetCounts, FacetFilter, KnowledgeStats, SearchResult } from '../../api/knowledge.js';
import type { Db } from '../platform/db/open.js';
import { KnowledgeRepo } from './store.js';
import { KnowledgeSearch, type SearchParams } from './search.js';

/** The knowledge domain's service: what handlers, the CLI and other domains (synthesis) call. */
export class KnowledgeService {
  readonly repo: KnowledgeRepo;
  private readonly searcher: KnowledgeSearch;

  constructor(db: Db) {
    this.repo = new KnowledgeRepo(db);
    this.searcher = new KnowledgeSearch(this.repo);
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

  isEmpty(): boolean {
    return this.repo.count() === 0;
  }
}
