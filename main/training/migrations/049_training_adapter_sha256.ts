/**
 * Each adapter's content hash, so a copy of it (an export, a file moved to another folder) is still known as the
 * adapter of its run. NULL for rows written before this migration: they are hashed when first needed.
 */
export const sql = `
ALTER TABLE train_adapters ADD COLUMN sha256 TEXT;
CREATE INDEX train_adapters_sha256 ON train_adapters (sha256);
`;
