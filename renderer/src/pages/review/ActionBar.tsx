import { Box, Button, Stack, Typography } from '@mui/material';
import type { DecisionInput, ReviewItem } from '../../../../api/review.js';
import type { QueueState } from './useReviewQueue.js';
import type { ReviewDialog } from './useReviewKeys.js';

export function Kbd({ k }: { k: string }) {
  return (
    <Box component="kbd" aria-hidden sx={{ ml: 0.75, fontSize: 10.5, px: 0.5, border: 1, borderColor: 'currentColor', borderRadius: 0.5, opacity: 0.8 }}>
      {k}
    </Box>
  );
}

/**
 * The decision buttons above the item, kept on one line where it fits: at 1024 px the navigation wraps onto a
 * second short row instead of pushing the question below the fold.
 */
export function ActionBar({ item, q, decide, undo, setDialog }: { item: ReviewItem | null; q: QueueState; decide(d: DecisionInput): void; undo(): void; setDialog(d: ReviewDialog): void }) {
  return (
    <Box sx={{ position: 'sticky', top: 0, zIndex: 1, bgcolor: 'background.paper', borderBottom: 1, borderColor: 'divider', px: 2, py: 0.75 }} data-testid="review-actions">
      <Stack direction="row" spacing={0.5} useFlexGap sx={{ alignItems: 'center', flexWrap: 'wrap', rowGap: 0.5, '& .MuiButton-root': { minWidth: 0, px: 1 } }}>
        <Button size="small" variant="contained" color="success" disabled={!item?.pseudoLabel?.label} onClick={() => decide({ kind: 'accept' })} data-testid="accept">
          Accept <Kbd k="A" />
        </Button>
        <Button size="small" variant="outlined" color="error" disabled={!item} onClick={() => setDialog('reject')} data-testid="reject">
          Reject <Kbd k="R" />
        </Button>
        <Button size="small" variant="outlined" disabled={!item} onClick={() => setDialog('edit')}>
          Edit <Kbd k="E" />
        </Button>
        {/* Skip in the text colour, not orange: orange text on white fails the 4.5:1 contrast. */}
        <Button size="small" variant="outlined" color="inherit" disabled={!item} onClick={() => decide({ kind: 'skip' })}>
          Skip <Kbd k="S" />
        </Button>
        <Button size="small" disabled={!item} onClick={() => setDialog('comment')}>
          Comment <Kbd k="C" />
        </Button>
        <Button size="small" onClick={() => undo()} data-testid="undo">
          Undo <Kbd k="U" />
        </Button>
        <Box sx={{ flex: 1 }} />
        <Stack direction="row" spacing={0.5} sx={{ alignItems: 'center' }}>
          <Typography variant="body2" color="text.secondary" data-testid="queue-position">
            {q.rows.length ? `${(q.index + 1).toLocaleString()} / ${q.rows.length.toLocaleString()}` : '0 / 0'}
          </Typography>
          <Button size="small" onClick={q.prev} disabled={q.index === 0}>
            Prev <Kbd k="K" />
          </Button>
          <Button size="small" onClick={q.next} disabled={q.index >= q.rows.length - 1}>
            Next <Kbd k="J" />
          </Button>
        </Stack>
      </Stack>
    </Box>
  );
}
