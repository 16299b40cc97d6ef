import { useCallback, useMemo, useRef, useState } from 'react';
import type { ItemRef, QueueRow } from '../../../../api/review.js';

const key = (r: ItemRef) => `${r.datasetId}:${r.seq}`;

/**
 * Items ticked one by one in the queue for a bulk action; shift-click ticks the range from the last one
 * clicked. Rows that leave the queue (another filter) leave the selection too.
 */
export function useRowSelection(rows: readonly QueueRow[]) {
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const anchor = useRef<number | null>(null);

  const toggle = useCallback(
    (index: number, shift: boolean) => {
      const row = rows[index];
      if (!row) return;
      setPicked((cur) => {
        const next = new Set(cur);
        const on = !cur.has(key(row));
        const from = shift && anchor.current !== null ? Math.min(anchor.current, index) : index;
        const to = shift && anchor.current !== null ? Math.max(anchor.current, index) : index;
        for (let i = from; i <= to; i++) {
          const r = rows[i];
          if (!r) continue;
          if (on) next.add(key(r));
          else next.delete(key(r));
        }
        return next;
      });
      anchor.current = index;
    },
    [rows],
  );

  const selected = useMemo(() => rows.filter((r) => picked.has(key(r))).map((r) => ({ datasetId: r.datasetId, seq: r.seq })), [rows, picked]);
  const clear = useCallback(() => {
    setPicked(new Set());
    anchor.current = null;
  }, []);
  const isPicked = useCallback((r: ItemRef) => picked.has(key(r)), [picked]);
  return { selected, toggle, clear, isPicked };
}
