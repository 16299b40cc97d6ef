/**
 * Benchmark sets imported from MedSSR-format files (named, versioned by content, immutable) and evaluation
 * runs with every generation's full text, extracted answer and recovery flag, so two runs can be compared
 * question by question.
 */
export const sql = `
CREATE TABLE eval_benchmarks (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  version INTEGER NOT NULL,
  question_count INTEGER NOT NULL,
  letters TEXT NOT NULL,
  source_path TEXT,
  sha256 TEXT NOT NULL,
  imported_at TEXT NOT NULL,
  UNIQUE (name, version)
);
CREATE INDEX eval_benchmarks_by_hash ON eval_benchmarks(name, sha256);

CREATE TABLE eval_questions (
  benchmark_id INTEGER NOT NULL REFERENCES eval_benchmarks(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  external_id TEXT NOT NULL,
  question TEXT NOT NULL,
  gold TEXT NOT NULL,
  options TEXT NOT NULL,
  extra TEXT,
  PRIMARY KEY (benchmark_id, seq)
);

CREATE TABLE eval_runs (
  id INTEGER PRIMARY KEY,
  job_id TEXT UNIQUE,
  label TEXT NOT NULL,
  model_path TEXT NOT NULL,
  adapter_path TEXT,
  generations INTEGER NOT NULL,
  question_limit INTEGER,
  settings TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('running','completed')),
  created_at TEXT NOT NULL,
  completed_at TEXT
);

CREATE TABLE eval_run_sets (
  run_id INTEGER NOT NULL REFERENCES eval_runs(id) ON DELETE CASCADE,
  benchmark_id INTEGER NOT NULL REFERENCES eval_benchmarks(id),
  position INTEGER NOT NULL,
  PRIMARY KEY (run_id, benchmark_id)
);

CREATE TABLE eval_generations (
  run_id INTEGER NOT NULL REFERENCES eval_runs(id) ON DELETE CASCADE,
  benchmark_id INTEGER NOT NULL,
  question_seq INTEGER NOT NULL,
  generation INTEGER NOT NULL,
  text TEXT NOT NULL,
  extracted TEXT,
  answer TEXT,
  recovered INTEGER NOT NULL,
  correct INTEGER NOT NULL,
  tokens INTEGER NOT NULL,
  stop_reason TEXT,
  created_at TEXT NOT NULL,
  PRIMARY KEY (run_id, benchmark_id, question_seq, generation),
  FOREIGN KEY (benchmark_id, question_seq) REFERENCES eval_questions(benchmark_id, seq)
);
`;
