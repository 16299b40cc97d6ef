/**
 * Synthetic datasets (named, versioned, immutable once complete) and their questions with provenance.
 * Released as one step with labeling's and llm's parts of 010_synthesis (see Migration.part).
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
`;
