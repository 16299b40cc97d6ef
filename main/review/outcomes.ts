/**
 * The reviewed outcomes: what expert review decided per question, read from rev_items (the cache the audit
 * log's fold keeps). The only definition of "the reviewed gold set": review's human-labelled export, the
 * agreement report and training's data all read it here.
 */
import type { ItemStatus } from '../../api/review.js';
import type { QuestionOption } from '../../api/synthesis.js';
import type { Db } from '../platform/db/open.js';
import type { OutcomeRow } from './agreement.js';

export interface ReviewedOutcome {
  datasetId: number;
  seq: number;
  status: ItemStatus;
  /** The reviewers' answer letter (set for accepted and corrected items). */
  answer: string | null;
  /** The reviewers' edit of the question, or null when they left it as synthesised. */
  content: { stem: string; options: QuestionOption[] } | null;
  pseudoLabel: string | null;
  intendedAnswer: string;
}

/** An outcome as the agreement report reads it, plus the reviewers' edit as stored (JSON options). */
type RawOutcome = OutcomeRow & { stem: string | null; options: string | null };

/**
 * Outcomes of every item of the given datasets (all when omitted), in dataset and question order. Items a
 * queue never listed have no row: they are pending.
 */
export function reviewedOutcomes(db: Db, datasetIds?: readonly number[]): ReviewedOutcome[] {
  const where = datasetIds?.length ? 'WHERE i.dataset_id IN (SELECT value FROM json_each(?))' : '';
  const rows = db
    .prepare(
      `SELECT i.dataset_id AS datasetId, i.seq, i.status, i.answer, i.pseudo_label AS pseudoLabel, i.intended_answer AS intendedAnswer, i.stem, i.options
       FROM rev_items i ${where} ORDER BY i.dataset_id, i.seq`,
    )
    .all(...(datasetIds?.length ? [JSON.stringify(datasetIds)] : [])) as RawOutcome[];
  return rows.map(({ stem, options, ...o }) => ({ ...o, content: stem !== null && options !== null ? { stem, options: JSON.parse(options) as QuestionOption[] } : null }));
}

/** The gold answer review gives a question: the reviewers' letter when they accepted or corrected it, else null. */
export function reviewedGold(o: Pick<ReviewedOutcome, 'status' | 'answer'>): { answer: string; status: 'accepted' | 'corrected' } | null {
  if ((o.status !== 'accepted' && o.status !== 'corrected') || o.answer === null) return null;
  return { answer: o.answer, status: o.status };
}
