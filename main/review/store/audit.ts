/**
 * SQL for the append-only log rev_audit and the caches derived from it: rev_state (per reviewer) and the
 * decision columns of rev_items. The caches are only ever written from a fold of the log (writeOutcome).
 */
import type { Statement } from 'better-sqlite3';
import type { ItemStatus } from '../../../api/review.js';
import type { Db } from '../../platform/db/open.js';
import type { ItemOutcome } from '../fold.js';
import { toAudit, type AuditRow, type ItemKey, type NewAudit, type RawAudit } from './rows.js';
import { placeholders, StatementCache } from './statements.js';

const auditSelect = `SELECT a.*, r.name AS reviewer_name, u.id AS reverted_by
  FROM rev_audit a JOIN rev_reviewers r ON r.id = a.reviewer_id
  LEFT JOIN rev_audit u ON u.reverts = a.id`;

type InsertAudit = Omit<Required<NewAudit>, 'adjudication' | 'before' | 'after'> & { adjudication: number; before: string; after: string };

/** Which entries a listing covers: datasets or one item, and in blind review one reviewer's own rows. */
export interface AuditScope {
  datasetIds?: readonly number[] | undefined;
  item?: ItemKey | undefined;
  reviewerId?: number | undefined;
}

export interface ReviewerStateRow {
  datasetId: number;
  seq: number;
  reviewerId: number;
  status: ItemStatus;
  answer: string | null;
  at: string;
}

export class AuditStore {
  private readonly forItem: Statement<[number, number], RawAudit>;
  private readonly byId: Statement<[number], RawAudit>;
  private readonly insert: Statement<[InsertAudit]>;
  private readonly undoable: Statement<[number], RawAudit>;
  private readonly undoableOnItem: Statement<[number, number, number], RawAudit>;
  private readonly deleteStates: Statement<[number, number]>;
  private readonly insertState: Statement<[number, number, number, string, string | null, string | null, string | null, number, number, string]>;
  private readonly updateItem: Statement<[ItemStatus, string | null, string | null, string | null, number, number, number]>;
  private readonly audited: Statement<[], ItemKey>;
  private readonly dynamic: StatementCache;

  constructor(private readonly db: Db) {
    this.dynamic = new StatementCache(db);
    this.forItem = db.prepare(`${auditSelect} WHERE a.dataset_id = ? AND a.seq = ? ORDER BY a.id`);
    this.byId = db.prepare(`${auditSelect} WHERE a.id = ?`);
    this.insert = db.prepare(
      `INSERT INTO rev_audit (at, reviewer_id, dataset_id, seq, question_id, action, answer, reason, note, pseudo_label, adjudication, reverts, batch, before, after)
       VALUES (@at, @reviewerId, @datasetId, @seq, @questionId, @action, @answer, @reason, @note, @pseudoLabel, @adjudication, @reverts, @batch, @before, @after)`,
    );
    const undoable = (where: string) =>
      `${auditSelect} WHERE a.reviewer_id = ? ${where} AND a.action <> 'undo'
       AND NOT EXISTS (SELECT 1 FROM rev_audit x WHERE x.reverts = a.id) ORDER BY a.id DESC LIMIT 1`;
    this.undoable = db.prepare(undoable(''));
    this.undoableOnItem = db.prepare(undoable('AND a.dataset_id = ? AND a.seq = ?'));
    this.deleteStates = db.prepare('DELETE FROM rev_state WHERE dataset_id = ? AND seq = ?');
    this.insertState = db.prepare(
      `INSERT INTO rev_state (dataset_id, seq, reviewer_id, status, answer, reason, note, adjudication, audit_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.updateItem = db.prepare(`UPDATE rev_items SET status = ?, answer = ?, stem = ?, options = ?, edit_version = ? WHERE dataset_id = ? AND seq = ?`);
    this.audited = db.prepare('SELECT DISTINCT dataset_id AS datasetId, seq FROM rev_audit ORDER BY dataset_id, seq');
  }

  append(a: NewAudit): number {
    const info = this.insert.run({
      at: a.at,
      reviewerId: a.reviewerId,
      datasetId: a.datasetId,
      seq: a.seq,
      questionId: a.questionId,
      action: a.action,
      answer: a.answer ?? null,
      reason: a.reason ?? null,
      note: a.note ?? null,
      pseudoLabel: a.pseudoLabel,
      adjudication: a.adjudication ? 1 : 0,
      reverts: a.reverts ?? null,
      batch: a.batch ?? null,
      before: JSON.stringify(a.before ?? null),
      after: JSON.stringify(a.after ?? null),
    });
    return Number(info.lastInsertRowid);
  }

  forItemInOrder(datasetId: number, seq: number): AuditRow[] {
    return this.forItem.all(datasetId, seq).map(toAudit);
  }

  entry(id: number): AuditRow | null {
    const r = this.byId.get(id);
    return r ? toAudit(r) : null;
  }

  /** The reviewer's most recent entry that is neither an undo nor already reverted. */
  latestUndoable(reviewerId: number, item?: ItemKey): AuditRow | null {
    const r = item ? this.undoableOnItem.get(reviewerId, item.datasetId, item.seq) : this.undoable.get(reviewerId);
    return r ? toAudit(r) : null;
  }

  page(scope: AuditScope, offset: number, limit: number): { total: number; entries: AuditRow[] } {
    const { where, args } = scopeWhere(scope);
    const total = (this.dynamic.get(`SELECT COUNT(*) AS n FROM rev_audit a ${where}`).get(...args) as { n: number }).n;
    const entries = (this.dynamic.get(`${auditSelect} ${where} ORDER BY a.id DESC LIMIT ? OFFSET ?`).all(...args, limit, offset) as RawAudit[]).map(toAudit);
    return { total, entries };
  }

  /** Every entry in log order (exports, agreement, rebuild). */
  *all(scope: AuditScope = {}): Generator<AuditRow> {
    const { where, args } = scopeWhere(scope);
    // Not from the cache: a statement that is iterating cannot be run again until the iteration ends.
    for (const r of this.db.prepare(`${auditSelect} ${where} ORDER BY a.id`).iterate(...args)) yield toAudit(r as RawAudit);
  }

  /** Rewrites the derived caches of one item from its fold; call inside the transaction that appended to the log. */
  writeOutcome(datasetId: number, seq: number, outcome: ItemOutcome): void {
    this.deleteStates.run(datasetId, seq);
    for (const s of outcome.states) {
      this.insertState.run(datasetId, seq, s.reviewerId, s.status, s.answer, s.reason, s.note, s.adjudication ? 1 : 0, s.auditId, s.at);
    }
    this.updateItem.run(
      outcome.status,
      outcome.answer,
      outcome.content?.stem ?? null,
      outcome.content ? JSON.stringify(outcome.content.options) : null,
      outcome.editVersion,
      datasetId,
      seq,
    );
  }

  /** Items with at least one audit row (for a full rebuild). */
  auditedItems(): ItemKey[] {
    return this.audited.all();
  }

  resetDerived(): void {
    this.db.exec(`DELETE FROM rev_state; UPDATE rev_items SET status = 'pending', answer = NULL, stem = NULL, options = NULL, edit_version = 0`);
  }

  /** Per-reviewer verdicts in the given datasets, for agreement. */
  states(datasetIds?: readonly number[]): ReviewerStateRow[] {
    const where = datasetIds?.length ? `WHERE s.dataset_id IN (${placeholders(datasetIds.length)})` : '';
    return this.dynamic
      .get(`SELECT s.dataset_id AS datasetId, s.seq, s.reviewer_id AS reviewerId, s.status, s.answer, s.at FROM rev_state s ${where} ORDER BY s.dataset_id, s.seq`)
      .all(...(datasetIds ?? [])) as ReviewerStateRow[];
  }
}

function scopeWhere(scope: AuditScope): { where: string; args: number[] } {
  const parts: string[] = [];
  const args: number[] = [];
  if (scope.item) {
    parts.push('a.dataset_id = ? AND a.seq = ?');
    args.push(scope.item.datasetId, scope.item.seq);
  } else if (scope.datasetIds?.length) {
    parts.push(`a.dataset_id IN (${placeholders(scope.datasetIds.length)})`);
    args.push(...scope.datasetIds);
  }
  if (scope.reviewerId !== undefined) {
    parts.push('a.reviewer_id = ?');
    args.push(scope.reviewerId);
  }
  return { where: parts.length ? `WHERE ${parts.join(' AND ')}` : '', args };
}
