/**
 * The model registry: llm's part of the released step 010_synthesis (see Migration.part), applied after
 * synthesis's and labeling's parts in the same transaction.
 */
export const sql = `
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
