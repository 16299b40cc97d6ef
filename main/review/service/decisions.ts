/**
 * Decisions: one, in bulk, and their undo. Every change appends to rev_audit and rewrites the item's derived
 * state from the fold of its log in the same transaction.
 */
import { randomUUID } from 'node:crypto';
import { ApiError } from '../../../api/contract.js';
import type { BulkPreview, BulkResult, DecideResult, Decision, QueueFilter, UndoResult } from '../../../api/review.js';
import { foldItem, type FoldRow, type ItemOutcome } from '../fold.js';
import { toFoldRow, type AuditRow, type ItemKey, type ReviewerRow } from '../store.js';
import type { ReviewAccess } from './access.js';
import { publicEntry } from './exports.js';

type Snapshot = { reviewer: { status: string; answer: string | null; reason: string | null } | null; item: { status: string; answer: string | null } };

function snapshot(outcome: ItemOutcome, reviewerId: number): Snapshot {
  const s = outcome.states.find((x) => x.reviewerId === reviewerId);
  return {
    reviewer: s ? { status: s.status, answer: s.answer, reason: s.reason } : null,
    item: { status: outcome.status, answer: outcome.answer },
  };
}

export class ReviewDecisions {
  constructor(private readonly access: ReviewAccess) {}

  private get repo() {
    return this.access.repo;
  }

  /** The item's fold from its log, as stored. */
  private refold(datasetId: number, seq: number): void {
    this.repo.audit.writeOutcome(datasetId, seq, foldItem(this.repo.audit.forItemInOrder(datasetId, seq).map(toFoldRow)));
  }

  decide(input: { datasetId: number; seq: number; decision: Decision; adjudicate: boolean; reviewerId?: number | undefined }): DecideResult {
    const actor = this.access.actor(input.reviewerId);
    if (input.adjudicate) this.access.requireAdmin(actor, 'adjudicate a conflict');
    this.access.syncDatasets([input.datasetId], false);
    return this.repo.transaction(() => {
      const r = this.applyDecision(actor, input.datasetId, input.seq, input.decision, input.adjudicate, null);
      const own = this.access.viewer(actor).ownView;
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
    const item = this.repo.items.item(datasetId, seq);
    if (!item) throw new ApiError('not-found', `No question ${seq} in dataset ${datasetId} awaits review`);
    const rows = this.repo.audit.forItemInOrder(datasetId, seq).map(toFoldRow);
    const before = foldItem(rows);
    const currentOptions = before.content?.options ?? this.repo.items.question(datasetId, seq)?.options ?? [];
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
        const current = before.content ?? { stem: this.repo.items.question(datasetId, seq)?.stem ?? '', options: currentOptions };
        entry = { action: 'edit', answer: null, reason: null, note: null, after: { stem: decision.stem, options: decision.options }, before: current };
        break;
      }
    }
    const provisional: FoldRow = { ...entry, id: Number.MAX_SAFE_INTEGER, at: base.at, reviewerId: actor.id, pseudoLabel: item.pseudoLabel, adjudication: adjudicate, reverts: null };
    const outcome = foldItem([...rows, provisional]);
    const after = entry.action === 'edit' || entry.action === 'comment' ? entry.after : snapshot(outcome, actor.id);
    const auditId = this.repo.audit.append({ ...base, action: entry.action, answer: entry.answer, reason: entry.reason, note: entry.note, before: entry.before, after });
    this.refold(datasetId, seq);
    return { auditId, outcome };
  }

  undo(input: { item?: ItemKey | undefined; reviewerId?: number | undefined }): UndoResult {
    const actor = this.access.actor(input.reviewerId);
    return this.repo.transaction(() => {
      const target = this.repo.audit.latestUndoable(actor.id, input.item);
      if (!target) return { reverted: null, undoId: null };
      const rows = this.repo.audit.forItemInOrder(target.datasetId, target.seq).map(toFoldRow);
      const before = foldItem(rows);
      const undoRow: FoldRow = { id: Number.MAX_SAFE_INTEGER, at: new Date().toISOString(), reviewerId: actor.id, action: 'undo', answer: null, reason: null, note: null, pseudoLabel: target.pseudoLabel, adjudication: false, reverts: target.id, after: null };
      const after = foldItem([...rows, undoRow]);
      const isContent = target.action === 'edit';
      const undoId = this.repo.audit.append({
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
      this.refold(target.datasetId, target.seq);
      return { reverted: publicEntry(this.repo.audit.entry(target.id) as AuditRow), undoId };
    });
  }

  /** The filter's items, or of the items picked one by one those still matching it. */
  private bulkSelection(actor: ReviewerRow, filter: QueueFilter, picked: readonly ItemKey[] | undefined) {
    const all = this.repo.items.matching(filter, this.access.viewer(actor));
    if (!picked) return all;
    const keys = new Set(picked.map((p) => `${p.datasetId}:${p.seq}`));
    return all.filter((i) => keys.has(`${i.datasetId}:${i.seq}`));
  }

  bulkPreview(input: { filter: QueueFilter; items?: ItemKey[] | undefined; reviewerId?: number | undefined }): BulkPreview {
    const actor = this.access.actor(input.reviewerId);
    this.access.requireAdmin(actor, 'apply a decision in bulk');
    this.access.syncDatasets(input.filter.datasetIds);
    const items = this.bulkSelection(actor, input.filter, input.items);
    return {
      count: items.length,
      contradicting: items.filter((i) => i.pseudoLabel !== null && i.pseudoLabel !== i.intendedAnswer).length,
      unlabelled: items.filter((i) => i.pseudoLabel === null).length,
    };
  }

  bulk(input: { filter: QueueFilter; items?: ItemKey[] | undefined; decision: Decision; confirmCount: number; reviewerId?: number | undefined }): BulkResult {
    const actor = this.access.actor(input.reviewerId);
    this.access.requireAdmin(actor, 'apply a decision in bulk');
    this.access.syncDatasets(input.filter.datasetIds);
    return this.repo.transaction(() => {
      const items = this.bulkSelection(actor, input.filter, input.items);
      if (items.length !== input.confirmCount) {
        throw new ApiError('conflict', `The selection now holds ${items.length} items, not the ${input.confirmCount} you confirmed; check the count and confirm again`);
      }
      if (input.decision.kind === 'accept') {
        const unlabelled = items.filter((i) => this.repo.items.item(i.datasetId, i.seq)?.pseudoLabel === null).length;
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
      this.repo.audit.resetDerived();
      const items = this.repo.audit.auditedItems();
      for (const i of items) this.refold(i.datasetId, i.seq);
      return items.length;
    });
  }
}
