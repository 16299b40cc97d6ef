/**
 * The HPO ontology (an optional `hp.obo` import): terms with their names and exact synonyms, and the is_a edges
 * the question checker walks to judge a wrong option that is a broader version of a true finding. One import at
 * a time: a new one replaces the whole ontology.
 */
export const sql = `
CREATE TABLE kb_hpo_terms (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  synonyms TEXT NOT NULL
);

CREATE TABLE kb_hpo_is_a (
  child TEXT NOT NULL,
  parent TEXT NOT NULL,
  PRIMARY KEY (child, parent)
);

CREATE TABLE kb_hpo_import (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  file TEXT NOT NULL,
  version TEXT,
  sha256 TEXT NOT NULL,
  imported_at TEXT NOT NULL,
  terms INTEGER NOT NULL
);
`;
