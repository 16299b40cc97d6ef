/**
 * SQL for rev_items, one row per accepted question awaiting review, and the queue's filters over it.
 * Questions and labels belong to synthesis and labeling: they are read through those domains' stores, never
 * their tables.
 */
import type { Statement } from 'better-sqlite3';
import type { ItemStatus, QueueFilter, QueueOrder, QueueRow } from '../../../api/review.js';
import { itemStatuses } from '../../../api/review.js';
import { LabelingRepo } from '../../labeling/index.js';
import type { Db } from '../../platform/db/open.js';
import { SynthesisRepo } from '../../synthesis/index.js';
import type { KnowledgeLookup } from '../ports.js';
import { toItem, type ItemKey, type ItemRow, type LabelRow, type QuestionRow, type RawItem, type Viewer } from './rows.js';
import { placeholders, StatementCache } from './statements.js';

interface UpsertItem {
  ds: number;
  seq: number;
  id: string;
  questionType: string;
  difficulty: string;
  answerCode: number;
  orphaCodes: string;
  intended: string;
  label: string | null;
  voteShare: number | null;
  tie: number;
  disagree: number;
  labelRun: number | null;
}

export interface MatchingItem {
  datasetId: number;
  seq: number;
  pseudoLabel: string | null;
  intendedAnswer: string;
}

export interface QueuePage {
  total: number;
  rows: QueueRow[];
  byStatus: Record<ItemStatus, number>;
  scope: { items: number; decided: number };
}

function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export class ItemStore {
  private readonly synth: SynthesisRepo;
  private readonly labels: LabelingRepo;
  private readonly one: Statement<[number, number], RawItem>;
  private readonly sameAnswer: Statement<[number, number, number], { dataset_id: number; seq: number }>;
  private readonly syncedKey: Statement<[number], { key: string }>;
  private readonly setSynced: Statement<[number, string]>;
  private readonly upsert: Statement<[UpsertItem]>;
  private readonly dynamic: StatementCache;

  constructor(
    private readonly db: Db,
    private readonly knowledge: Pick<KnowledgeLookup, 'disordersInBranch'>,
  ) {
    this.synth = new SynthesisRepo(db);
    this.labels = new LabelingRepo(db);
    this.dynamic = new StatementCache(db);
    this.one = db.prepare('SELECT * FROM rev_items WHERE dataset_id = ? AND seq = ?');
    this.sameAnswer = db.prepare(`SELECT dataset_id, seq FROM rev_items WHERE answer_code = ? AND NOT (dataset_id = ? AND seq = ?) LIMIT 200`);
    this.syncedKey = db.prepare('SELECT key FROM rev_synced WHERE dataset_id = ?');
    this.setSynced = db.prepare('INSERT INTO rev_synced (dataset_id, key) VALUES (?, ?) ON CONFLICT(dataset_id) DO UPDATE SET key = excluded.key');
    this.upsert = db.prepare(
      `INSERT INTO rev_items (dataset_id, seq, question_id, question_type, difficulty, answer_code, orpha_codes, intended_answer, pseudo_label, vote_share, tie, disagree, label_run)
       VALUES (@ds, @seq, @id, @questionType, @difficulty, @answerCode, @orphaCodes, @intended, @label, @voteShare, @tie, @disagree, @labelRun)
       ON CONFLICT(dataset_id, seq) DO UPDATE SET pseudo_label = excluded.pseudo_label, vote_share = excluded.vote_share,
         tie = excluded.tie, disagree = excluded.disagree, label_run = excluded.label_run`,
    );
  }

  /** Brings rev_items up to date with the dataset's accepted questions and latest labels; cheap when nothing changed. */
  sync(datasetId: number): void {
    // Same text as the key earlier releases stored, so their rev_synced rows stay valid.
    const key = `${this.synth.count(datasetId, 'accepted')}:${this.labels.labelStamp(datasetId)}`;
    if (this.syncedKey.get(datasetId)?.key === key) return;
    const latest = this.labels.latestLabels(datasetId);
    this.db.transaction(() => {
      for (const q of this.synth.questions(datasetId, 'accepted')) {
        const l = latest.get(q.seq);
        const codes = q.provenance.orphaCodes;
        this.upsert.run({
          ds: datasetId,
          seq: q.seq,
          id: q.id,
          questionType: q.questionType,
          difficulty: q.difficulty,
          // As SQLite's CAST(answer_code AS INTEGER) did: the leading digits, 0 when there are none.
          answerCode: Number.parseInt(codes[0] ?? '', 10) || 0,
          orphaCodes: ` ${codes.join(' ')} `,
          intended: q.intendedAnswer,
          label: l?.label ?? null,
          voteShare: l?.voteShare ?? null,
          tie: l?.tie ? 1 : 0,
          disagree: l && l.label !== null && l.label !== q.intendedAnswer ? 1 : 0,
          labelRun: l?.runId ?? null,
        });
      }
      this.setSynced.run(datasetId, key);
    })();
  }

  item(datasetId: number, seq: number): ItemRow | null {
    const r = this.one.get(datasetId, seq);
    return r ? toItem(r) : null;
  }

  question(datasetId: number, seq: number): QuestionRow | null {
    return this.synth.question(datasetId, seq);
  }

  latestLabel(datasetId: number, seq: number): LabelRow | null {
    return this.labels.latestLabel(datasetId, seq);
  }

  datasetExists(id: number): boolean {
    return this.synth.byId(id)?.state === 'complete';
  }

  /** Other questions about the same answer disorder: the candidates for near-duplicates. */
  sameAnswerQuestions(answerCode: number, datasetId: number, seq: number): { datasetId: number; seq: number; id: string; stem: string; optionsJson: string }[] {
    const keys: ItemKey[] = this.sameAnswer.all(answerCode, datasetId, seq).map((r) => ({ datasetId: r.dataset_id, seq: r.seq }));
    return this.synth.questionTexts(keys);
  }

  private statusExpr(viewer: Viewer): { sql: string; args: number[] } {
    if (!viewer.ownView) return { sql: 'i.status', args: [] };
    return {
      sql: `IFNULL((SELECT s.status FROM rev_state s WHERE s.dataset_id = i.dataset_id AND s.seq = i.seq AND s.reviewer_id = ?), 'pending')`,
      args: [viewer.reviewerId],
    };
  }

  private filterWhere(f: QueueFilter, viewer: Viewer, withStatus: boolean): { where: string; args: (string | number)[] } {
    const parts: string[] = [`i.dataset_id IN (${placeholders(f.datasetIds.length)})`];
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
      parts.push('i.answer_code IN (SELECT value FROM json_each(?))');
      args.push(JSON.stringify(this.knowledge.disordersInBranch(f.branch)));
    }
    if (f.orphaCode !== undefined) {
      parts.push(`instr(i.orpha_codes, ?) > 0`);
      args.push(` ${f.orphaCode} `);
    }
    if (f.questionTypes?.length) {
      parts.push(`i.question_type IN (${placeholders(f.questionTypes.length)})`);
      args.push(...f.questionTypes);
    }
    if (f.difficulties?.length) {
      parts.push(`i.difficulty IN (${placeholders(f.difficulties.length)})`);
      args.push(...f.difficulties);
    }
    if (f.decidedBy !== undefined) {
      parts.push(`EXISTS (SELECT 1 FROM rev_state s WHERE s.dataset_id = i.dataset_id AND s.seq = i.seq AND s.reviewer_id = ? AND s.status <> 'skipped')`);
      args.push(f.decidedBy);
    }
    if (f.search) {
      const p = likePattern(f.search);
      parts.push(`(i.question_id LIKE ? ESCAPE '\\' OR i.stem LIKE ? ESCAPE '\\' OR (i.dataset_id || ':' || i.seq) IN (SELECT value FROM json_each(?)))`);
      args.push(p, p, JSON.stringify(this.synth.keysMatching(f.datasetIds, f.search)));
    }
    if (withStatus && f.statuses?.length) {
      const e = this.statusExpr(viewer);
      parts.push(`${e.sql} IN (${placeholders(f.statuses.length)})`);
      args.push(...e.args, ...f.statuses);
    }
    return { where: `WHERE ${parts.join(' AND ')}`, args };
  }

  queue(f: QueueFilter, viewer: Viewer, order: QueueOrder, offset: number, limit: number): QueuePage {
    const { where, args } = this.filterWhere(f, viewer, true);
    const e = this.statusExpr(viewer);
    const total = (this.dynamic.get(`SELECT COUNT(*) AS n FROM rev_items i ${where}`).get(...args) as { n: number }).n;
    const orderBy = order === 'uncertainty' ? 'i.vote_share IS NULL, i.vote_share, i.dataset_id, i.seq' : 'i.dataset_id, i.seq';
    const rows =
      limit === 0
        ? []
        : (this.dynamic
            .get(`SELECT i.dataset_id AS datasetId, i.seq, i.question_id AS questionId, i.vote_share AS voteShare, ${e.sql} AS status FROM rev_items i ${where} ORDER BY ${orderBy} LIMIT ? OFFSET ?`)
            .all(...e.args, ...args, limit, offset) as QueueRow[]);
    const noStatus = this.filterWhere(f, viewer, false);
    const byStatus = Object.fromEntries(itemStatuses.map((s) => [s, 0])) as Record<ItemStatus, number>;
    const counts = this.dynamic.get(`SELECT ${e.sql} AS st, COUNT(*) AS n FROM rev_items i ${noStatus.where} GROUP BY st`).all(...e.args, ...noStatus.args) as { st: ItemStatus; n: number }[];
    for (const r of counts) byStatus[r.st] = r.n;
    const scope = this.dynamic
      .get(`SELECT COUNT(*) AS items, IFNULL(SUM(${e.sql} IN ('accepted','corrected','rejected')), 0) AS decided FROM rev_items i WHERE i.dataset_id IN (${placeholders(f.datasetIds.length)})`)
      .get(...e.args, ...f.datasetIds) as { items: number; decided: number };
    return { total, rows, byStatus, scope };
  }

  /** Every item matching a filter, in creation order (bulk actions). */
  matching(f: QueueFilter, viewer: Viewer): MatchingItem[] {
    const { where, args } = this.filterWhere(f, viewer, true);
    return this.dynamic
      .get(`SELECT i.dataset_id AS datasetId, i.seq, i.pseudo_label AS pseudoLabel, i.intended_answer AS intendedAnswer FROM rev_items i ${where} ORDER BY i.dataset_id, i.seq`)
      .all(...args) as MatchingItem[];
  }
}
