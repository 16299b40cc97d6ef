/** Row shapes of the rev_* tables and their mapping to the types the service works with. */
import type { AuditAction, AuditEntry, ItemStatus, RejectReason, Reviewer, ReviewerRole } from '../../../api/review.js';
import type { Difficulty, QuestionOption, QuestionType } from '../../../api/synthesis.js';
import type { StoredLabel } from '../../labeling/index.js';
import type { QuestionInDataset } from '../../synthesis/index.js';
import type { FoldRow } from '../fold.js';

export interface RawReviewer {
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

export const toReviewer = (r: RawReviewer): ReviewerRow => ({
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

export interface RawAudit {
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

export const toAudit = (r: RawAudit): AuditRow => ({
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

export interface RawItem {
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

export const toItem = (r: RawItem): ItemRow => ({
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
});

/** A question as synthesis stored it (review's edits live in rev_items.content). */
export type QuestionRow = QuestionInDataset;

/** A question's latest pseudo-label with its samples, as labeling stored it. */
export type LabelRow = StoredLabel;

/** Who is looking: in blind mode a reviewer's status filters and counts refer to their own decisions. */
export interface Viewer {
  reviewerId: number;
  ownView: boolean;
}

/** One item and dataset, the key of most review calls. */
export interface ItemKey {
  datasetId: number;
  seq: number;
}
