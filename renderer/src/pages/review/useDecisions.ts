import { useCallback, useLayoutEffect, useRef, useState } from 'react';
import type { DecisionInput, ReviewItem } from '../../../../api/review.js';
import { useApi } from '../../api/ApiContext.js';
import { errorMessage } from '../../api/clientError.js';
import type { Notify } from './useReviewScope.js';
import type { QueueState } from './useReviewQueue.js';

/**
 * Decisions and undo. They are saved one after another, in the order they were made, while the cursor moves on
 * at once; `decisions` counts the saved ones so panels that summarise them (agreement) know to refresh.
 */
export function useDecisions(q: QueueState, opts: { actingId: number | undefined; isAdmin: boolean; notify: Notify }) {
  const api = useApi();
  const { actingId, isAdmin, notify } = opts;
  // Keys can arrive between a commit and the next effects; handlers read the item on screen from here.
  const itemRef = useRef<ReviewItem | null>(q.item);
  useLayoutEffect(() => {
    itemRef.current = q.item;
  });
  const saving = useRef<Promise<unknown>>(Promise.resolve());
  const [pendingSaves, setPendingSaves] = useState(0);
  const [decisions, setDecisions] = useState(0);
  const enqueue = useCallback((work: () => Promise<unknown>) => {
    setPendingSaves((n) => n + 1);
    saving.current = saving.current.then(work).finally(() => setPendingSaves((n) => n - 1));
  }, []);

  const decide = useCallback(
    (decision: DecisionInput, advance = true) => {
      const target = itemRef.current;
      if (!target) return;
      const ref = { datasetId: target.datasetId, seq: target.seq };
      // An admin's verdict on a conflict is the adjudication that settles it.
      const adjudicate = isAdmin && target.status === 'conflict' && (decision.kind === 'accept' || decision.kind === 'answer' || decision.kind === 'reject');
      if (advance) q.advanceFrom(ref);
      enqueue(async () => {
        try {
          const r = await api.call('review.decide', { ...ref, decision, adjudicate, reviewerId: actingId });
          q.afterDecision(ref, r.status);
          setDecisions((n) => n + 1);
        } catch (e) {
          notify(`Not saved (${target.questionId}): ${errorMessage(e)}`, 'error');
          q.jumpTo(ref);
        }
      });
    },
    [api, q, actingId, enqueue, isAdmin, notify],
  );

  const undo = useCallback(
    () =>
      enqueue(async () => {
        try {
          const r = await api.call('review.undo', { reviewerId: actingId });
          if (!r.reverted) {
            notify('Nothing to undo', 'info');
            return;
          }
          const ref = { datasetId: r.reverted.datasetId, seq: r.reverted.seq };
          // The reverted item may have left the queue (a bulk action emptied it): reload the queue, not only the
          // item, so rows and counters agree, and land on the item again.
          q.jumpTo(ref);
          q.refreshItem(ref);
          q.reload();
          setDecisions((n) => n + 1);
          notify(`Undid ${r.reverted.action} on ${r.reverted.questionId}`, 'success');
        } catch (e) {
          notify(errorMessage(e), 'error');
        }
      }),
    [api, actingId, q, enqueue, notify],
  );

  const saved = useCallback(() => setDecisions((n) => n + 1), []);
  return { itemRef, decide, undo, pendingSaves, decisions, saved };
}
