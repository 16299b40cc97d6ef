/**
 * Expert review of synthetic questions and pseudo-labels: the queue, the item, decisions, the append-only
 * audit log, reviewer profiles and agreement. Every input is validated here, at the edge.
 */
import { z } from 'zod';
import { method } from './method.js';
import type { Difficulty, LabelSample, ProvenanceFact, QuestionOption, QuestionType } from './synthesis.js';
import { difficulties, questionTypes } from './synthesis.js';

export const reviewerRoles = ['reviewer', 'admin'] as const;
export type ReviewerRole = (typeof reviewerRoles)[number];

export interface Reviewer {
  id: number;
  name: string;
  role: ReviewerRole;
  /** The profile used on the desktop and on a loopback server, where nobody logs in. */
  isLocal: boolean;
  hasPassword: boolean;
  createdAt: string;
}

export const rejectReasons = ['medically-wrong', 'ambiguous', 'multiple-correct', 'memorization', 'duplicate', 'other'] as const;
export type RejectReason = (typeof rejectReasons)[number];

export const rejectReasonLabels: Record<RejectReason, string> = {
  'medically-wrong': 'Medically wrong',
  ambiguous: 'Ambiguous',
  'multiple-correct': 'More than one correct',
  memorization: 'Memorization',
  duplicate: 'Duplicate',
  other: 'Other',
};

/** Per reviewer: what that reviewer decided. Per item: the outcome after consensus or adjudication. */
export const itemStatuses = ['pending', 'accepted', 'corrected', 'rejected', 'skipped', 'conflict'] as const;
export type ItemStatus = (typeof itemStatuses)[number];

export const auditActions = ['accept', 'answer', 'edit', 'reject', 'skip', 'comment', 'undo'] as const;
export type AuditAction = (typeof auditActions)[number];

const letter = z.string().regex(/^[A-Z]$/, 'an answer is one capital letter A–Z');
const optionSchema = z.object({ letter, text: z.string().trim().min(1).max(2000) }).strict();

export const decisionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('accept') }).strict(),
  z.object({ kind: z.literal('answer'), answer: letter }).strict(),
  z
    .object({
      kind: z.literal('edit'),
      stem: z.string().trim().min(1).max(20_000),
      options: z.array(optionSchema).min(2).max(26),
    })
    .strict(),
  z.object({ kind: z.literal('reject'), reason: z.enum(rejectReasons), note: z.string().trim().max(4000).default('') }).strict(),
  z.object({ kind: z.literal('skip') }).strict(),
  z.object({ kind: z.literal('comment'), text: z.string().trim().min(1).max(4000) }).strict(),
]);
export type Decision = z.output<typeof decisionSchema>;
export type DecisionInput = z.input<typeof decisionSchema>;

/** Decisions a bulk action may apply (edits and comments are per item). */
export const bulkDecisionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('accept') }).strict(),
  z.object({ kind: z.literal('reject'), reason: z.enum(rejectReasons), note: z.string().trim().max(4000).default('') }).strict(),
  z.object({ kind: z.literal('skip') }).strict(),
]);

const reviewerIdSchema = z.number().int().min(1);

export const queueFilterSchema = z
  .object({
    datasetIds: z.array(z.number().int().min(1)).min(1, 'choose at least one dataset').max(100),
    voteShareMin: z.number().min(0).max(1).optional(),
    voteShareMax: z.number().min(0).max(1).optional(),
    /** Only questions whose pseudo-label differs from the intended answer (true) or agrees (false). */
    disagreement: z.boolean().optional(),
    tie: z.boolean().optional(),
    /** ORPHA code of a top-level classification branch of the answer disorder. */
    branch: z.string().regex(/^\d{1,9}$/).optional(),
    /** Questions built from this disorder (as answer or distractor). */
    orphaCode: z.string().regex(/^\d{1,9}$/).optional(),
    questionTypes: z.array(z.enum(questionTypes)).max(questionTypes.length).optional(),
    difficulties: z.array(z.enum(difficulties)).max(difficulties.length).optional(),
    statuses: z.array(z.enum(itemStatuses)).max(itemStatuses.length).optional(),
    /** Items this reviewer decided. */
    decidedBy: reviewerIdSchema.optional(),
    search: z.string().trim().max(200).optional(),
  })
  .strict();
export type QueueFilter = z.output<typeof queueFilterSchema>;
export type QueueFilterInput = z.input<typeof queueFilterSchema>;

export const queueOrders = ['uncertainty', 'created'] as const;
export type QueueOrder = (typeof queueOrders)[number];

export const queueInputSchema = z
  .object({
    filter: queueFilterSchema,
    order: z.enum(queueOrders).default('uncertainty'),
    offset: z.number().int().min(0).default(0),
    limit: z.number().int().min(0).max(20_000).default(500),
    /** Acting profile on the desktop / loopback; ignored behind a login (the session decides). */
    reviewerId: reviewerIdSchema.optional(),
  })
  .strict();
export type QueueInput = z.output<typeof queueInputSchema>;

export interface ItemRef {
  datasetId: number;
  seq: number;
}

export interface QueueRow extends ItemRef {
  questionId: string;
  voteShare: number | null;
  status: ItemStatus;
}

export interface QueueResult {
  /** Items matching every filter. */
  total: number;
  /** Matching all filters but the status filter, by status: the numbers on the status chips. */
  byStatus: Record<ItemStatus, number>;
  /** Items in the chosen datasets, and how many of them have an outcome (for the progress bar). */
  scope: { items: number; decided: number };
  rows: QueueRow[];
}

export const itemInputSchema = z
  .object({ datasetId: z.number().int().min(1), seq: z.number().int().min(0), reviewerId: reviewerIdSchema.optional() })
  .strict();

export interface ReviewerDecision {
  reviewerId: number;
  reviewerName: string;
  status: ItemStatus;
  answer: string | null;
  rejectReason: RejectReason | null;
  note: string | null;
  at: string;
  adjudication: boolean;
}

export interface DiffPart {
  op: 'same' | 'added' | 'removed';
  text: string;
}

export interface EditVersion {
  version: number;
  auditId: number;
  reviewerName: string;
  at: string;
  stemDiff: DiffPart[];
  optionsDiff: DiffPart[];
}

export interface AuditEntry {
  id: number;
  at: string;
  reviewerId: number;
  reviewerName: string;
  datasetId: number;
  seq: number;
  questionId: string;
  action: AuditAction;
  answer: string | null;
  reason: RejectReason | null;
  note: string | null;
  adjudication: boolean;
  /** For an undo: the entry it reverts. */
  reverts: number | null;
  /** Set when the entry came from a bulk action. */
  batch: string | null;
  /** Set when a later undo reverted this entry. */
  revertedBy: number | null;
  before: unknown;
  after: unknown;
}

export interface SourceFact extends ProvenanceFact {
  /** The fact's value appears in the stem. */
  inStem: boolean;
}

export interface NearDuplicate extends ItemRef {
  questionId: string;
  jaccard: number;
  stem: string;
}

export interface ReviewItem extends ItemRef {
  questionId: string;
  datasetName: string;
  datasetVersion: number;
  questionType: QuestionType;
  difficulty: Difficulty;
  /** Current content (after any accepted edit). */
  stem: string;
  options: QuestionOption[];
  originalStem: string;
  originalOptions: QuestionOption[];
  intendedAnswer: string;
  pseudoLabel: {
    label: string | null;
    /** Letter → samples that wrote it (the vote). */
    votes: Record<string, number>;
    /** Letter → samples whose letter the recovery pass forced; shown apart, never voted. */
    recovered: Record<string, number>;
    /** Top written count / samples; null when nothing was written. */
    voteShare: number | null;
    tie: boolean;
    written: number;
    sampleCount: number;
    rarelyAnswered: boolean;
    samples: LabelSample[];
  } | null;
  reasoningProb: number | null;
  source: {
    disorders: { orphaCode: string; name: string | null; definition: string | null }[];
    facts: SourceFact[];
  };
  nearDuplicates: NearDuplicate[];
  /** Item outcome; in blind mode a reviewer sees their own decision here instead. */
  status: ItemStatus;
  /** The outcome answer (consensus or adjudicated), or the caller's in blind mode. */
  answer: string | null;
  mine: ReviewerDecision | null;
  /** Other reviewers' decisions; empty for a reviewer in blind mode. */
  others: ReviewerDecision[];
  edits: EditVersion[];
  comments: { reviewerName: string; at: string; text: string }[];
  blind: boolean;
}

export const decideInputSchema = z
  .object({
    datasetId: z.number().int().min(1),
    seq: z.number().int().min(0),
    decision: decisionSchema,
    /** An admin settles a conflict; the outcome follows this decision. */
    adjudicate: z.boolean().default(false),
    reviewerId: reviewerIdSchema.optional(),
  })
  .strict();

export interface DecideResult {
  auditId: number;
  status: ItemStatus;
  answer: string | null;
}

export const undoInputSchema = z
  .object({
    /** Limit the undo to one item; otherwise the caller's latest decision anywhere. */
    item: z.object({ datasetId: z.number().int().min(1), seq: z.number().int().min(0) }).strict().optional(),
    reviewerId: reviewerIdSchema.optional(),
  })
  .strict();

export interface UndoResult {
  /** The entry that was reverted, or null when there was nothing to undo. */
  reverted: AuditEntry | null;
  undoId: number | null;
}

/** Items picked one by one in the queue (checkboxes); a bulk action then applies to those of them still in the filter. */
const bulkItemsSchema = z
  .array(z.object({ datasetId: z.number().int().min(1), seq: z.number().int().min(0) }).strict())
  .min(1)
  .max(20_000);

export const bulkInputSchema = z
  .object({
    filter: queueFilterSchema,
    items: bulkItemsSchema.optional(),
    decision: bulkDecisionSchema,
    /** The count the person confirmed; refused when the selection no longer has exactly this many items. */
    confirmCount: z.number().int().min(1).max(1_000_000),
    reviewerId: reviewerIdSchema.optional(),
  })
  .strict();

export interface BulkResult {
  applied: number;
  batch: string;
}

export const bulkPreviewSchema = z
  .object({ filter: queueFilterSchema, items: bulkItemsSchema.optional(), reviewerId: reviewerIdSchema.optional() })
  .strict();

/** What a bulk action would touch, so the confirmation can name it before anything changes. */
export interface BulkPreview {
  count: number;
  /** Items whose pseudo-label differs from the answer the question was written for. */
  contradicting: number;
  /** Items without a pseudo-label (an accept cannot apply to them). */
  unlabelled: number;
}

export const auditQuerySchema = z
  .object({
    datasetIds: z.array(z.number().int().min(1)).max(100).optional(),
    item: z.object({ datasetId: z.number().int().min(1), seq: z.number().int().min(0) }).strict().optional(),
    offset: z.number().int().min(0).default(0),
    limit: z.number().int().min(1).max(10_000).default(200),
  })
  .strict();

export interface AuditPage {
  total: number;
  entries: AuditEntry[];
}

export const auditExportSchema = z
  .object({ format: z.enum(['csv', 'json']), datasetIds: z.array(z.number().int().min(1)).max(100).optional() })
  .strict();

export interface ExportFile {
  filename: string;
  mimeType: string;
  content: string;
  count: number;
}

export const agreementInputSchema = z.object({ datasetIds: z.array(z.number().int().min(1)).max(100).optional() }).strict();

export interface PairAgreement {
  a: { id: number; name: string };
  b: { id: number; name: string };
  /** Items both decided (skips excluded). */
  items: number;
  percentAgreement: number | null;
  kappa: number | null;
}

export interface ReviewerThroughput {
  reviewer: { id: number; name: string };
  decisions: number;
  /** Decisions per hour of active reviewing (gaps over 5 minutes count as breaks). */
  perHour: number | null;
  medianSeconds: number | null;
}

export interface AgreementReport {
  pairs: PairAgreement[];
  throughput: ReviewerThroughput[];
  /** Human answers (accept/answer decisions) that equal the pseudo-label. */
  humanVsPseudo: { items: number; agree: number; rate: number | null };
  humanVsIntended: { items: number; agree: number; rate: number | null };
  conflicts: number;
}

export interface ReviewSession {
  reviewer: Reviewer;
  reviewers: Reviewer[];
  blind: boolean;
  guidelines: { markdown: string; updatedAt: string | null; updatedBy: string | null };
  /** True behind a login: the acting profile is the signed-in one and cannot be switched. */
  authenticated: boolean;
}

export const sessionInputSchema = z.object({ reviewerId: reviewerIdSchema.optional() }).strict();

const passwordSchema = z.string().min(8, 'a password has at least 8 characters').max(200);

export const addReviewerSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    role: z.enum(reviewerRoles).default('reviewer'),
    password: passwordSchema.optional(),
  })
  .strict();

export const updateReviewerSchema = z
  .object({ id: reviewerIdSchema, role: z.enum(reviewerRoles).optional(), password: passwordSchema.optional() })
  .strict();

export const humanSetInputSchema = z
  .object({ datasetIds: z.array(z.number().int().min(1)).min(1).max(100), name: z.string().trim().min(1).max(200).default('human-reviewed') })
  .strict();

/** Spread into the contract's apiMethods. */
export const reviewMethods = {
  'review.session': method<ReviewSession>('reviewer')(sessionInputSchema.default({})),
  'review.queue': method<QueueResult>('reviewer')(queueInputSchema),
  'review.item': method<ReviewItem>('reviewer')(itemInputSchema),
  'review.decide': method<DecideResult>('reviewer')(decideInputSchema),
  'review.undo': method<UndoResult>('reviewer')(undoInputSchema.default({})),
  'review.bulk': method<BulkResult>()(bulkInputSchema),
  'review.bulkPreview': method<BulkPreview>()(bulkPreviewSchema),
  'review.audit': method<AuditPage>('reviewer')(auditQuerySchema.default({ offset: 0, limit: 200 })),
  'review.exportAudit': method<ExportFile>('reviewer')(auditExportSchema),
  'review.exportHumanSet': method<ExportFile>('reviewer')(humanSetInputSchema),
  'review.agreement': method<AgreementReport>('reviewer')(agreementInputSchema.default({})),
  'review.setGuidelines': method<ReviewSession['guidelines']>()(z.object({ markdown: z.string().max(200_000) }).strict()),
  'review.setBlind': method<{ blind: boolean }>()(z.object({ blind: z.boolean() }).strict()),
  'review.addReviewer': method<Reviewer>()(addReviewerSchema),
  'review.updateReviewer': method<Reviewer>()(updateReviewerSchema),
} as const;
