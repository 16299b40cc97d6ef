/**
 * Synthetic datasets (named, versioned, immutable once complete), their questions with provenance, and
 * pseudo-labelling runs with every sample's full text.
 */
export const sql = `
CREATE TABLE syn_datasets (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  version INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('building','complete')),
  created_at TEXT NOT NULL,
  generator TEXT NOT NULL,
  model TEXT,
  seed INTEGER NOT NULL,
  plan TEXT NOT NULL,
  params TEXT NOT NULL,
  report TEXT,
  knowledge_version TEXT,
  job_id TEXT,
  UNIQUE (name, version)
);
CREATE INDEX syn_datasets_by_job ON syn_datasets(job_id);

CREATE TABLE syn_questions (
  dataset_id INTEGER NOT NULL REFERENCES syn_datasets(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  id TEXT NOT NULL,
  question_type TEXT NOT NULL,
  difficulty TEXT NOT NULL,
  stem TEXT NOT NULL,
  options TEXT NOT NULL,
  intended_answer TEXT NOT NULL,
  answer_code TEXT NOT NULL,
  provenance TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('accepted','rejected')),
  reject_reason TEXT,
  PRIMARY KEY (dataset_id, seq),
  UNIQUE (dataset_id, id)
);
CREATE INDEX syn_questions_by_status ON syn_questions(dataset_id, status, seq);

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

CREATE TABLE llm_models (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  path TEXT NOT NULL UNIQUE,
  copied INTEGER NOT NULL,
  size_bytes INTEGER NOT NULL,
  architecture TEXT,
  parameters INTEGER,
  quantization TEXT,
  context_length INTEGER,
  chat_template TEXT,
  added_at TEXT NOT NULL
);
`;
