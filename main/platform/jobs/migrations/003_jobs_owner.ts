/** Which process runs a job ("host:pid"), so a second process (the CLI beside the app) leaves it alone. */
export const sql = `
ALTER TABLE jobs ADD COLUMN owner TEXT;
`;
