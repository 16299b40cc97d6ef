/** Seed question sets for seeded synthesis (MedSSR benchmark shape; fields beyond id/question/gold/name kept in extra). */
export const sql = `
CREATE TABLE syn_seed_sets (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  file TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  imported_at TEXT NOT NULL,
  count INTEGER NOT NULL
);

CREATE TABLE syn_seeds (
  set_id INTEGER NOT NULL REFERENCES syn_seed_sets(id) ON DELETE CASCADE,
  pos INTEGER NOT NULL,
  external_id TEXT NOT NULL,
  question TEXT NOT NULL,
  gold TEXT NOT NULL,
  options TEXT NOT NULL,
  extra TEXT,
  PRIMARY KEY (set_id, pos),
  UNIQUE (set_id, external_id)
);
`;
