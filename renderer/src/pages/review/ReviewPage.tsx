import { Alert, Box, Button, LinearProgress, Snackbar, Tab, Tabs, Typography } from '@mui/material';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { BulkPreview, Decision } from '../../../../api/review.js';
import { useApi } from '../../api/ApiContext.js';
import { errorMessage } from '../../api/clientError.js';
import { ActionBar } from './ActionBar.js';
import { BulkDialog, CommentDialog, EditDialog, RejectDialog, ShortcutsDialog, type BulkChoice } from './Dialogs.js';
import { ItemView } from './ItemView.js';
import { QueueList } from './QueueList.js';
import { QueueToolbar } from './QueueToolbar.js';
import { AgreementPanel, GuidelinesPanel } from './SidePanels.js';
import { useDecisions } from './useDecisions.js';
import { useReviewKeys, type ReviewDialog } from './useReviewKeys.js';
import { useReviewQueue } from './useReviewQueue.js';
import { useQueueFilter, useReviewSession, type Notify } from './useReviewScope.js';
import { useRowSelection } from './useRowSelection.js';

/** Bulk: what the confirmation shows (fetched when it opens) and the apply, for the ticked rows or the whole queue. */
function useBulk(args: { filter: ReturnType<typeof useQueueFilter>['filter']; picked: { datasetId: number; seq: number }[]; actingId: number | undefined; onApplied(n: number): void }) {
  const api = useApi();
  const [preview, setPreview] = useState<BulkPreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { filter, picked, actingId, onApplied } = args;
  const items = picked.length ? { items: picked } : {};
  const open = () => {
    setPreview(null);
    setError(null);
    if (!filter) return;
    api.call('review.bulkPreview', { filter, ...items, reviewerId: actingId }).then(setPreview, (e: unknown) => setError(errorMessage(e)));
  };
  const apply = async (choice: BulkChoice) => {
    if (!filter || !preview) return false;
    try {
      const r = await api.call('review.bulk', { filter, ...items, decision: choice as Extract<Decision, { kind: BulkChoice['kind'] }>, confirmCount: preview.count, reviewerId: actingId });
      onApplied(r.applied);
      return true;
    } catch (e) {
      setError(errorMessage(e));
      return false;
    }
  };
  return { preview, error, open, apply };
}

export function ReviewPage({ active }: { active: boolean }) {
  const [message, setMessage] = useState<{ text: string; severity: 'success' | 'error' | 'info' } | null>(null);
  const notify = useCallback<Notify>((text, severity) => setMessage({ text, severity }), []);
  const scope = useReviewSession(active, notify);
  const { session, actingId, isAdmin } = scope;
  const f = useQueueFilter(scope.datasetIds);
  const q = useReviewQueue(session ? f.filter : null, f.order, actingId);
  const item = q.item;
  const [dialog, setDialog] = useState<ReviewDialog>(null);
  // The side panel opens by itself only where it leaves the item room (≥ 1280 px); below that G or the
  // toolbar's menu opens it, so at 1024×700 the question is not squeezed into a narrow column.
  const [side, setSide] = useState<'guidelines' | 'agreement' | null>(() => (window.innerWidth >= 1280 ? 'guidelines' : null));
  const searchRef = useRef<HTMLInputElement>(null);
  const d = useDecisions(q, { actingId, isAdmin, notify });
  const selection = useRowSelection(q.rows);
  const { clear: clearSelection } = selection;
  // A new filter is a new queue: ticks from the old one would act on items no longer shown.
  useEffect(() => clearSelection(), [f.filter, clearSelection]);
  const bulk = useBulk({
    filter: f.filter,
    picked: selection.selected,
    actingId,
    onApplied: (n) => {
      notify(`Applied to ${n.toLocaleString()} items`, 'success');
      clearSelection();
      q.reload();
      d.saved();
    },
  });

  const toggleSide = useCallback(() => setSide((s) => (s ? null : 'guidelines')), []);
  useReviewKeys(active, { dialog, setDialog, toggleSide, itemRef: d.itemRef, searchRef, decide: d.decide, undo: d.undo, q, notify });

  // A dialog that closes keeps the focus until its exit transition ends; keys must reach the page at once.
  const closeDialog = () => {
    setDialog(null);
    (document.activeElement as HTMLElement | null)?.blur();
  };
  const { open: openBulkPreview } = bulk;
  const onBulk = useCallback(() => {
    openBulkPreview();
    setDialog('bulk');
  }, [openBulkPreview]);
  const onHelp = useCallback(() => setDialog('help'), []);

  if (scope.datasets && scope.datasets.length === 0) {
    return (
      <Box sx={{ p: 4 }} data-testid="review-empty">
        <Alert severity="info">No synthetic dataset yet. Create one on the Synthesis page (and label it), then review it here.</Alert>
      </Box>
    );
  }

  return (
    <Box sx={{ height: '100%', display: 'flex', flexDirection: 'column' }} data-testid="review-page" data-saving={d.pendingSaves > 0 ? 'true' : 'false'}>
      <QueueToolbar
        datasets={scope.datasets}
        datasetIds={scope.datasetIds}
        setDatasetIds={scope.setDatasetIds}
        order={f.order}
        setOrder={f.setOrder}
        searchText={f.searchText}
        setSearchText={f.setSearchText}
        searchRef={searchRef}
        session={session}
        filters={f.filters}
        setFilters={f.setFilters}
        counts={q.counts}
        picked={selection.selected.length}
        onProfile={scope.onProfile}
        onBulk={onBulk}
        onHelp={onHelp}
        onToggleSide={toggleSide}
      />

      {q.loading && <LinearProgress />}
      {q.error && (
        <Alert severity="error" sx={{ m: 1 }}>
          {q.error}
        </Alert>
      )}

      <Box sx={{ flex: 1, minHeight: 0, display: 'flex' }}>
        <Box sx={{ width: { xs: 200, lg: 250 }, flexShrink: 0, borderRight: 1, borderColor: 'divider', display: 'flex', flexDirection: 'column' }} component="nav" aria-label="Review queue">
          {isAdmin && selection.selected.length > 0 && (
            <Box sx={{ px: 1, py: 0.5, borderBottom: 1, borderColor: 'divider', display: 'flex', alignItems: 'center' }}>
              <Typography variant="caption" sx={{ flex: 1 }} data-testid="picked-count">
                {selection.selected.length} ticked
              </Typography>
              <Button size="small" onClick={clearSelection}>
                Clear
              </Button>
            </Box>
          )}
          <Box sx={{ flex: 1, minHeight: 0 }}>
            <QueueList rows={q.rows} index={q.index} onSelect={q.setIndex} picking={isAdmin ? selection : undefined} />
          </Box>
        </Box>

        <Box sx={{ flex: 1, minWidth: 0, overflow: 'auto' }} data-testid="item-pane" component="section" aria-label="Item under review">
          <ActionBar item={item} q={q} decide={d.decide} undo={d.undo} setDialog={setDialog} />
          <Box sx={{ p: 2, maxWidth: 980 }}>
            {item ? (
              <ItemView item={item} onPick={(letter) => d.decide({ kind: 'answer', answer: letter })} />
            ) : (
              <Typography color="text.secondary" data-testid="no-item">
                {q.loading ? 'Loading…' : q.rows.length === 0 ? 'Nothing in this queue. Change the filters or pick another dataset.' : 'Loading the item…'}
              </Typography>
            )}
          </Box>
        </Box>

        {side && session && (
          <Box sx={{ width: { xs: 280, lg: 360 }, flexShrink: 0, borderLeft: 1, borderColor: 'divider', display: 'flex', flexDirection: 'column' }} component="aside" aria-label="Guidelines and agreement">
            <Tabs value={side} onChange={(_, v: 'guidelines' | 'agreement') => setSide(v)} variant="fullWidth">
              <Tab value="guidelines" label="Guidelines" />
              <Tab value="agreement" label="Agreement" data-testid="agreement-tab" />
            </Tabs>
            <Box sx={{ flex: 1, overflow: 'auto', p: 2 }}>
              {side === 'guidelines' ? (
                <GuidelinesPanel session={session} onChanged={scope.loadSession} />
              ) : (
                <AgreementPanel
                  session={session}
                  datasetIds={scope.datasetIds}
                  refreshKey={d.decisions}
                  onChanged={() => {
                    scope.loadSession();
                    q.reload();
                  }}
                />
              )}
            </Box>
          </Box>
        )}
      </Box>

      <RejectDialog
        open={dialog === 'reject'}
        onClose={() => setDialog(null)}
        onReject={(reason, note) => {
          closeDialog();
          d.decide({ kind: 'reject', reason, note });
        }}
      />
      {item && (
        <EditDialog
          open={dialog === 'edit'}
          stem={item.stem}
          options={item.options}
          onClose={() => setDialog(null)}
          onSave={(stem, options) => {
            closeDialog();
            d.decide({ kind: 'edit', stem, options }, false);
          }}
        />
      )}
      <CommentDialog
        open={dialog === 'comment'}
        onClose={() => setDialog(null)}
        onSave={(text) => {
          closeDialog();
          d.decide({ kind: 'comment', text }, false);
        }}
      />
      <BulkDialog
        open={dialog === 'bulk'}
        describe={f.describe}
        picked={selection.selected.length}
        preview={bulk.preview}
        onClose={() => setDialog(null)}
        onApply={(c) => void bulk.apply(c).then((ok) => ok && setDialog(null))}
        error={bulk.error}
      />
      <ShortcutsDialog open={dialog === 'help'} onClose={() => setDialog(null)} />
      {message && (
        <Snackbar open autoHideDuration={4000} onClose={() => setMessage(null)} anchorOrigin={{ vertical: 'bottom', horizontal: 'center' }}>
          <Alert severity={message.severity} onClose={() => setMessage(null)} data-testid="review-message">
            {message.text}
          </Alert>
        </Snackbar>
      )}
    </Box>
  );
}
