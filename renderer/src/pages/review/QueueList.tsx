import { Box, Checkbox, Typography } from '@mui/material';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useRef } from 'react';
import type { ItemRef, QueueRow } from '../../../../api/review.js';
import { statusColors } from './ItemView.js';

const rowHeight = 34;

export interface RowPicking {
  isPicked(r: ItemRef): boolean;
  /** Ticks or unticks the row; with shift, the range from the last row clicked. */
  toggle(index: number, shift: boolean): void;
}

/** The whole queue, virtualised: ten thousand rows cost what thirty do. Admins tick rows for a bulk action. */
export const QueueList = memo(function QueueList({ rows, index, onSelect, picking }: { rows: QueueRow[]; index: number; onSelect(i: number): void; picking?: RowPicking | undefined }) {
  const parent = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => parent.current, estimateSize: () => rowHeight, overscan: 10 });
  useEffect(() => {
    if (rows.length) virtualizer.scrollToIndex(index, { align: 'auto' });
  }, [index, rows.length, virtualizer]);
  return (
    <Box ref={parent} data-testid="queue-list" sx={{ height: '100%', overflow: 'auto', position: 'relative' }}>
      <Box sx={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((v) => {
          const r = rows[v.index] as QueueRow;
          const selected = v.index === index;
          const color = statusColors[r.status];
          return (
            <Box
              key={v.key}
              data-testid="queue-row"
              data-status={r.status}
              data-selected={selected ? 'true' : undefined}
              onClick={() => onSelect(v.index)}
              sx={{
                position: 'absolute',
                top: 0,
                left: 0,
                right: 0,
                height: rowHeight,
                transform: `translateY(${v.start}px)`,
                display: 'flex',
                alignItems: 'center',
                gap: 1,
                px: picking ? 0.5 : 1.5,
                cursor: 'pointer',
                borderLeft: 3,
                borderColor: selected ? 'primary.main' : 'transparent',
                bgcolor: selected ? 'action.selected' : undefined,
                '&:hover': { bgcolor: 'action.hover' },
              }}
            >
              {picking && (
                <Checkbox
                  size="small"
                  checked={picking.isPicked(r)}
                  // The click handler does the toggling: it is the one that knows about the shift key.
                  onChange={() => undefined}
                  onClick={(e) => {
                    e.stopPropagation();
                    picking.toggle(v.index, e.shiftKey);
                  }}
                  sx={{ p: 0.5 }}
                  slotProps={{ input: { 'aria-label': `Tick ${r.questionId} for a bulk action (shift-click ticks a range)`, tabIndex: -1 } }}
                  data-testid="queue-row-pick"
                />
              )}
              <Box sx={{ width: 8, height: 8, borderRadius: '50%', flexShrink: 0, bgcolor: color === 'default' ? 'grey.400' : `${color}.main` }} />
              <Typography variant="body2" noWrap sx={{ flex: 1, minWidth: 0, fontFamily: 'monospace', fontSize: 12 }}>
                {r.questionId}
              </Typography>
              <Typography variant="caption" color="text.secondary" sx={{ flexShrink: 0 }}>
                {r.voteShare === null ? '—' : r.voteShare.toFixed(2)}
              </Typography>
            </Box>
          );
        })}
      </Box>
    </Box>
  );
});
