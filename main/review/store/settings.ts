/** SQL for rev_settings: the guidelines text and the blind-review switch, each with who changed it last. */
import type { Statement } from 'better-sqlite3';
import type { Db } from '../../platform/db/open.js';

export interface Setting {
  value: string;
  updatedAt: string;
  updatedBy: string | null;
}

export class SettingsStore {
  private readonly read: Statement<[string], { value: string; updated_at: string; updated_by: string | null }>;
  private readonly write: Statement<[string, string, string, number]>;

  constructor(db: Db) {
    this.read = db.prepare(
      `SELECT s.value, s.updated_at, r.name AS updated_by FROM rev_settings s LEFT JOIN rev_reviewers r ON r.id = s.updated_by WHERE s.key = ?`,
    );
    this.write = db.prepare(
      `INSERT INTO rev_settings (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?)
       ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
    );
  }

  get(key: string): Setting | null {
    const r = this.read.get(key);
    return r ? { value: r.value, updatedAt: r.updated_at, updatedBy: r.updated_by } : null;
  }

  put(key: string, value: string, reviewerId: number): void {
    this.write.run(key, value, new Date().toISOString(), reviewerId);
  }
}
