/**
 * The review service: queue, item, decisions with their audit rows, undo, bulk, agreement and exports.
 * Every change appends to rev_audit and rewrites the item's derived state in the same transaction.
 */
import { randomUUID } from 'node:crypto';
import { ApiError } from '../../api/contract.js';
import type {
  AgreementReport,
  AuditEntry,
  AuditPage,
  BulkPreview,
  BulkResult,
  DecideResult,
  Decision,
  EditVersion,
  ExportFile,
  QueueResult,
  Reviewer,
  ReviewerDecision,
  ReviewerRole,
  ReviewItem,
  ReviewSession,
  UndoResult,
} from '../../api/review.js';
import type { QueueFilter, QueueOrder } from '../../api/review.js';
import type { QuestionOption } from '../../api/synthesis.js';
import type { Db } from '../platform/db/open.js';
import { publicReviewer, ReviewRepo, toFoldRow, type AuditRow, type ReviewerRow, type Viewer } from './store.js';
import { formatQuestion } from '../llm/index.js';
import type { KnowledgeLookup } from './ports.js';
import { exactJaccard, wordShingles } from '../synthesis/index.js';
import { hashPassword } from './password.js';
import { authenticatedActor } from './actor.js';
import { agreementReport } from './agreement.js';
import { auditCsv } from './auditCsv.js';
import { wordDiff } from './diff.js';
import { reviewedGold, reviewedOutcomes } from './outcomes.js';
import { foldItem, revertedIds, type FoldRow, type ItemOutcome, type ReviewerState } from './fold.js';
import { defaultGuidelines } from './guidelines.js';


export interface HumanLabelledItem {
  id: string;
  question: string;
  gold: string;
  name: string;
  meta: {
    dataset: string;
    version: number;
    questionId: string;
    questionType: string;
    difficulty: string;
    orphaCodes: string[];
    intendedAnswer: string;
    pseudoLabel: string | null;
    humanAnswer: string;
    status: 'accepted' | 'corrected';
    edited: boolean;
  };
}

type Snapshot = { reviewer: { status: string; answer: string | null; reason: string | null } | null; item: { status: string; answer: string | null } };

const guidelinesKey = 'guidelines';
const blindKey = 'blind';
const nearDuplicateThreshold = 0.5;

function snapshot(outcome: ItemOutcome, reviewerId: number): Snapshot {
  const s = outcome.states.find((x) => x.reviewerId === reviewerId);
  return {
    reviewer: s ? { status: s.status, answer: s.answer, reason: s.reason } : null,
    item: { status: outcome.status, answer: outcome.answer },
  };
}

export class ReviewService {
  readonly repo: ReviewRepo;
  /** Word shingles per question text; a question's text rarely changes, and its neighbours are asked for again and again. */
  private readonly shingles = new Map<string, { text: string; set: Set<string> }>();
  private readonly lastSync = new Map<number, number>();

  constructor(
    private readonly db: Db,
    private readonly knowledge: KnowledgeLookup,
  ) {
    this.repo = new ReviewRepo(db, knowledge);
  }

  // Who acts -------------------------------------------------------------------------------------------

  /** Behind a login the session decides; elsewhere the requested local profile, or the default one. */
  actor(requestedId?: number): ReviewerRow {
    const auth = authenticatedActor();
    if (auth) {
      if (requestedId !== undefined && requestedId !== auth.reviewerId) throw new ApiError('forbidden', 'You can only act as the reviewer you signed in as');
      const r = this.repo.reviewer(auth.reviewerId);
      if (!r) throw new ApiError('unauthorized', 'Your reviewer profile no longer exists; sign in again');
      return r;
    }
    if (requestedId === undefined) return this.repo.localReviewer();
    const r = this.repo.reviewer(requestedId);
    if (!r) throw new ApiError('not-found', `No reviewer with id ${requestedId}`);
    return r;
  }

  private requireAdmin(actor: ReviewerRow, what: string): void {
    if (actor.role !== 'admin') throw new ApiError('forbidden', `Only an admin can ${what}`);
  }

  blind(): boolean {
    return this.repo.setting(blindKey)?.value === 'true';
  }

  private viewer(actor: ReviewerRow): Viewer {
    return { reviewerId: actor.id, ownView: this.blind() && actor.role !== 'admin' };
  }

  /**
   * Brings the queue's items up to date with new questions and labels. Opening a queue always checks; the
   * per-item calls that follow within a couple of seconds skip the check (it costs a few ms at 10,000 items).
   */
  private syncDatasets(ids: readonly number[], always = true): void {
    const now = Date.now();
    for (const id of ids) {
      if (!always && now - (this.lastSync.get(id) ?? 0) < 2000) continue;
      if (!this.repo.datasetExists(id)) throw new ApiError('not-found', `No complete dataset with id ${id}`);
      this.repo.syncItems(id);
      this.lastSync.set(id, now);
    }
  }

  // Session, guidelines, reviewers ---------------------------------------------------------------------

  session(reviewerId?: number): ReviewSession {
    const actor = this.actor(reviewerId);
    const g = this.repo.setting(guidelinesKey);
    return {
      reviewer: publicReviewer(actor),
      reviewers: this.repo.reviewers().map(publicReviewer),
      blind: this.blind(),
      guidelines: { markdown: g?.value ?? defaultGuidelines, updatedAt: g?.updatedAt ?? null, updatedBy: g?.updatedBy ?? null },
      authenticated: authenticatedActor() !== null,
    };
  }

  setGuidelines(markdown: string): ReviewSession['guidelines'] {
    const actor = this.actor();
    this.requireAdmin(actor, 'edit the guidelines');
    this.repo.putSetting(guidelinesKey, markdown, actor.id);
    const g = this.repo.setting(guidelinesKey);
    return { markdown, updatedAt: g?.updatedAt ?? null, updatedBy: g?.updatedBy ?? null };
  }

  setBlind(blind: boolean): { blind: boolean } {
    const actor = this.actor();
    this.requireAdmin(actor, 'switch blind double review');
    this.repo.putSetting(blindKey, blind ? 'true' : 'false', actor.id);
    return { blind };
  }

  async addReviewer(input: { name: string; role: ReviewerRole; password?: string }): Promise<Reviewer> {
    const actor = this.actor();
    this.requireAdmin(actor, 'add reviewers');
    if (this.repo.reviewerByName(input.name)) throw new ApiError('conflict', `A reviewer named "${input.name}" already exists`);
    const passwordHash = input.password ? await hashPassword(input.password) : null;
    return publicReviewer(this.repo.addReviewer({ name: input.name, role: input.role, passwordHash, isLocal: false }));
  }

  async updateReviewer(input: { id: number; role?: ReviewerRole; password?: string }): Promise<Reviewer> {
    const actor = this.actor();
    this.requireAdmin(actor, 'change reviewers');
    const target = this.repo.reviewer(input.id);
    if (!target) throw new ApiError('not-found', `No reviewer with id ${input.id}`);
    if (input.role === 'reviewer' && target.role === 'admin' && this.repo.reviewers().filter((r) => r.role === 'admin').length === 1) {
      throw new ApiError('conflict', 'The last admin cannot lose the admin role');
    }
    const passwordHash = input.password ? await hashPassword(input.password) : undefined;
    this.repo.updateReviewer(input.id, { role: input.role, passwordHash });
    return publicReviewer(this.repo.reviewer(input.id) as ReviewerRow);
  }

  // Queue and item -------------------------------------------------------------------------------------

  queue(input: { filter: QueueFilter; order: QueueOrder; offset: number; limit: number; reviewerId?: number }): QueueResult {
    const actor = this.actor(input.reviewerId);
    this.syncDatasets(input.filter.datasetIds);
    return this.repo.queue(input.filter, this.viewer(actor), input.order, input.offset, input.limit);
  }

  item(input: { datasetId: number; seq: number; reviewerId?: number }): ReviewItem {
    const actor = this.actor(input.reviewerId);
    this.syncDatasets([input.datasetId], false);
    const q = this.repo.question(input.datasetId, input.seq);
    const row = this.repo.item(input.datasetId, input.seq);
    if (!q || !row) throw new ApiError('not-found', `No question ${input.seq} in dataset ${input.datasetId} awaits review`);
    const label = this.repo.latestLabel(input.datasetId, input.seq);
    const audit = this.repo.auditForItem(input.datasetId, input.seq);
    const outcome = foldItem(audit.map(toFoldRow));
    const names = new Map(this.repo.reviewers().map((r) => [r.id, r.name]));
    const ownView = this.viewer(actor).ownView;
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
    const stemLower = content.stem.toLowerCase();
    const reverted = revertedIds(audit.map(toFoldRow));
    const live = audit.filter((a) => a.action !== 'undo' && !reverted.has(a.id));
    const reasoning = q.provenance.filters?.reasoningProb;
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
          const d = this.knowledge.get(code);
          return { orphaCode: code, name: d?.name ?? null, definition: d?.definition ?? null };
        }),
        facts: q.provenance.facts.map((f) => ({ ...f, inStem: f.value.length > 2 && stemLower.includes(f.value.toLowerCase()) })),
      },
      nearDuplicates: this.nearDuplicates(q.answerCode, q.datasetId, q.seq, content),
      status: ownView ? (mine?.status ?? 'pending') : outcome.status,
      answer: ownView ? (mine?.answer ?? null) : outcome.answer,
      mine,
      others: ownView ? [] : outcome.states.filter((s) => s.reviewerId !== actor.id).map(decisionOf),
      edits: this.editVersions(live),
      comments: live.filter((a) => a.action === 'comment').map((a) => ({ reviewerName: a.reviewerName, at: a.at, text: a.note ?? '' })),
      blind: this.blind(),
    };
  }

  private nearDuplicates(answerCode: string, datasetId: number, seq: number, content: { stem: string; options: QuestionOption[] }): ReviewItem['nearDuplicates'] {
    const code = Number(answerCode);
    if (!Number.isInteger(code)) return [];
    const mine = wordShingles(formatQuestion(content.stem, content.options));
    return this.repo
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

  // Decisions ------------------------------------------------------------------------------------------

  decide(input: { datasetId: number; seq: number; decision: Decision; adjudicate: boolean; reviewerId?: number }): DecideResult {
    const actor = this.actor(input.reviewerId);
    if (input.adjudicate) this.requireAdmin(actor, 'adjudicate a conflict');
    this.syncDatasets([input.datasetId], false);
    return this.repo.transaction(() => {
      const r = this.applyDecision(actor, input.datasetId, input.seq, input.decision, input.adjudicate, null);
      const own = this.viewer(actor).ownView;
      const mine = r.outcome.states.find((s) => s.reviewerId === actor.id);
      return {
        auditId: r.auditId,
        status: own ? (mine?.status ?? 'pending') : r.outcome.status,
        answer: own ? (mine?.answer ?? null) : r.outcome.answer,
      };
    });
  }

  /** Appends one decision and rewrites the derived state; the caller holds the transaction. */
  private applyDecision(actor: ReviewerRow, datasetId: number, seq: number, decision: Decision, adjudicate: boolean, batch: string | null): { auditId: number; outcome: ItemOutcome } {
    const item = this.repo.item(datasetId, seq);
    if (!item) throw new ApiError('not-found', `No question ${seq} in dataset ${datasetId} awaits review`);
    const rows = this.repo.auditForItem(datasetId, seq).map(toFoldRow);
    const before = foldItem(rows);
    const currentOptions = before.content?.options ?? this.repo.question(datasetId, seq)?.options ?? [];
    const base = { at: new Date().toISOString(), reviewerId: actor.id, datasetId, seq, questionId: item.questionId, pseudoLabel: item.pseudoLabel, adjudication: adjudicate, batch };
    let entry: Omit<FoldRow, 'id' | 'at' | 'reviewerId' | 'pseudoLabel' | 'adjudication' | 'reverts'> & { before: unknown };
    switch (decision.kind) {
      case 'accept':
        if (item.pseudoLabel === null) throw new ApiError('bad-input', `Question ${item.questionId} has no pseudo-label to accept; pick an answer instead`);
        entry = { action: 'accept', answer: item.pseudoLabel, reason: null, note: null, after: null, before: snapshot(before, actor.id) };
        break;
      case 'answer':
        if (!currentOptions.some((o) => o.letter === decision.answer)) {
          throw new ApiError('bad-input', `Answer ${decision.answer} is not one of the options (${currentOptions.map((o) => o.letter).join(', ')})`);
        }
        entry = { action: 'answer', answer: decision.answer, reason: null, note: null, after: null, before: snapshot(before, actor.id) };
        break;
      case 'reject':
        entry = { action: 'reject', answer: null, reason: decision.reason, note: decision.note || null, after: null, before: snapshot(before, actor.id) };
        break;
      case 'skip':
        entry = { action: 'skip', answer: null, reason: null, note: null, after: null, before: snapshot(before, actor.id) };
        break;
      case 'comment':
        entry = { action: 'comment', answer: null, reason: null, note: decision.text, after: { text: decision.text }, before: null };
        break;
      case 'edit': {
        const letters = decision.options.map((o) => o.letter).join('');
        const expected = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.slice(0, decision.options.length);
        if (letters !== expected) throw new ApiError('bad-input', `Options must be lettered ${expected.split('').join(', ')} in order, got ${letters.split('').join(', ')}`);
        const current = before.content ?? { stem: this.repo.question(datasetId, seq)?.stem ?? '', options: currentOptions };
        entry = { action: 'edit', answer: null, reason: null, note: null, after: { stem: decision.stem, options: decision.options }, before: current };
        break;
      }
    }
    const provisional: FoldRow = { ...entry, id: Number.MAX_SAFE_INTEGER, at: base.at, reviewerId: actor.id, pseudoLabel: item.pseudoLabel, adjudication: adjudicate, reverts: null };
    const outcome = foldItem([...rows, provisional]);
    const after = entry.action === 'edit' || entry.action === 'comment' ? entry.after : snapshot(outcome, actor.id);
    const auditId = this.repo.insertAudit({ ...base, action: entry.action, answer: entry.answer, reason: entry.reason, note: entry.note, before: entry.before, after });
    this.repo.writeOutcome(datasetId, seq, foldItem(this.repo.auditForItem(datasetId, seq).map(toFoldRow)));
    return { auditId, outcome };
  }

  undo(input: { item?: { datasetId: number; seq: number }; reviewerId?: number }): UndoResult {
    const actor = this.actor(input.reviewerId);
    return this.repo.transaction(() => {
      const target = this.repo.latestUndoable(actor.id, input.item);
      if (!target) return { reverted: null, undoId: null };
      const rows = this.repo.auditForItem(target.datasetId, target.seq).map(toFoldRow);
      const before = foldItem(rows);
      const undoRow: FoldRow = { id: Number.MAX_SAFE_INTEGER, at: new Date().toISOString(), reviewerId: actor.id, action: 'undo', answer: null, reason: null, note: null, pseudoLabel: target.pseudoLabel, adjudication: false, reverts: target.id, after: null };
      const after = foldItem([...rows, undoRow]);
      const isContent = target.action === 'edit';
      const undoId = this.repo.insertAudit({
        at: undoRow.at,
        reviewerId: actor.id,
        datasetId: target.datasetId,
        seq: target.seq,
        questionId: target.questionId,
        action: 'undo',
        pseudoLabel: target.pseudoLabel,
        reverts: target.id,
        note: `undo ${target.action} #${target.id}`,
        before: isContent ? (before.content ?? target.before) : snapshot(before, actor.id),
        after: isContent ? (after.content ?? target.before) : snapshot(after, actor.id),
      });
      this.repo.writeOutcome(target.datasetId, target.seq, foldItem(this.repo.auditForItem(target.datasetId, target.seq).map(toFoldRow)));
      return { reverted: this.publicEntry(this.repo.auditEntry(target.id) as AuditRow), undoId };
    });
  }

  /** The filter's items, or of the items picked one by one those still matching it. */
  private bulkSelection(actor: ReviewerRow, filter: QueueFilter, picked: readonly { datasetId: number; seq: number }[] | undefined) {
    const all = this.repo.matching(filter, this.viewer(actor));
    if (!picked) return all;
    const keys = new Set(picked.map((p) => `${p.datasetId}:${p.seq}`));
    return all.filter((i) => keys.has(`${i.datasetId}:${i.seq}`));
  }

  bulkPreview(input: { filter: QueueFilter; items?: { datasetId: number; seq: number }[] | undefined; reviewerId?: number | undefined }): BulkPreview {
    const actor = this.actor(input.reviewerId);
    this.requireAdmin(actor, 'apply a decision in bulk');
    this.syncDatasets(input.filter.datasetIds);
    const items = this.bulkSelection(actor, input.filter, input.items);
    return {
      count: items.length,
      contradicting: items.filter((i) => i.pseudoLabel !== null && i.pseudoLabel !== i.intendedAnswer).length,
      unlabelled: items.filter((i) => i.pseudoLabel === null).length,
    };
  }

  bulk(input: { filter: QueueFilter; items?: { datasetId: number; seq: number }[] | undefined; decision: Decision; confirmCount: number; reviewerId?: number }): BulkResult {
    const actor = this.actor(input.reviewerId);
    this.requireAdmin(actor, 'apply a decision in bulk');
    this.syncDatasets(input.filter.datasetIds);
    return this.repo.transaction(() => {
      const items = this.bulkSelection(actor, input.filter, input.items);
      if (items.length !== input.confirmCount) {
        throw new ApiError('conflict', `The selection now holds ${items.length} items, not the ${input.confirmCount} you confirmed; check the count and confirm again`);
      }
      if (input.decision.kind === 'accept') {
        const unlabelled = items.filter((i) => this.repo.item(i.datasetId, i.seq)?.pseudoLabel === null).length;
        if (unlabelled) throw new ApiError('bad-input', `${unlabelled} of the selected items have no pseudo-label to accept; narrow the selection`);
      }
      const batch = randomUUID();
      for (const i of items) this.applyDecision(actor, i.datasetId, i.seq, input.decision, false, batch);
      return { applied: items.length, batch };
    });
  }

  /** Recomputes every derived row from the log (repair, and the proof that state derives from it). */
  rebuildFromLog(): number {
    return this.repo.transaction(() => {
      this.repo.resetDerived();
      const items = this.repo.auditedItems();
      for (const i of items) this.repo.writeOutcome(i.datasetId, i.seq, foldItem(this.repo.auditForItem(i.datasetId, i.seq).map(toFoldRow)));
      return items.length;
    });
  }

  // Audit, agreement, exports --------------------------------------------------------------------------

  private publicEntry(a: AuditRow): AuditEntry {
    const { pseudoLabel: _pseudo, ...rest } = a;
    return rest;
  }

  /** In blind mode a reviewer's view of the log is their own rows. */
  private visibleTo(actor: ReviewerRow): (a: AuditRow) => boolean {
    return this.viewer(actor).ownView ? (a) => a.reviewerId === actor.id : () => true;
  }

  audit(input: { datasetIds?: number[]; item?: { datasetId: number; seq: number }; offset: number; limit: number }): AuditPage {
    const actor = this.actor();
    const page = this.repo.auditPage(input.datasetIds, input.item, input.offset, input.limit);
    const visible = this.visibleTo(actor);
    return { total: page.total, entries: page.entries.filter(visible).map((a) => this.publicEntry(a)) };
  }

  exportAudit(input: { format: 'csv' | 'json'; datasetIds?: number[] }): ExportFile {
    const actor = this.actor();
    const visible = this.visibleTo(actor);
    const entries: AuditEntry[] = [];
    for (const a of this.repo.auditAll(input.datasetIds)) if (visible(a)) entries.push(this.publicEntry(a));
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    if (input.format === 'json') {
      return { filename: `medssr-audit-${stamp}.json`, mimeType: 'application/json', content: `${JSON.stringify(entries, null, 2)}\n`, count: entries.length };
    }
    return { filename: `medssr-audit-${stamp}.csv`, mimeType: 'text/csv', content: auditCsv(entries), count: entries.length };
  }

  agreement(input: { datasetIds?: number[] }): AgreementReport {
    const actor = this.actor();
    if (this.viewer(actor).ownView) throw new ApiError('forbidden', 'Agreement figures reveal other reviewers’ decisions; in blind review only an admin sees them');
    const names = new Map(this.repo.reviewers().map((r) => [r.id, r.name]));
    const times: { reviewerId: number; at: string }[] = [];
    for (const a of this.repo.auditAll(input.datasetIds)) {
      if (a.batch === null && a.action !== 'undo' && a.action !== 'comment') times.push({ reviewerId: a.reviewerId, at: a.at });
    }
    return agreementReport(this.repo.states(input.datasetIds), reviewedOutcomes(this.db, input.datasetIds), times, names);
  }

  /** Items with an accepted or corrected outcome, in MedSSR format with the reviewers' answer as gold. */
  humanSet(datasetIds: number[], name: string): HumanLabelledItem[] {
    this.syncDatasets(datasetIds);
    const out: HumanLabelledItem[] = [];
    for (const o of reviewedOutcomes(this.db, datasetIds)) {
      const gold = reviewedGold(o);
      if (gold === null) continue;
      const q = this.repo.question(o.datasetId, o.seq);
      if (!q) continue;
      const content = o.content ?? { stem: q.stem, options: q.options };
      out.push({
        id: q.id,
        question: formatQuestion(content.stem, content.options),
        gold: gold.answer,
        name,
        meta: {
          dataset: q.datasetName,
          version: q.datasetVersion,
          questionId: q.id,
          questionType: q.questionType,
          difficulty: q.difficulty,
          orphaCodes: q.provenance.orphaCodes,
          intendedAnswer: q.intendedAnswer,
          pseudoLabel: o.pseudoLabel,
          humanAnswer: gold.answer,
          status: gold.status,
          edited: o.content !== null,
        },
      });
    }
    return out;
  }

  exportHumanSet(input: { datasetIds: number[]; name: string }): ExportFile {
    this.actor();
    const items = this.humanSet(input.datasetIds, input.name);
    const safe = input.name.replace(/[^A-Za-z0-9._-]+/g, '-');
    return { filename: `${safe}.json`, mimeType: 'application/json', content: `${JSON.stringify(items, null, 2)}\n`, count: items.length };
  }
}
