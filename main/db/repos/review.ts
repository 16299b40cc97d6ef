/** SQL for expert review: reviewers, settings, the append-only audit log and the caches derived from it. */
import type { Statement } from 'better-sqlite3';
import type { AuditAction, AuditEntry, ItemStatus, QueueFilter, QueueOrder, QueueRow, RejectReason, Reviewer, ReviewerRole } from '../../../api/review.js';
import { itemStatuses } from '../../../api/review.js';
import type { QuestionOption, QuestionProvenance, QuestionType, Difficulty } from '../../../api/synthesis.js';
import type { FoldRow, ItemOutcome } from '../../review/fold.js';
import type { Db } from '../open.js';
import { voteColumns, type RawVoteColumns } from './labeling.js';

interface RawReviewer {
  id: number;
  name: string;
  role: ReviewerRole;
  is_local: number;
  password_hash: string | null;
  created_at: string;
}

export interface ReviewerRow extends Reviewer {
  passwordHash: string | null;
}

const toReviewer = (r: RawReviewer): ReviewerRow => ({
  id: r.id,
  name: r.name,
  role: r.role,
  isLocal: r.is_local === 1,
  hasPassword: r.password_hash !== null,
  passwordHash: r.password_hash,
  createdAt: r.created_at,
});

export function publicReviewer(r: ReviewerRow): Reviewer {
  return { id: r.id, name: r.name, role: r.role, isLocal: r.isLocal, hasPassword: r.hasPassword, createdAt: r.createdAt };
}

interface RawAudit {
  id: number;
  at: string;
  reviewer_id: number;
  reviewer_name: string;
  dataset_id: number;
  seq: number;
  question_id: string;
  action: AuditAction;
  answer: string | null;
  reason: RejectReason | null;
  note: string | null;
  pseudo_label: string | null;
  adjudication: number;
  reverts: number | null;
  batch: string | null;
  reverted_by: number | null;
  before: string;
  after: string;
}

export interface AuditRow extends AuditEntry {
  pseudoLabel: string | null;
}

const toAudit = (r: RawAudit): AuditRow => ({
  id: r.id,
  at: r.at,
  reviewerId: r.reviewer_id,
  reviewerName: r.reviewer_name,
  datasetId: r.dataset_id,
  seq: r.seq,
  questionId: r.question_id,
  action: r.action,
  answer: r.answer,
  reason: r.reason,
  note: r.note,
  pseudoLabel: r.pseudo_label,
  adjudication: r.adjudication === 1,
  reverts: r.reverts,
  batch: r.batch,
  revertedBy: r.reverted_by,
  before: JSON.parse(r.before) as unknown,
  after: JSON.parse(r.after) as unknown,
});

export function toFoldRow(a: AuditRow): FoldRow {
  return {
    id: a.id,
    at: a.at,
    reviewerId: a.reviewerId,
    action: a.action,
    answer: a.answer,
    reason: a.reason,
    note: a.note,
    pseudoLabel: a.pseudoLabel,
    adjudication: a.adjudication,
    reverts: a.reverts,
    after: a.after,
  };
}

export interface NewAudit {
  at: string;
  reviewerId: number;
  datasetId: number;
  seq: number;
  questionId: string;
  action: AuditAction;
  answer?: string | null;
  reason?: RejectReason | null;
  note?: string | null;
  pseudoLabel: string | null;
  adjudication?: boolean;
  reverts?: number | null;
  batch?: string | null;
  before: unknown;
  after: unknown;
}

export interface ItemRow {
  datasetId: number;
  seq: number;
  questionId: string;
  questionType: QuestionType;
  difficulty: Difficulty;
  intendedAnswer: string;
  pseudoLabel: string | null;
  voteShare: number | null;
  tie: boolean;
  status: ItemStatus;
  answer: string | null;
  content: { stem: string; options: QuestionOption[] } | null;
}

export interface QuestionRow {
  datasetId: number;
  datasetName: string;
  datasetVersion: number;
  seq: number;
  id: string;
  questionType: QuestionType;
  difficulty: Difficulty;
  stem: string;
  options: QuestionOption[];
  intendedAnswer: string;
  answerCode: string;
  provenance: QuestionProvenance;
}

export interface LabelRow extends ReturnType<typeof voteColumns> {
  runId: number;
  samples: { index: number; text: string; extracted: string | null; recovered: boolean; tokens: number }[];
}

/** Who is looking: in blind mode a reviewer's status filters and counts refer to their own decisions. */
export interface Viewer {
  reviewerId: number;
  ownView: boolean;
}

const auditSelect = `SELECT a.*, r.name AS reviewer_name, u.id AS reverted_by
  FROM rev_audit a JOIN rev_reviewers r ON r.id = a.reviewer_id
  LEFT JOIN rev_audit u ON u.reverts = a.id`;

function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export class ReviewRepo {
  private readonly stmts: Record<string, Statement>;

  constructor(private readonly db: Db) {
    this.stmts = {
      reviewerById: db.prepare('SELECT * FROM rev_reviewers WHERE id = ?'),
      reviewerByName: db.prepare('SELECT * FROM rev_reviewers WHERE name = ?'),
      auditForItem: db.prepare(`${auditSelect} WHERE a.dataset_id = ? AND a.seq = ? ORDER BY a.id`),
      auditById: db.prepare(`${auditSelect} WHERE a.id = ?`),
      insertAudit: db.prepare(
        `INSERT INTO rev_audit (at, reviewer_id, dataset_id, seq, question_id, action, answer, reason, note, pseudo_label, adjudication, reverts, batch, before, after)
         VALUES (@at, @reviewerId, @datasetId, @seq, @questionId, @action, @answer, @reason, @note, @pseudoLabel, @adjudication, @reverts, @batch, @before, @after)`,
      ),
      deleteStates: db.prepare('DELETE FROM rev_state WHERE dataset_id = ? AND seq = ?'),
      insertState: db.prepare(
        `INSERT INTO rev_state (dataset_id, seq, reviewer_id, status, answer, reason, note, adjudication, audit_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      updateItem: db.prepare(`UPDATE rev_items SET status = ?, answer = ?, stem = ?, options = ?, edit_version = ? WHERE dataset_id = ? AND seq = ?`),
      item: db.prepare('SELECT * FROM rev_items WHERE dataset_id = ? AND seq = ?'),
      question: db.prepare(
        `SELECT q.*, d.name AS dataset_name, d.version AS dataset_version FROM syn_questions q JOIN syn_datasets d ON d.id = q.dataset_id WHERE q.dataset_id = ? AND q.seq = ?`,
      ),
      latestLabel: db.prepare('SELECT * FROM lab_labels WHERE dataset_id = ? AND question_seq = ? ORDER BY run_id DESC LIMIT 1'),
      samples: db.prepare('SELECT idx, text, extracted, recovered, tokens FROM lab_samples WHERE run_id = ? AND question_seq = ? ORDER BY idx'),
      sameAnswer: db.prepare(
        `SELECT q.dataset_id, q.seq, q.id, q.stem, q.options FROM rev_items i JOIN syn_questions q ON q.dataset_id = i.dataset_id AND q.seq = i.seq
         WHERE i.answer_code = ? AND NOT (i.dataset_id = ? AND i.seq = ?) LIMIT 200`,
      ),
      syncKey: db.prepare(
        `SELECT (SELECT COUNT(*) FROM syn_questions WHERE dataset_id = @ds AND status = 'accepted') || ':' ||
                (SELECT COUNT(*) || ':' || IFNULL(MAX(run_id), 0) FROM lab_labels WHERE dataset_id = @ds) AS k`,
      ),
      syncedKey: db.prepare('SELECT key FROM rev_synced WHERE dataset_id = ?'),
      setSynced: db.prepare('INSERT INTO rev_synced (dataset_id, key) VALUES (?, ?) ON CONFLICT(dataset_id) DO UPDATE SET key = excluded.key'),
      sync: db.prepare(
        `INSERT INTO rev_items (dataset_id, seq, question_id, question_type, difficulty, answer_code, orpha_codes, intended_answer, pseudo_label, vote_share, tie, disagree, label_run)
         SELECT q.dataset_id, q.seq, q.id, q.question_type, q.difficulty, CAST(q.answer_code AS INTEGER),
                ' ' || IFNULL((SELECT group_concat(value, ' ') FROM json_each(q.provenance, '$.orphaCodes')), '') || ' ',
                q.intended_answer, l.label, CASE WHEN l.written = 0 THEN NULL ELSE l.vote_share END, IFNULL(l.tie, 0),
                CASE WHEN l.label IS NOT NULL AND l.label <> q.intended_answer THEN 1 ELSE 0 END, l.run_id
         FROM syn_questions q
         LEFT JOIN (SELECT question_seq, MAX(run_id) AS run_id FROM lab_labels WHERE dataset_id = @ds GROUP BY question_seq) m ON m.question_seq = q.seq
         LEFT JOIN lab_labels l ON l.run_id = m.run_id AND l.question_seq = q.seq
         WHERE q.dataset_id = @ds AND q.status = 'accepted'
         ON CONFLICT(dataset_id, seq) DO UPDATE SET pseudo_label = excluded.pseudo_label, vote_share = excluded.vote_share,
           tie = excluded.tie, disagree = excluded.disagree, label_run = excluded.label_run`,
      ),
      setting: db.prepare(
        `SELECT s.value, s.updated_at, r.name AS updated_by FROM rev_settings s LEFT JOIN rev_reviewers r ON r.id = s.updated_by WHERE s.key = ?`,
      ),
      putSetting: db.prepare(
        `INSERT INTO rev_settings (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      ),
    };
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  // Reviewers ------------------------------------------------------------------------------------------

  reviewers(): ReviewerRow[] {
    return (this.db.prepare('SELECT * FROM rev_reviewers ORDER BY id').all() as RawReviewer[]).map(toReviewer);
  }

  reviewer(id: number): ReviewerRow | null {
    const r = this.stmts.reviewerById!.get(id) as RawReviewer | undefined;
    return r ? toReviewer(r) : null;
  }

  reviewerByName(name: string): ReviewerRow | null {
    const r = this.stmts.reviewerByName!.get(name) as RawReviewer | undefined;
    return r ? toReviewer(r) : null;
  }

  localReviewer(): ReviewerRow {
    const r = this.db.prepare('SELECT * FROM rev_reviewers WHERE is_local = 1 ORDER BY id LIMIT 1').get() as RawReviewer | undefined;
    if (!r) throw new Error('rev_reviewers has no local profile');
    return toReviewer(r);
  }

  addReviewer(r: { name: string; role: ReviewerRole; passwordHash: string | null; isLocal: boolean }): ReviewerRow {
    const info = this.db
      .prepare('INSERT INTO rev_reviewers (name, role, is_local, password_hash, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(r.name, r.role, r.isLocal ? 1 : 0, r.passwordHash, new Date().toISOString());
    return this.reviewer(Number(info.lastInsertRowid)) as ReviewerRow;
  }

  updateReviewer(id: number, change: { role?: ReviewerRole; passwordHash?: string }): void {
    if (change.role) this.db.prepare('UPDATE rev_reviewers SET role = ? WHERE id = ?').run(change.role, id);
    if (change.passwordHash) this.db.prepare('UPDATE rev_reviewers SET password_hash = ? WHERE id = ?').run(change.passwordHash, id);
  }

  // Settings -------------------------------------------------------------------------------------------

  setting(key: string): { value: string; updatedAt: string; updatedBy: string | null } | null {
    const r = this.stmts.setting!.get(key) as { value: string; updated_at: string; updated_by: string | null } | undefined;
    return r ? { value: r.value, updatedAt: r.updated_at, updatedBy: r.updated_by } : null;
  }

  putSetting(key: string, value: string, reviewerId: number): void {
    this.stmts.putSetting!.run(key, value, new Date().toISOString(), reviewerId);
  }

  // Audit log ------------------------------------------------------------------------------------------

  insertAudit(a: NewAudit): number {
    const info = this.stmts.insertAudit!.run({
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

  auditForItem(datasetId: number, seq: number): AuditRow[] {
    return (this.stmts.auditForItem!.all(datasetId, seq) as RawAudit[]).map(toAudit);
  }

  auditEntry(id: number): AuditRow | null {
    const r = this.stmts.auditById!.get(id) as RawAudit | undefined;
    return r ? toAudit(r) : null;
  }

  /** The reviewer's most recent entry that is neither an undo nor already reverted. */
  latestUndoable(reviewerId: number, item?: { datasetId: number; seq: number }): AuditRow | null {
    const where = item ? 'AND a.dataset_id = ? AND a.seq = ?' : '';
    const args: number[] = item ? [reviewerId, item.datasetId, item.seq] : [reviewerId];
    const r = this.db
      .prepare(
        `${auditSelect} WHERE a.reviewer_id = ? ${where} AND a.action <> 'undo'
         AND NOT EXISTS (SELECT 1 FROM rev_audit x WHERE x.reverts = a.id) ORDER BY a.id DESC LIMIT 1`,
      )
      .get(...args) as RawAudit | undefined;
    return r ? toAudit(r) : null;
  }

  auditPage(datasetIds: number[] | undefined, item: { datasetId: number; seq: number } | undefined, offset: number, limit: number): { total: number; entries: AuditRow[] } {
    const { where, args } = this.auditWhere(datasetIds, item);
    const total = this.db.prepare(`SELECT COUNT(*) FROM rev_audit a ${where}`).pluck().get(...args) as number;
    const entries = (this.db.prepare(`${auditSelect} ${where} ORDER BY a.id DESC LIMIT ? OFFSET ?`).all(...args, limit, offset) as RawAudit[]).map(toAudit);
    return { total, entries };
  }

  /** Every entry in log order (exports, agreement, rebuild). */
  *auditAll(datasetIds?: number[]): Generator<AuditRow> {
    const { where, args } = this.auditWhere(datasetIds, undefined);
    for (const r of this.db.prepare(`${auditSelect} ${where} ORDER BY a.id`).iterate(...args)) yield toAudit(r as RawAudit);
  }

  private auditWhere(datasetIds: number[] | undefined, item: { datasetId: number; seq: number } | undefined): { where: string; args: number[] } {
    if (item) return { where: 'WHERE a.dataset_id = ? AND a.seq = ?', args: [item.datasetId, item.seq] };
    if (datasetIds && datasetIds.length) return { where: `WHERE a.dataset_id IN (${datasetIds.map(() => '?').join(',')})`, args: datasetIds };
    return { where: '', args: [] };
  }

  /** Rewrites the derived caches of one item from its fold; call inside the transaction that appended to the log. */
  writeOutcome(datasetId: number, seq: number, outcome: ItemOutcome): void {
    this.stmts.deleteStates!.run(datasetId, seq);
    for (const s of outcome.states) {
      this.stmts.insertState!.run(datasetId, seq, s.reviewerId, s.status, s.answer, s.reason, s.note, s.adjudication ? 1 : 0, s.auditId, s.at);
    }
    this.stmts.updateItem!.run(
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
  auditedItems(): { datasetId: number; seq: number }[] {
    return this.db.prepare('SELECT DISTINCT dataset_id AS datasetId, seq FROM rev_audit ORDER BY dataset_id, seq').all() as { datasetId: number; seq: number }[];
  }

  resetDerived(): void {
    this.db.exec(`DELETE FROM rev_state; UPDATE rev_items SET status = 'pending', answer = NULL, stem = NULL, options = NULL, edit_version = 0`);
  }

  // Items and the queue --------------------------------------------------------------------------------

  /** Brings rev_items up to date with the dataset's questions and latest labels; cheap when nothing changed. */
  syncItems(datasetId: number): void {
    const key = this.stmts.syncKey!.get({ ds: datasetId }) as { k: string };
    const have = this.stmts.syncedKey!.get(datasetId) as { key: string } | undefined;
    if (have?.key === key.k) return;
    this.transaction(() => {
      this.stmts.sync!.run({ ds: datasetId });
      this.stmts.setSynced!.run(datasetId, key.k);
    });
  }

  item(datasetId: number, seq: number): ItemRow | null {
    const r = this.stmts.item!.get(datasetId, seq) as
      | {
          dataset_id: number;
          seq: number;
          question_id: string;
          question_type: QuestionType;
          difficulty: Difficulty;
          intended_answer: string;
          pseudo_label: string | null;
          vote_share: number | null;
          tie: number;
          status: ItemStatus;
          answer: string | null;
          stem: string | null;
          options: string | null;
        }
      | undefined;
    if (!r) return null;
    return {
      datasetId: r.dataset_id,
      seq: r.seq,
      questionId: r.question_id,
      questionType: r.question_type,
      difficulty: r.difficulty,
      intendedAnswer: r.intended_answer,
      pseudoLabel: r.pseudo_label,
      voteShare: r.vote_share,
      tie: r.tie === 1,
      status: r.status,
      answer: r.answer,
      content: r.stem !== null && r.options !== null ? { stem: r.stem, options: JSON.parse(r.options) as QuestionOption[] } : null,
    };
  }

  question(datasetId: number, seq: number): QuestionRow | null {
    const r = this.stmts.question!.get(datasetId, seq) as
      | { dataset_id: number; dataset_name: string; dataset_version: number; seq: number; id: string; question_type: QuestionType; difficulty: Difficulty; stem: string; options: string; intended_answer: string; answer_code: string; provenance: string }
      | undefined;
    if (!r) return null;
    return {
      datasetId: r.dataset_id,
      datasetName: r.dataset_name,
      datasetVersion: r.dataset_version,
      seq: r.seq,
      id: r.id,
      questionType: r.question_type,
      difficulty: r.difficulty,
      stem: r.stem,
      options: JSON.parse(r.options) as QuestionOption[],
      intendedAnswer: r.intended_answer,
      answerCode: r.answer_code,
      provenance: JSON.parse(r.provenance) as QuestionProvenance,
    };
  }

  latestLabel(datasetId: number, seq: number): LabelRow | null {
    const r = this.stmts.latestLabel!.get(datasetId, seq) as (RawVoteColumns & { run_id: number }) | undefined;
    if (!r) return null;
    const samples = (this.stmts.samples!.all(r.run_id, seq) as { idx: number; text: string; extracted: string | null; recovered: number; tokens: number }[]).map((s) => ({
      index: s.idx,
      text: s.text,
      extracted: s.extracted,
      recovered: s.recovered === 1,
      tokens: s.tokens,
    }));
    return { runId: r.run_id, ...voteColumns(r), samples };
  }

  /** Other questions about the same answer disorder: the candidates for near-duplicates. */
  sameAnswerQuestions(answerCode: number, datasetId: number, seq: number): { datasetId: number; seq: number; id: string; stem: string; optionsJson: string }[] {
    return (this.stmts.sameAnswer!.all(answerCode, datasetId, seq) as { dataset_id: number; seq: number; id: string; stem: string; options: string }[]).map((r) => ({
      datasetId: r.dataset_id,
      seq: r.seq,
      id: r.id,
      stem: r.stem,
      optionsJson: r.options,
    }));
  }

  private statusExpr(viewer: Viewer): { sql: string; args: number[] } {
    if (!viewer.ownView) return { sql: 'i.status', args: [] };
    return {
      sql: `IFNULL((SELECT s.status FROM rev_state s WHERE s.dataset_id = i.dataset_id AND s.seq = i.seq AND s.reviewer_id = ?), 'pending')`,
      args: [viewer.reviewerId],
    };
  }

  private filterWhere(f: QueueFilter, viewer: Viewer, withStatus: boolean): { where: string; args: (string | number)[] } {
    const parts: string[] = [`i.dataset_id IN (${f.datasetIds.map(() => '?').join(',')})`];
    const args: (string | number)[] = [...f.datasetIds];
    if (f.voteShareMin !== undefined) {
      parts.push('i.vote_share >= ?');
      args.push(f.voteShareMin - 1e-9);
    }
    if (f.voteShareMax !== undefined) {
      parts.push('i.vote_share <= ?');
      args.push(f.voteShareMax + 1e-9);
    }
    if (f.disagreement !== undefined) {
      parts.push('i.disagree = ?');
      args.push(f.disagreement ? 1 : 0);
    }
    if (f.tie !== undefined) {
      parts.push('i.tie = ?');
      args.push(f.tie ? 1 : 0);
    }
    if (f.branch !== undefined) {
      parts.push('EXISTS (SELECT 1 FROM kb_branches b WHERE b.code = i.answer_code AND b.branch_code = ?)');
      args.push(Number(f.branch));
    }
    if (f.orphaCode !== undefined) {
      parts.push(`instr(i.orpha_codes, ?) > 0`);
      args.push(` ${f.orphaCode} `);
    }
    if (f.questionTypes?.length) {
      parts.push(`i.question_type IN (${f.questionTypes.map(() => '?').join(',')})`);
      args.push(...f.questionTypes);
    }
    if (f.difficulties?.length) {
      parts.push(`i.difficulty IN (${f.difficulties.map(() => '?').join(',')})`);
      args.push(...f.difficulties);
    }
    if (f.decidedBy !== undefined) {
      parts.push(`EXISTS (SELECT 1 FROM rev_state s WHERE s.dataset_id = i.dataset_id AND s.seq = i.seq AND s.reviewer_id = ? AND s.status <> 'skipped')`);
      args.push(f.decidedBy);
    }
    if (f.search) {
      const p = likePattern(f.search);
      parts.push(
        `(i.question_id LIKE ? ESCAPE '\\' OR i.stem LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM syn_questions q WHERE q.dataset_id = i.dataset_id AND q.seq = i.seq AND (q.stem LIKE ? ESCAPE '\\' OR q.options LIKE ? ESCAPE '\\')))`,
      );
      args.push(p, p, p, p);
    }
    if (withStatus && f.statuses?.length) {
      const e = this.statusExpr(viewer);
      parts.push(`${e.sql} IN (${f.statuses.map(() => '?').join(',')})`);
      args.push(...e.args, ...f.statuses);
    }
    return { where: `WHERE ${parts.join(' AND ')}`, args };
  }

  queue(f: QueueFilter, viewer: Viewer, order: QueueOrder, offset: number, limit: number): { total: number; rows: QueueRow[]; byStatus: Record<ItemStatus, number>; scope: { items: number; decided: number } } {
    const { where, args } = this.filterWhere(f, viewer, true);
    const e = this.statusExpr(viewer);
    const total = this.db.prepare(`SELECT COUNT(*) FROM rev_items i ${where}`).pluck().get(...args) as number;
    const orderBy = order === 'uncertainty' ? 'i.vote_share IS NULL, i.vote_share, i.dataset_id, i.seq' : 'i.dataset_id, i.seq';
    const rows =
      limit === 0
        ? []
        : (
            this.db
              .prepare(`SELECT i.dataset_id AS datasetId, i.seq, i.question_id AS questionId, i.vote_share AS voteShare, ${e.sql} AS status FROM rev_items i ${where} ORDER BY ${orderBy} LIMIT ? OFFSET ?`)
              .all(...e.args, ...args, limit, offset) as QueueRow[]
          );
    const noStatus = this.filterWhere(f, viewer, false);
    const byStatus = Object.fromEntries(itemStatuses.map((s) => [s, 0])) as Record<ItemStatus, number>;
    for (const r of this.db.prepare(`SELECT ${e.sql} AS st, COUNT(*) AS n FROM rev_items i ${noStatus.where} GROUP BY st`).all(...e.args, ...noStatus.args) as { st: ItemStatus; n: number }[]) {
      byStatus[r.st] = r.n;
    }
    const scopeWhere = `WHERE i.dataset_id IN (${f.datasetIds.map(() => '?').join(',')})`;
    const scope = this.db
      .prepare(`SELECT COUNT(*) AS items, IFNULL(SUM(${e.sql} IN ('accepted','corrected','rejected')), 0) AS decided FROM rev_items i ${scopeWhere}`)
      .get(...e.args, ...f.datasetIds) as { items: number; decided: number };
    return { total, rows, byStatus, scope };
  }

  /** Every item matching a filter, in creation order (bulk actions). */
  matching(f: QueueFilter, viewer: Viewer): { datasetId: number; seq: number }[] {
    const { where, args } = this.filterWhere(f, viewer, true);
    return this.db.prepare(`SELECT i.dataset_id AS datasetId, i.seq FROM rev_items i ${where} ORDER BY i.dataset_id, i.seq`).all(...args) as { datasetId: number; seq: number }[];
  }

  /** Per-reviewer verdicts in the given datasets, for agreement. */
  states(datasetIds?: number[]): { datasetId: number; seq: number; reviewerId: number; status: ItemStatus; answer: string | null; at: string }[] {
    const where = datasetIds?.length ? `WHERE s.dataset_id IN (${datasetIds.map(() => '?').join(',')})` : '';
    return this.db
      .prepare(`SELECT s.dataset_id AS datasetId, s.seq, s.reviewer_id AS reviewerId, s.status, s.answer, s.at FROM rev_state s ${where} ORDER BY s.dataset_id, s.seq`)
      .all(...(datasetIds ?? [])) as { datasetId: number; seq: number; reviewerId: number; status: ItemStatus; answer: string | null; at: string }[];
  }

  /** Item outcomes joined with their labels (agreement with the pseudo-label, human-labelled export). */
  outcomes(datasetIds?: number[]): { datasetId: number; seq: number; status: ItemStatus; answer: string | null; pseudoLabel: string | null; intendedAnswer: string }[] {
    const where = datasetIds?.length ? `WHERE i.dataset_id IN (${datasetIds.map(() => '?').join(',')})` : '';
    return this.db
      .prepare(`SELECT i.dataset_id AS datasetId, i.seq, i.status, i.answer, i.pseudo_label AS pseudoLabel, i.intended_answer AS intendedAnswer FROM rev_items i ${where} ORDER BY i.dataset_id, i.seq`)
      .all(...(datasetIds ?? [])) as { datasetId: number; seq: number; status: ItemStatus; answer: string | null; pseudoLabel: string | null; intendedAnswer: string }[];
  }

  datasetExists(id: number): boolean {
    return this.db.prepare(`SELECT 1 FROM syn_datasets WHERE id = ? AND state = 'complete'`).get(id) !== undefined;
  }
}
