import { z } from 'zod';

/** Orphanet disorder as the app shows and uses it. Codes are strings ("558"), as Orphanet writes them. */
export interface DisorderSummary {
  orphaCode: string;
  name: string;
  disorderType: string;
  isDemo: boolean;
  phenotypeCount: number;
  geneCount: number;
}

export interface SearchHit extends DisorderSummary {
  /** Why it matched: 'code' | 'omim' | 'gene' | 'hpo' | 'text'. */
  matchedBy: 'code' | 'omim' | 'gene' | 'hpo' | 'text' | 'all';
  /** Short excerpt of the text that matched, when full-text search found it. */
  snippet?: string;
}

export interface Phenotype {
  hpoId: string;
  term: string;
  /** Orphanet frequency class, e.g. "Very frequent (99-80%)". */
  frequency: string;
}

export interface GeneAssociation {
  symbol: string;
  name: string;
  associationType: string;
  hgncId: string | null;
  omimId: string | null;
  /** Set when the gene is listed on a child (subtype) of this disorder rather than on the disorder itself. */
  viaChild: { orphaCode: string; name: string } | null;
}

export interface Prevalence {
  prevalenceType: string;
  qualification: string;
  prevalenceClass: string | null;
  meanValue: string | null;
  geographic: string | null;
  source: string | null;
  validationStatus: string | null;
}

export interface ExternalReference {
  source: string;
  reference: string;
  mappingRelation: string | null;
}

export interface DisorderLink {
  orphaCode: string;
  name: string;
  /** False when the linked entry has no packet of its own in the database. */
  present: boolean;
}

export interface DisorderDetail {
  orphaCode: string;
  name: string;
  disorderType: string;
  definition: string | null;
  purl: string | null;
  synonyms: string[];
  externalReferences: ExternalReference[];
  parents: DisorderLink[];
  children: DisorderLink[];
  /** Top-level classification branches this disorder falls under (roots of the parent graph). */
  branches: DisorderLink[];
  phenotypes: Phenotype[];
  genes: GeneAssociation[];
  prevalences: Prevalence[];
  onsets: string[];
  inheritance: string[];
  isDemo: boolean;
  source: { version: string | null; created: string | null; copyright: string | null };
}

export const facetNames = [
  'disorderType',
  'branch',
  'prevalenceClass',
  'inheritance',
  'onset',
  'hasPhenotypes',
  'hasGenes',
] as const;
export type FacetName = (typeof facetNames)[number];

export const facetFilterSchema = z
  .object({
    disorderType: z.array(z.string()).optional(),
    branch: z.array(z.string()).optional(),
    prevalenceClass: z.array(z.string()).optional(),
    inheritance: z.array(z.string()).optional(),
    onset: z.array(z.string()).optional(),
    hasPhenotypes: z.boolean().optional(),
    hasGenes: z.boolean().optional(),
  })
  .strict();
export type FacetFilter = z.infer<typeof facetFilterSchema>;

export interface FacetValue {
  value: string;
  /** Display label (branch names for branch codes; the value otherwise). */
  label: string;
  count: number;
}
export type FacetCounts = Record<FacetName, FacetValue[]>;

export const searchInputSchema = z
  .object({
    text: z.string().max(500).default(''),
    filters: facetFilterSchema.default({}),
    limit: z.number().int().min(1).max(20000).default(50),
    offset: z.number().int().min(0).default(0),
  })
  .strict();
export type SearchInput = z.input<typeof searchInputSchema>;

export interface SearchResult {
  hits: SearchHit[];
  total: number;
  tookMs: number;
}

export interface KnowledgeStats {
  disorders: number;
  phenotypeAssociations: number;
  geneAssociations: number;
  genes: number;
  prevalences: number;
  sourceVersion: string | null;
  importedAt: string | null;
  isDemo: boolean;
  /** Gene links a disorder inherits from its subtypes (not counted in geneAssociations). */
  childGeneAssociations: number;
}

export interface ImportReport {
  packets: number;
  added: number;
  removed: number;
  changed: number;
  unchanged: number;
  skipped: { file: string; reason: string }[];
  sourceVersion: string | null;
  tookMs: number;
}

/** The imported HPO ontology (an optional hp.obo import). */
export interface HpoSummary {
  file: string;
  version: string | null;
  importedAt: string;
  terms: number;
}
