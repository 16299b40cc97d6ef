/** The queue and one item as a reviewer sees it: content, pseudo-label, sources, near-duplicates, history. */
import { ApiError } from '../../../api/contract.js';
import type { EditVersion, QueueFilter, QueueOrder, QueueResult, ReviewerDecision, ReviewItem } from '../../../api/review.js';
import type { QuestionOption } from '../../../api/synthesis.js';
import { containsTerm, phenotypeTerm } from '../../../api/terms.js';
import { formatQuestion } from '../../llm/index.js';
import { exactJaccard, wordShingles } from '../../synthesis/index.js';
import { wordDiff } from '../diff.js';
import { foldItem, revertedIds, type ReviewerState } from '../fold.js';
import { toFoldRow, type AuditRow } from '../store.js';
import type { ReviewAccess } from './access.js';

const nearDuplicateThreshold = 0.5;

export class ReviewItems {
  /** Word shingles per question text; a question's text rarely changes, and its neighbours are asked for again and again. */
  private readonly shingles = new Map<string, { text: string; set: Set<string> }>();

  constructor(private readonly access: ReviewAccess) {}

  private get repo() {
    return this.access.repo;
  }

  queue(input: { filter: QueueFilter; order: QueueOrder; offset: number; limit: number; reviewerId?: number | undefined }): QueueResult {
    const actor = this.access.actor(input.reviewerId);
    const viewer = this.access.viewer(actor);
    // "Decided by <someone else>" would list exactly the other reviewer's decisions.
    if (viewer.ownView && input.filter.decidedBy !== undefined && input.filter.decidedBy !== actor.id) {
      throw new ApiError('forbidden', 'In blind review you can filter by your own decisions only');
    }
    this.access.syncDatasets(input.filter.datasetIds);
    return this.repo.items.queue(input.filter, viewer, input.order, input.offset, input.limit);
  }

  item(input: { datasetId: number; seq: number; reviewerId?: number | undefined }): ReviewItem {
    const actor = this.access.actor(input.reviewerId);
    this.access.syncDatasets([input.datasetId], false);
    const q = this.repo.items.question(input.datasetId, input.seq);
    const row = this.repo.items.item(input.datasetId, input.seq);
    if (!q || !row) throw new ApiError('not-found', `No question ${input.seq} in dataset ${input.datasetId} awaits review`);
    const label = this.repo.items.latestLabel(input.datasetId, input.seq);
    const audit = this.repo.audit.forItemInOrder(input.datasetId, input.seq);
    const outcome = foldItem(audit.map(toFoldRow));
    const names = new Map(this.repo.reviewers.list().map((r) => [r.id, r.name]));
    const ownView = this.access.viewer(actor).ownView;
    const decisionOf = (s: ReviewerState): ReviewerDecision => ({
      reviewerId: s.reviewerId,
      reviewerName: names.get(s.reviewerId) ?? `#${s.reviewerId}`,
      status: s.status,
      answer: s.answer,
      rejectReason: s.reason,
      note: s.note,
      at: s.at,
      adjudication: s.adjudication,
    });
    const mineState = outcome.states.find((s) => s.reviewerId === actor.id);
    const mine = mineState ? decisionOf(mineState) : null;
    const content = outcome.content ?? { stem: q.stem, options: q.options };
    const reverted = revertedIds(audit.map(toFoldRow));
    const live = audit.filter((a) => a.action !== 'undo' && !reverted.has(a.id));
    const reasoning = q.provenance.filters?.reasoningProb;
    // Blind review hides the other reviewers' decisions (and their comments, which can give them away) until an
    // admin has adjudicated the item; from then on the outcome is settled and may be seen.
    const adjudicated = outcome.states.some((s) => s.adjudication);
    const hideOthers = ownView && !adjudicated;
    const comments = live.filter((a) => a.action === 'comment' && (!hideOthers || a.reviewerId === actor.id));
    return {
      datasetId: q.datasetId,
      seq: q.seq,
      questionId: q.id,
      datasetName: q.datasetName,
      datasetVersion: q.datasetVersion,
      questionType: q.questionType,
      difficulty: q.difficulty,
      stem: content.stem,
      options: content.options,
      originalStem: q.stem,
      originalOptions: q.options,
      intendedAnswer: q.intendedAnswer,
      pseudoLabel: label
        ? { label: label.label, votes: label.votes, recovered: label.recovered, voteShare: label.voteShare, tie: label.tie, written: label.written, sampleCount: label.sampleCount, rarelyAnswered: label.rarelyAnswered, samples: label.samples }
        : null,
      reasoningProb: typeof reasoning === 'number' ? reasoning : null,
      source: {
        disorders: q.provenance.orphaCodes.map((code) => {
          const d = this.access.knowledge.get(code);
          return { orphaCode: code, name: d?.name ?? null, definition: d?.definition ?? null };
        }),
        // Whole terms, as the review page marks them: "male" is not in "female".
        facts: q.provenance.facts.map((f) => ({ ...f, inStem: containsTerm(content.stem, phenotypeTerm(f)) })),
      },
      nearDuplicates: this.nearDuplicates(q.answerCode, q.datasetId, q.seq, content),
      status: ownView ? (mine?.status ?? 'pending') : outcome.status,
      answer: ownView ? (mine?.answer ?? null) : outcome.answer,
      mine,
      others: hideOthers ? [] : outcome.states.filter((s) => s.reviewerId !== actor.id).map(decisionOf),
      edits: this.editVersions(live),
      comments: comments.map((a) => ({ reviewerName: a.reviewerName, at: a.at, text: a.note ?? '' })),
      blind: this.access.blind(),
    };
  }

  private nearDuplicates(answerCode: string, datasetId: number, seq: number, content: { stem: string; options: QuestionOption[] }): ReviewItem['nearDuplicates'] {
    const code = Number(answerCode);
    if (!Number.isInteger(code)) return [];
    const mine = wordShingles(formatQuestion(content.stem, content.options));
    return this.repo.items
      .sameAnswerQuestions(code, datasetId, seq)
      .map((o) => ({ datasetId: o.datasetId, seq: o.seq, questionId: o.id, stem: o.stem, jaccard: exactJaccard(mine, this.shinglesOf(`${o.datasetId}:${o.seq}`, o.stem, o.optionsJson)) }))
      .filter((o) => o.jaccard >= nearDuplicateThreshold)
      .sort((a, b) => b.jaccard - a.jaccard)
      .slice(0, 5)
      .map((o) => ({ ...o, jaccard: Math.round(o.jaccard * 1000) / 1000 }));
  }

  private shinglesOf(key: string, stem: string, optionsJson: string): Set<string> {
    const text = `${stem}\u0000${optionsJson}`;
    const hit = this.shingles.get(key);
    if (hit && hit.text === text) return hit.set;
    if (this.shingles.size >= 50_000) this.shingles.clear();
    const set = wordShingles(formatQuestion(stem, JSON.parse(optionsJson) as QuestionOption[]));
    this.shingles.set(key, { text, set });
    return set;
  }

  private editVersions(live: AuditRow[]): EditVersion[] {
    const optionsText = (c: unknown) => ((c as { options?: QuestionOption[] } | null)?.options ?? []).map((o) => `${o.letter}. ${o.text}`).join('\n');
    const stemText = (c: unknown) => (c as { stem?: string } | null)?.stem ?? '';
    return live
      .filter((a) => a.action === 'edit')
      .map((a, i) => ({
        version: i + 1,
        auditId: a.id,
        reviewerName: a.reviewerName,
        at: a.at,
        stemDiff: wordDiff(stemText(a.before), stemText(a.after)),
        optionsDiff: wordDiff(optionsText(a.before), optionsText(a.after)),
      }));
  }
}
