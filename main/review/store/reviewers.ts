/** SQL for rev_reviewers: the reviewer profiles and the password hashes browser mode's login checks. */
import type { Statement } from 'better-sqlite3';
import type { ReviewerRole } from '../../../api/review.js';
import type { Db } from '../../platform/db/open.js';
import { toReviewer, type RawReviewer, type ReviewerRow } from './rows.js';

export class ReviewerStore {
  private readonly all: Statement<[], RawReviewer>;
  private readonly byId: Statement<[number], RawReviewer>;
  private readonly byName: Statement<[string], RawReviewer>;
  private readonly local: Statement<[], RawReviewer>;
  private readonly insert: Statement<[string, ReviewerRole, number, string | null, string]>;
  private readonly setRole: Statement<[ReviewerRole, number]>;
  private readonly setPassword: Statement<[string, number]>;

  constructor(db: Db) {
    this.all = db.prepare<[], RawReviewer>('SELECT * FROM rev_reviewers ORDER BY id');
    this.byId = db.prepare<[number], RawReviewer>('SELECT * FROM rev_reviewers WHERE id = ?');
    // The column is COLLATE NOCASE, so this matches regardless of case.
    this.byName = db.prepare<[string], RawReviewer>('SELECT * FROM rev_reviewers WHERE name = ?');
    this.local = db.prepare<[], RawReviewer>('SELECT * FROM rev_reviewers WHERE is_local = 1 ORDER BY id LIMIT 1');
    this.insert = db.prepare('INSERT INTO rev_reviewers (name, role, is_local, password_hash, created_at) VALUES (?, ?, ?, ?, ?)');
    this.setRole = db.prepare('UPDATE rev_reviewers SET role = ? WHERE id = ?');
    this.setPassword = db.prepare('UPDATE rev_reviewers SET password_hash = ? WHERE id = ?');
  }

  list(): ReviewerRow[] {
    return this.all.all().map(toReviewer);
  }

  get(id: number): ReviewerRow | null {
    const r = this.byId.get(id);
    return r ? toReviewer(r) : null;
  }

  byExactName(name: string): ReviewerRow | null {
    const r = this.byName.get(name);
    return r ? toReviewer(r) : null;
  }

  localProfile(): ReviewerRow {
    const r = this.local.get();
    if (!r) throw new Error('rev_reviewers has no local profile');
    return toReviewer(r);
  }

  add(r: { name: string; role: ReviewerRole; passwordHash: string | null; isLocal: boolean }): ReviewerRow {
    const info = this.insert.run(r.name, r.role, r.isLocal ? 1 : 0, r.passwordHash, new Date().toISOString());
    return this.get(Number(info.lastInsertRowid)) as ReviewerRow;
  }

  update(id: number, change: { role?: ReviewerRole | undefined; passwordHash?: string | undefined }): void {
    if (change.role) this.setRole.run(change.role, id);
    if (change.passwordHash) this.setPassword.run(change.passwordHash, id);
  }
}
