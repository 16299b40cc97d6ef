/**
 * Orphanet knowledge. Disorders are keyed by their numeric ORPHAcode (the rowid, so FTS rows share it);
 * every list a packet carries keeps its order in `pos`. Parents and children are stored as each packet lists
 * them (with the label it gives), so links to entries without a packet of their own still show a name.
 */
export const sql = `
CREATE TABLE kb_disorders (
  code INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  disorder_type TEXT NOT NULL,
  definition TEXT,
  purl TEXT,
  is_demo INTEGER NOT NULL DEFAULT 0,
  content_hash TEXT NOT NULL,
  phenotype_count INTEGER NOT NULL,
  gene_count INTEGER NOT NULL,
  source_version TEXT,
  source_created TEXT,
  source_copyright TEXT,
  source_file TEXT
);
CREATE INDEX kb_disorders_name ON kb_disorders(name COLLATE NOCASE);
CREATE INDEX kb_disorders_type ON kb_disorders(disorder_type);

CREATE TABLE kb_synonyms (
  code INTEGER NOT NULL REFERENCES kb_disorders(code) ON DELETE CASCADE,
  pos INTEGER NOT NULL,
  synonym TEXT NOT NULL,
  PRIMARY KEY (code, pos)
) WITHOUT ROWID;
CREATE INDEX kb_synonyms_text ON kb_synonyms(synonym COLLATE NOCASE);

CREATE TABLE kb_external_refs (
  code INTEGER NOT NULL REFERENCES kb_disorders(code) ON DELETE CASCADE,
  pos INTEGER NOT NULL,
  source TEXT NOT NULL,
  reference TEXT NOT NULL,
  mapping_relation TEXT,
  PRIMARY KEY (code, pos)
) WITHOUT ROWID;
CREATE INDEX kb_external_refs_ref ON kb_external_refs(source, reference);

CREATE TABLE kb_parents (
  code INTEGER NOT NULL REFERENCES kb_disorders(code) ON DELETE CASCADE,
  pos INTEGER NOT NULL,
  parent_code INTEGER NOT NULL,
  parent_name TEXT NOT NULL,
  PRIMARY KEY (code, pos)
) WITHOUT ROWID;
CREATE INDEX kb_parents_parent ON kb_parents(parent_code);

CREATE TABLE kb_children (
  code INTEGER NOT NULL REFERENCES kb_disorders(code) ON DELETE CASCADE,
  pos INTEGER NOT NULL,
  child_code INTEGER NOT NULL,
  child_name TEXT NOT NULL,
  PRIMARY KEY (code, pos)
) WITHOUT ROWID;
CREATE INDEX kb_children_child ON kb_children(child_code);

CREATE TABLE kb_phenotypes (
  code INTEGER NOT NULL REFERENCES kb_disorders(code) ON DELETE CASCADE,
  pos INTEGER NOT NULL,
  hpo_id TEXT NOT NULL,
  term TEXT NOT NULL,
  frequency TEXT NOT NULL,
  PRIMARY KEY (code, pos)
) WITHOUT ROWID;
CREATE INDEX kb_phenotypes_hpo ON kb_phenotypes(hpo_id);

-- via_child_code is NULL for genes listed on the disorder itself and set for genes its subtypes carry.
CREATE TABLE kb_genes (
  code INTEGER NOT NULL REFERENCES kb_disorders(code) ON DELETE CASCADE,
  pos INTEGER NOT NULL,
  symbol TEXT NOT NULL,
  name TEXT NOT NULL,
  association_type TEXT NOT NULL,
  hgnc_id TEXT,
  omim_id TEXT,
  clinvar_id TEXT,
  via_child_code INTEGER,
  via_child_name TEXT,
  PRIMARY KEY (code, pos)
) WITHOUT ROWID;
CREATE INDEX kb_genes_symbol ON kb_genes(symbol COLLATE NOCASE);

CREATE TABLE kb_prevalences (
  code INTEGER NOT NULL REFERENCES kb_disorders(code) ON DELETE CASCADE,
  pos INTEGER NOT NULL,
  prevalence_type TEXT NOT NULL,
  qualification TEXT NOT NULL,
  prevalence_class TEXT,
  mean_value TEXT,
  geographic TEXT,
  source TEXT,
  validation_status TEXT,
  PRIMARY KEY (code, pos)
) WITHOUT ROWID;

CREATE TABLE kb_onsets (
  code INTEGER NOT NULL REFERENCES kb_disorders(code) ON DELETE CASCADE,
  pos INTEGER NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (code, pos)
) WITHOUT ROWID;

CREATE TABLE kb_inheritance (
  code INTEGER NOT NULL REFERENCES kb_disorders(code) ON DELETE CASCADE,
  pos INTEGER NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (code, pos)
) WITHOUT ROWID;

-- Derived after every import: the top-level classification branches each disorder falls under.
CREATE TABLE kb_branches (
  code INTEGER NOT NULL REFERENCES kb_disorders(code) ON DELETE CASCADE,
  branch_code INTEGER NOT NULL,
  PRIMARY KEY (code, branch_code)
) WITHOUT ROWID;

CREATE TABLE kb_meta (
  key TEXT PRIMARY KEY,
  value TEXT
);

CREATE VIRTUAL TABLE kb_fts USING fts5(
  name, synonyms, definition, phenotypes, genes,
  tokenize = 'unicode61 remove_diacritics 2',
  prefix = '1 2 3'
);
`;
