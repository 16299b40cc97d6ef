/**
 * Search and facets. Text goes through exact look-ups first (ORPHA code, OMIM id, HPO id, gene symbol,
 * exact name or synonym), then SQLite FTS5 with prefix matching for an instant search box. Facet data sits
 * in memory (a few MB for the full release) so filtering and counting over 9,960 entries costs microseconds.
 */
import type {
  FacetCounts,
  FacetFilter,
  FacetName,
  FacetValue,
  SearchHit,
  SearchResult,
} from '../../api/knowledge.js';
import type { FacetRow, KnowledgeRepo } from './store.js';

type MatchedBy = SearchHit['matchedBy'];

export interface TextMatch {
  /** Codes best first; null when there is no text (everything matches). */
  codes: number[] | null;
  matchedBy: Map<number, MatchedBy>;
  ftsQuery: string | null;
  /** For an HPO id search: the id and the term's name, shown on every hit (the id alone tells a reader little). */
  hpo?: { id: string; term: string | null };
}

export interface SearchParams {
  text: string;
  filters: FacetFilter;
  limit: number;
  offset: number;
}

/** FTS5 query: every word as a quoted prefix, so "marf syn" finds "Marfan syndrome" while typing. */
export function ftsQueryFor(text: string): string | null {
  const tokens = text.toLowerCase().match(/[\p{L}\p{N}]+/gu);
  if (!tokens || tokens.length === 0) return null;
  // A one- or two-letter prefix matches most of the corpus; while typing it is only useful against names.
  return tokens
    .slice(0, 16)
    .map((t) => (t.length <= 2 ? `{name synonyms}: "${t}"*` : `"${t}"*`))
    .join(' ');
}

function wordsOf(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

function normalised(text: string): string {
  return wordsOf(text).join(' ');
}

/**
 * Orders full-text matches so that names a person would pick come first: names starting with the query
 * (shortest first: "Marfan syndrome" before "Marfan syndrome type 1"; punctuation ignored, so "tay sachs"
 * finds "Tay-Sachs disease"), then entries with a synonym starting with it ("pompe" → "Pompe disease"),
 * then names containing every typed word, then everything else in bm25 order (name weighted most, then
 * synonyms, genes, definition, phenotypes).
 */
/** Names and synonyms, normalised once per import for ranking. */
export interface NormalisedNames {
  name: string;
  words: string[];
  synonyms: string[];
}

export function normaliseNames(name: string, synonyms: string[]): NormalisedNames {
  const words = wordsOf(name);
  return { name: words.join(' '), words, synonyms: synonyms.map(normalised) };
}

export function rankByName(fts: { code: number; score: number }[], query: string, names: Map<number, NormalisedNames>): number[] {
  const q = normalised(query);
  const tokens = wordsOf(query);
  const tiers: { code: number; len: number }[][] = [[], [], [], []];
  for (const { code } of fts) {
    const n = names.get(code);
    if (!n) continue;
    let tier = 3;
    let len = n.name.length;
    if (n.name.startsWith(q)) tier = 0;
    else {
      let best = Infinity;
      for (const s of n.synonyms) if (s.length < best && s.startsWith(q)) best = s.length;
      if (best < Infinity) {
        tier = 1;
        len = best;
      } else if (tokens.every((t) => n.words.some((w) => w.startsWith(t)))) tier = 2;
    }
    (tiers[tier] as { code: number; len: number }[]).push({ code, len });
  }
  const byLength = (a: { len: number }, b: { len: number }) => a.len - b.len;
  (tiers[0] as { len: number }[]).sort(byLength);
  (tiers[1] as { len: number }[]).sort(byLength);
  return tiers.flat().map((t) => t.code);
}

type FacetValuesOf = Record<FacetName, string[]>;
/** Facet values as small integers (index into Index.dict), deduplicated per entry: counting is array work. */
type FacetIds = Record<FacetName, number[]>;

interface Index {
  rows: Map<number, FacetRow>;
  /** Each entry's values per facet, computed once per import. */
  ids: Map<number, FacetIds>;
  dict: Record<FacetName, string[]>;
  byName: number[];
  branchNames: Map<string, string>;
  names: Map<number, NormalisedNames>;
  stamp: string | null;
}

const FACETS: FacetName[] = ['disorderType', 'branch', 'prevalenceClass', 'inheritance', 'onset', 'hasPhenotypes', 'hasGenes'];

const FACET_LABELS: Partial<Record<FacetName, Record<string, string>>> = {
  hasPhenotypes: { true: 'Has phenotypes', false: 'No phenotypes' },
  hasGenes: { true: 'Has genes', false: 'No genes' },
};

function facetValuesOf(row: FacetRow): FacetValuesOf {
  return {
    disorderType: [row.disorderType],
    branch: row.branches.map(String),
    prevalenceClass: row.prevalenceClasses,
    inheritance: row.inheritance,
    onset: row.onsets,
    hasPhenotypes: [String(row.phenotypeCount > 0)],
    hasGenes: [String(row.geneCount > 0)],
  };
}

/** The facets a filter actually constrains, with the accepted value ids. */
function activeFilters(filters: FacetFilter, index: Index): [FacetName, Set<number>][] {
  const out: [FacetName, Set<number>][] = [];
  for (const facet of FACETS) {
    const wanted = filters[facet];
    if (wanted === undefined) continue;
    const list = typeof wanted === 'boolean' ? [String(wanted)] : wanted;
    if (list.length === 0) continue;
    const dict = index.dict[facet];
    out.push([facet, new Set(list.map((v) => dict.indexOf(v)).filter((i) => i >= 0))]);
  }
  return out;
}

function accepts(ids: FacetIds, facet: FacetName, wanted: Set<number>): boolean {
  for (const id of ids[facet]) if (wanted.has(id)) return true;
  return false;
}

function buildFacetIds(list: FacetRow[]): { ids: Map<number, FacetIds>; dict: Record<FacetName, string[]> } {
  const dict = {} as Record<FacetName, string[]>;
  const lookup = {} as Record<FacetName, Map<string, number>>;
  for (const f of FACETS) {
    dict[f] = [];
    lookup[f] = new Map();
  }
  const ids = new Map<number, FacetIds>();
  for (const row of list) {
    const values = facetValuesOf(row);
    const entry = {} as FacetIds;
    for (const f of FACETS) {
      const seen = new Set<number>();
      for (const v of values[f]) {
        let id = lookup[f].get(v);
        if (id === undefined) {
          id = dict[f].length;
          dict[f].push(v);
          lookup[f].set(v, id);
        }
        seen.add(id);
      }
      entry[f] = [...seen];
    }
    ids.set(row.code, entry);
  }
  return { ids, dict };
}

export class KnowledgeSearch {
  private cached: Index | null = null;
  /** Recent text matches: the UI asks for hits and facets of the same text back to back. */
  private readonly matches = new Map<string, TextMatch>();

  constructor(private readonly repo: KnowledgeRepo) {}

  /** Drop the in-memory facet data; called after every import. */
  invalidate(): void {
    this.cached = null;
    this.matches.clear();
  }

  private cachedMatch(text: string): TextMatch {
    const key = text.trim().replace(/\s+/g, ' ').toLowerCase();
    const hit = this.matches.get(key);
    if (hit) {
      this.matches.delete(key);
      this.matches.set(key, hit);
      return hit;
    }
    const match = this.matchText(text);
    this.remember(text, match);
    return match;
  }

  private remember(text: string, match: TextMatch): void {
    const key = text.trim().replace(/\s+/g, ' ').toLowerCase();
    this.matches.delete(key);
    this.matches.set(key, match);
    if (this.matches.size > 16) this.matches.delete(this.matches.keys().next().value as string);
  }

  /** Builds the in-memory data ahead of the first search. */
  warm(): void {
    this.index();
  }

  private index(): Index {
    // Another process (the CLI beside the app) may have imported since; its import stamps importedAt.
    const stamp = this.repo.meta('importedAt');
    if (this.cached && this.cached.stamp === stamp) return this.cached;
    const list = this.repo.facetRows();
    const rows = new Map(list.map((r) => [r.code, r]));
    const byName = [...list].sort((a, b) => a.name.localeCompare(b.name, 'en', { sensitivity: 'base' })).map((r) => r.code);
    const branchNames = new Map<string, string>();
    for (const r of list) for (const b of r.branches) branchNames.set(String(b), rows.get(b)?.name ?? `ORPHA:${b}`);
    const { ids, dict } = buildFacetIds(list);
    const synonyms = this.repo.synonymsByCode();
    const names = new Map(list.map((r) => [r.code, normaliseNames(r.name, synonyms.get(r.code) ?? [])]));
    this.cached = { rows, ids, dict, byName, branchNames, names, stamp };
    this.matches.clear();
    return this.cached;
  }

  matchText(text: string): TextMatch {
    const q = text.trim().replace(/\s+/g, ' ');
    const matchedBy = new Map<number, MatchedBy>();
    if (!q) return { codes: null, matchedBy, ftsQuery: null };
    const { rows, names } = this.index();
    const ordered: number[] = [];
    const add = (codes: number[], by: MatchedBy) => {
      for (const c of codes) {
        if (matchedBy.has(c) || !rows.has(c)) continue;
        matchedBy.set(c, by);
        ordered.push(c);
      }
    };

    const orpha = /^orpha(?:code)?\s*[:#_-]?\s*(\d{1,9})$/i.exec(q);
    if (orpha) {
      add([Number(orpha[1])], 'code');
      return { codes: ordered, matchedBy, ftsQuery: null };
    }
    const omim = /^(?:omim|mim)\s*[:#]?\s*(\d{1,9})$/i.exec(q);
    if (omim) {
      add(this.repo.codesByOmim(omim[1] as string), 'omim');
      return { codes: ordered, matchedBy, ftsQuery: null };
    }
    const hpo = /^(?:hp|hpo)\s*[:_]\s*(\d{1,7})$/i.exec(q);
    if (hpo) {
      const id = `HP:${(hpo[1] as string).padStart(7, '0')}`;
      add(this.repo.codesByHpo(id), 'hpo');
      return { codes: ordered, matchedBy, ftsQuery: null, hpo: { id, term: this.repo.hpoTermName(id) } };
    }
    if (/^\d{1,9}$/.test(q)) {
      add([Number(q)], 'code');
      add(this.repo.codesByOmim(q), 'omim');
    }
    add(this.repo.codesByExactName(q), 'text');
    add(this.repo.codesBySynonym(q), 'text');
    if (/^[A-Za-z0-9][A-Za-z0-9-]{0,19}$/.test(q)) add(this.repo.codesByGene(q), 'gene');

    const ftsQuery = ftsQueryFor(q);
    if (ftsQuery) add(rankByName(this.repo.ftsMatch(ftsQuery), q, names), 'text');
    return { codes: ordered, matchedBy, ftsQuery };
  }

  search(params: SearchParams): SearchResult {
    const started = performance.now();
    const index = this.index();
    // Always computed afresh (and remembered for the facet call that usually follows for the same text).
    const match = this.matchText(params.text);
    this.remember(params.text, match);
    const candidates = match.codes ?? index.byName;
    const active = activeFilters(params.filters, index);
    const filtered: number[] = [];
    for (const code of candidates) {
      const ids = index.ids.get(code);
      if (ids && active.every(([facet, wanted]) => accepts(ids, facet, wanted))) filtered.push(code);
    }
    const page = filtered.slice(params.offset, params.offset + params.limit);
    // A snippet explains a match the name does not show; where the name has every word, it adds nothing.
    const tokens = wordsOf(params.text);
    const nameShowsMatch = (code: number) => {
      const words = index.names.get(code)?.words ?? [];
      return tokens.every((t) => words.some((w) => w.startsWith(t)));
    };
    const textCodes = match.ftsQuery ? page.filter((c) => match.matchedBy.get(c) === 'text' && !nameShowsMatch(c)) : [];
    const snippets = match.ftsQuery ? this.repo.snippets(match.ftsQuery, textCodes) : new Map<number, string>();
    const hits: SearchHit[] = [];
    for (const code of page) {
      const row = index.rows.get(code);
      if (!row) continue;
      const hit: SearchHit = {
        orphaCode: String(code),
        name: clip(row.name, MAX_HIT_TEXT),
        disorderType: clip(row.disorderType, MAX_HIT_TEXT),
        isDemo: row.isDemo,
        phenotypeCount: row.phenotypeCount,
        geneCount: row.geneCount,
        matchedBy: match.matchedBy.get(code) ?? 'all',
      };
      const snippet = snippets.get(code) ?? (match.hpo ? `«${match.hpo.id}» ${match.hpo.term ?? '(term not named)'}` : undefined);
      if (snippet !== undefined) hit.snippet = clip(snippet, MAX_HIT_TEXT);
      hits.push(hit);
    }
    return { hits, total: filtered.length, tookMs: Math.round((performance.now() - started) * 100) / 100 };
  }

  /** Counts per facet value over the entries matching the text and every other facet's filter. */
  facets(text: string, filters: FacetFilter): FacetCounts {
    const index = this.index();
    const match = this.cachedMatch(text);
    const candidates = match.codes ?? index.byName;
    const rows: FacetIds[] = [];
    for (const code of candidates) {
      const ids = index.ids.get(code);
      if (ids) rows.push(ids);
    }
    const active = activeFilters(filters, index);
    // ok[f][i]: does candidate i pass filter f? Each facet is then counted over the other filters only.
    const ok = active.map(([facet, wanted]) => Uint8Array.from(rows, (v) => (accepts(v, facet, wanted) ? 1 : 0)));
    const out = {} as FacetCounts;
    for (const facet of FACETS) {
      const others = ok.filter((_, k) => active[k]?.[0] !== facet);
      const dict = index.dict[facet];
      const counts = new Int32Array(dict.length);
      for (let i = 0; i < rows.length; i++) {
        let pass = true;
        for (const o of others) {
          if (o[i] === 0) {
            pass = false;
            break;
          }
        }
        if (!pass) continue;
        for (const id of (rows[i] as FacetIds)[facet]) counts[id] = (counts[id] as number) + 1;
      }
      const values: FacetValue[] = [];
      counts.forEach((count, id) => {
        if (count === 0) return;
        const value = dict[id] as string;
        values.push({
          value,
          label: facet === 'branch' ? (index.branchNames.get(value) ?? value) : (FACET_LABELS[facet]?.[value] ?? value),
          count,
        });
      });
      values.sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
      out[facet] = values;
    }
    return out;
  }
}

/**
 * Characters of a name, type or snippet one search hit carries. Imports refuse longer labels, but a database
 * written before that limit may hold one (a 200 MB label once made every search answer 210 MB): a hit stays a
 * line of a list whatever the row holds; the disorder page shows the whole entry.
 */
export const MAX_HIT_TEXT = 500;

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
