export const sql = `
CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  title TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('queued','running','completed','failed','cancelled','interrupted')),
  params TEXT NOT NULL,
  progress TEXT NOT NULL,
  checkpoint TEXT,
  result TEXT,
  error TEXT,
  created_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT
);
CREATE INDEX jobs_by_state ON jobs(state);
CREATE INDEX jobs_by_created ON jobs(created_at);
`;
