/**
 * Expert review. rev_audit is the record: append-only, enforced by triggers, so not even our own code can
 * rewrite history. rev_state (per reviewer) and rev_items (per item) are caches derived from it, rewritten in
 * the same transaction as each audit row and rebuildable from the log at any time.
 */
export const sql = `
CREATE TABLE rev_reviewers (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  role TEXT NOT NULL CHECK (role IN ('reviewer','admin')),
  is_local INTEGER NOT NULL DEFAULT 0,
  password_hash TEXT,
  created_at TEXT NOT NULL
);
INSERT INTO rev_reviewers (id, name, role, is_local, created_at)
VALUES (1, 'Local reviewer', 'admin', 1, strftime('%Y-%m-%dT%H:%M:%fZ','now'));

CREATE TABLE rev_settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  updated_by INTEGER REFERENCES rev_reviewers(id)
);

CREATE TABLE rev_audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  reviewer_id INTEGER NOT NULL REFERENCES rev_reviewers(id),
  dataset_id INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  question_id TEXT NOT NULL,
  action TEXT NOT NULL CHECK (action IN ('accept','answer','edit','reject','skip','comment','undo')),
  answer TEXT,
  reason TEXT CHECK (reason IS NULL OR reason IN ('medically-wrong','ambiguous','multiple-correct','memorization','duplicate','other')),
  note TEXT,
  pseudo_label TEXT,
  adjudication INTEGER NOT NULL DEFAULT 0,
  reverts INTEGER REFERENCES rev_audit(id),
  batch TEXT,
  before TEXT NOT NULL,
  after TEXT NOT NULL
);
CREATE INDEX rev_audit_by_item ON rev_audit(dataset_id, seq, id);
CREATE INDEX rev_audit_by_reviewer ON rev_audit(reviewer_id, id);
CREATE UNIQUE INDEX rev_audit_one_undo ON rev_audit(reverts) WHERE reverts IS NOT NULL;

CREATE TRIGGER rev_audit_no_update BEFORE UPDATE ON rev_audit
BEGIN
  SELECT RAISE(ABORT, 'rev_audit is append-only: UPDATE refused');
END;
CREATE TRIGGER rev_audit_no_delete BEFORE DELETE ON rev_audit
BEGIN
  SELECT RAISE(ABORT, 'rev_audit is append-only: DELETE refused');
END;

CREATE TABLE rev_state (
  dataset_id INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  reviewer_id INTEGER NOT NULL,
  status TEXT NOT NULL,
  answer TEXT,
  reason TEXT,
  note TEXT,
  adjudication INTEGER NOT NULL DEFAULT 0,
  audit_id INTEGER NOT NULL,
  at TEXT NOT NULL,
  PRIMARY KEY (dataset_id, seq, reviewer_id)
);
CREATE INDEX rev_state_by_reviewer ON rev_state(reviewer_id, dataset_id, seq);

CREATE TABLE rev_items (
  dataset_id INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  question_id TEXT NOT NULL,
  question_type TEXT NOT NULL,
  difficulty TEXT NOT NULL,
  answer_code INTEGER,
  orpha_codes TEXT NOT NULL,
  intended_answer TEXT NOT NULL,
  pseudo_label TEXT,
  vote_share REAL,
  tie INTEGER NOT NULL DEFAULT 0,
  disagree INTEGER NOT NULL DEFAULT 0,
  label_run INTEGER,
  status TEXT NOT NULL DEFAULT 'pending',
  answer TEXT,
  stem TEXT,
  options TEXT,
  edit_version INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (dataset_id, seq)
);
CREATE INDEX rev_items_uncertainty ON rev_items(dataset_id, vote_share, seq);
CREATE INDEX rev_items_status ON rev_items(dataset_id, status);
CREATE INDEX rev_items_answer_code ON rev_items(answer_code);

-- Which label state each dataset's rev_items reflect, so the queue re-syncs only after new labels.
CREATE TABLE rev_synced (
  dataset_id INTEGER PRIMARY KEY,
  key TEXT NOT NULL
);
`;
