/**
 * Pseudo-labelling runs with every sample's full text: labeling's part of the released step 010_synthesis
 * (see Migration.part), applied right after synthesis's part in the same transaction.
 */
export const sql = `
CREATE TABLE lab_runs (
  id INTEGER PRIMARY KEY,
  dataset_id INTEGER NOT NULL REFERENCES syn_datasets(id) ON DELETE CASCADE,
  model_path TEXT NOT NULL,
  adapter_path TEXT,
  settings TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('running','complete')),
  created_at TEXT NOT NULL,
  finished_at TEXT,
  job_id TEXT
);
CREATE INDEX lab_runs_by_job ON lab_runs(job_id);

CREATE TABLE lab_labels (
  run_id INTEGER NOT NULL REFERENCES lab_runs(id) ON DELETE CASCADE,
  dataset_id INTEGER NOT NULL,
  question_seq INTEGER NOT NULL,
  label TEXT,
  votes TEXT NOT NULL,
  vote_share REAL NOT NULL,
  tie INTEGER NOT NULL,
  agrees INTEGER,
  tokens INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (run_id, question_seq),
  FOREIGN KEY (dataset_id, question_seq) REFERENCES syn_questions(dataset_id, seq) ON DELETE CASCADE
);
CREATE INDEX lab_labels_by_question ON lab_labels(dataset_id, question_seq);

CREATE TABLE lab_samples (
  run_id INTEGER NOT NULL,
  question_seq INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  text TEXT NOT NULL,
  extracted TEXT,
  recovered INTEGER NOT NULL,
  tokens INTEGER NOT NULL,
  PRIMARY KEY (run_id, question_seq, idx),
  FOREIGN KEY (run_id, question_seq) REFERENCES lab_labels(run_id, question_seq) ON DELETE CASCADE
);
`;
