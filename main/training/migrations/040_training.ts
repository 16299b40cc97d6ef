/**
 * Training runs: the exact data each stage trained on (a snapshot, so a run stays traceable after its sources
 * change), one row per optimiser step (metrics and where the time went), quick evaluations, checkpoints to
 * resume from, exported adapters and the run's log.
 */
export const sql = `
CREATE TABLE train_runs (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  job_id TEXT UNIQUE,
  state TEXT NOT NULL CHECK (state IN ('preparing','running','completed','failed','cancelled','interrupted')),
  created_at TEXT NOT NULL,
  finished_at TEXT,
  model_path TEXT NOT NULL,
  preset TEXT NOT NULL,
  input TEXT NOT NULL,
  settings TEXT NOT NULL,
  data_summary TEXT NOT NULL,
  out_dir TEXT NOT NULL,
  trainer TEXT,
  error TEXT
);

CREATE TABLE train_items (
  run_id INTEGER NOT NULL REFERENCES train_runs(id) ON DELETE CASCADE,
  stage INTEGER NOT NULL CHECK (stage IN (1, 2)),
  split TEXT NOT NULL CHECK (split IN ('train', 'heldout')),
  idx INTEGER NOT NULL,
  source TEXT NOT NULL,
  question TEXT NOT NULL,
  letters TEXT NOT NULL,
  label TEXT NOT NULL,
  vote_share REAL,
  PRIMARY KEY (run_id, stage, split, idx)
);

CREATE TABLE train_steps (
  run_id INTEGER NOT NULL REFERENCES train_runs(id) ON DELETE CASCADE,
  step INTEGER NOT NULL,
  stage INTEGER NOT NULL,
  stage_step INTEGER NOT NULL,
  metrics TEXT NOT NULL,
  timings TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (run_id, step)
);

CREATE TABLE train_evals (
  run_id INTEGER NOT NULL REFERENCES train_runs(id) ON DELETE CASCADE,
  step INTEGER NOT NULL,
  stage INTEGER NOT NULL,
  n INTEGER NOT NULL,
  correct INTEGER NOT NULL,
  invalid INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (run_id, step, stage)
);

CREATE TABLE train_checkpoints (
  run_id INTEGER NOT NULL REFERENCES train_runs(id) ON DELETE CASCADE,
  step INTEGER NOT NULL,
  stage INTEGER NOT NULL,
  checkpoint_path TEXT NOT NULL,
  adapter_path TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (run_id, step)
);

CREATE TABLE train_adapters (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES train_runs(id) ON DELETE CASCADE,
  step INTEGER NOT NULL,
  stage INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('checkpoint', 'stage-end', 'final')),
  path TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (run_id, step, kind)
);

CREATE TABLE train_logs (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES train_runs(id) ON DELETE CASCADE,
  at TEXT NOT NULL,
  level TEXT NOT NULL,
  message TEXT NOT NULL
);
CREATE INDEX train_logs_by_run ON train_logs(run_id, id);
`;
