import { Badge, Box, Button, Checkbox, Chip, Collapse, Divider, FormControlLabel, IconButton, LinearProgress, ListItemIcon, ListItemText, Menu, MenuItem, Select, Slider, Stack, TextField, Tooltip, Typography } from '@mui/material';
import FilterListIcon from '@mui/icons-material/FilterList';
import KeyboardIcon from '@mui/icons-material/KeyboardOutlined';
import LogoutIcon from '@mui/icons-material/Logout';
import MoreVertIcon from '@mui/icons-material/MoreVert';
import ViewSidebarIcon from '@mui/icons-material/ViewSidebarOutlined';
import { memo, useState, type Dispatch, type RefObject, type SetStateAction } from 'react';
import type { ItemStatus, QueueOrder, QueueResult, ReviewSession } from '../../../../api/review.js';
import { itemStatuses } from '../../../../api/review.js';
import type { DatasetSummary, Difficulty, QuestionType } from '../../../../api/synthesis.js';
import { difficulties, questionTypes } from '../../../../api/synthesis.js';
import { statusColors } from './ItemView.js';
import { signOut } from './login/session.js';

export type Tri = 'any' | 'yes' | 'no';

export interface Filters {
  statuses: ItemStatus[];
  share: [number, number];
  disagreement: Tri;
  tiesOnly: boolean;
  questionTypes: QuestionType[];
  difficulties: Difficulty[];
  orphaCode: string;
  branch: string;
  decidedBy: number | '';
}

/** Filters beyond the status chips that differ from the defaults: the Filters button shows the count. */
export function activeFilterCount(f: Filters): number {
  return [
    f.share[0] !== 0 || f.share[1] !== 1,
    f.disagreement !== 'any',
    f.tiesOnly,
    f.questionTypes.length > 0,
    f.difficulties.length > 0,
    f.orphaCode !== '',
    f.branch !== '',
    f.decidedBy !== '',
  ].filter(Boolean).length;
}

/** Dense inputs (32 px instead of 40): the toolbar then takes two short rows and the question stays above the fold at 1024×700. */
const dense = { '& .MuiSelect-select': { py: 0.5, fontSize: 13 }, '& .MuiInputBase-input': { py: 0.5, fontSize: 13 } } as const;

export const initialFilters: Filters = { statuses: ['pending'], share: [0, 1], disagreement: 'any', tiesOnly: false, questionTypes: [], difficulties: [], orphaCode: '', branch: '', decidedBy: '' };

export interface QueueToolbarProps {
  datasets: DatasetSummary[] | null;
  datasetIds: number[];
  setDatasetIds: Dispatch<SetStateAction<number[]>>;
  order: QueueOrder;
  setOrder: Dispatch<SetStateAction<QueueOrder>>;
  searchText: string;
  setSearchText: Dispatch<SetStateAction<string>>;
  searchRef: RefObject<HTMLInputElement | null>;
  session: ReviewSession | null;
  filters: Filters;
  setFilters: Dispatch<SetStateAction<Filters>>;
  counts: Pick<QueueResult, 'total' | 'byStatus' | 'scope'> | null;
  /** Rows ticked in the queue: bulk then applies to them instead of the whole queue. */
  picked: number;
  onProfile(id: number): void;
  onBulk(): void;
  onHelp(): void;
  onToggleSide(): void;
}

/**
 * Datasets, order, search, filters with their counts, and progress. Memoised with stable props, so moving
 * from one item to the next does not re-render it: that keeps the next item fast at 10,000 in the queue.
 * Two dense rows: the pickers with Bulk and an overflow menu, then the status chips with the progress. The
 * finer filters fold behind "Filters" (with the count of those set), so at 1024×700 the question is still
 * above the fold; they open by themselves when one is set.
 */
export const QueueToolbar = memo(function QueueToolbar(props: QueueToolbarProps) {
  const { datasets, datasetIds, setDatasetIds, order, setOrder, searchText, setSearchText, searchRef, session, filters, setFilters, counts, picked, onProfile, onBulk, onHelp, onToggleSide } = props;
  const setF = (patch: Partial<Filters>) => setFilters((f) => ({ ...f, ...patch }));
  const toggleStatus = (s: ItemStatus | 'all') =>
    setF({ statuses: s === 'all' ? [] : filters.statuses.length === 1 && filters.statuses[0] === s ? [] : [s] });
  const progress = counts && counts.scope.items ? (100 * counts.scope.decided) / counts.scope.items : 0;
  const active = activeFilterCount(filters);
  const [showFilters, setShowFilters] = useState(active > 0);
  const [menuAnchor, setMenuAnchor] = useState<HTMLElement | null>(null);
  const closeMenu = () => setMenuAnchor(null);
  return (
      <Box sx={{ px: 2, pt: 1, pb: 0.75, borderBottom: 1, borderColor: 'divider', bgcolor: 'background.paper' }} data-testid="review-toolbar">
        <Stack direction="row" spacing={1} useFlexGap sx={{ alignItems: 'center', flexWrap: 'wrap', rowGap: 0.75 }}>
          <Select
            size="small"
            multiple
            displayEmpty
            value={datasetIds}
            onChange={(e) => setDatasetIds(typeof e.target.value === 'string' ? [] : e.target.value)}
            renderValue={(ids) => (ids.length === 0 ? 'Choose datasets' : (datasets ?? []).filter((d) => ids.includes(d.id)).map((d) => `${d.name} v${d.version}`).join(', '))}
            sx={{ minWidth: 140, maxWidth: 300, ...dense }}
            SelectDisplayProps={{ 'aria-label': 'Datasets' } as object}
            data-testid="dataset-select"
          >
            {(datasets ?? []).map((d) => (
              <MenuItem key={d.id} value={d.id}>
                <Checkbox size="small" checked={datasetIds.includes(d.id)} />
                <ListItemText primary={`${d.name} v${d.version}`} secondary={`${d.accepted.toLocaleString()} questions · ${d.labelled.toLocaleString()} labelled`} />
              </MenuItem>
            ))}
          </Select>
          <Select size="small" value={order} onChange={(e) => setOrder(e.target.value as QueueOrder)} SelectDisplayProps={{ 'aria-label': 'Queue order' } as object} sx={dense} data-testid="order-select">
            <MenuItem value="uncertainty">Most uncertain first</MenuItem>
            <MenuItem value="created">Order of creation</MenuItem>
          </Select>
          <TextField
            size="small"
            placeholder="Search  /"
            value={searchText}
            onChange={(e) => setSearchText(e.target.value)}
            inputRef={searchRef}
            onKeyDown={(e) => {
              if (e.key === 'Escape' || e.key === 'Enter') (e.target as HTMLInputElement).blur();
            }}
            slotProps={{ htmlInput: { 'data-testid': 'review-search', 'aria-label': 'Search the queue' } }}
            sx={{ width: 150, ...dense }}
          />
          <Button
            size="small"
            variant={showFilters ? 'contained' : 'outlined'}
            color="inherit"
            startIcon={
              <Badge badgeContent={active} color="primary">
                <FilterListIcon fontSize="small" />
              </Badge>
            }
            onClick={() => setShowFilters((v) => !v)}
            aria-expanded={showFilters}
            aria-controls="review-filters"
            data-testid="toggle-filters"
          >
            Filters
          </Button>
          <Box sx={{ flex: 1 }} />
          {session && !session.authenticated && (
            <Select
              size="small"
              value={session.reviewer.id}
              onChange={(e) => onProfile(Number(e.target.value))}
              SelectDisplayProps={{ 'aria-label': 'Acting reviewer' } as object}
              sx={{ maxWidth: 220, ...dense }}
              data-testid="profile-select"
            >
              {session.reviewers.map((r) => (
                <MenuItem key={r.id} value={r.id}>
                  {r.name} · {r.role}
                </MenuItem>
              ))}
            </Select>
          )}
          {session?.authenticated && (
            <Typography variant="body2" data-testid="signed-in-as" noWrap sx={{ maxWidth: 200 }}>
              {session.reviewer.name} · {session.reviewer.role}
            </Typography>
          )}
          {session?.reviewer.role === 'admin' && (
            <Button size="small" variant="outlined" onClick={onBulk} disabled={!counts || counts.total === 0} data-testid="open-bulk">
              {picked > 0 ? `Bulk on ${picked} ticked…` : 'Bulk…'}
            </Button>
          )}
          <Tooltip title="More: shortcuts, side panel">
            <IconButton size="small" onClick={(e) => setMenuAnchor(e.currentTarget)} aria-label="More review actions" aria-haspopup="menu" data-testid="review-more">
              <MoreVertIcon />
            </IconButton>
          </Tooltip>
          <Menu anchorEl={menuAnchor} open={menuAnchor !== null} onClose={closeMenu}>
            <MenuItem
              onClick={() => {
                closeMenu();
                onHelp();
              }}
            >
              <ListItemIcon>
                <KeyboardIcon fontSize="small" />
              </ListItemIcon>
              <ListItemText primary="Keyboard shortcuts" secondary="?" />
            </MenuItem>
            <MenuItem
              onClick={() => {
                closeMenu();
                onToggleSide();
              }}
              data-testid="toggle-side"
            >
              <ListItemIcon>
                <ViewSidebarIcon fontSize="small" />
              </ListItemIcon>
              <ListItemText primary="Guidelines and agreement panel" secondary="G" />
            </MenuItem>
            {session?.authenticated && (
              <MenuItem onClick={() => void signOut().then(() => window.location.reload())}>
                <ListItemIcon>
                  <LogoutIcon fontSize="small" />
                </ListItemIcon>
                <ListItemText primary="Sign out" />
              </MenuItem>
            )}
          </Menu>
        </Stack>

        <Stack direction="row" spacing={0.75} useFlexGap sx={{ mt: 0.75, alignItems: 'center', flexWrap: 'wrap', rowGap: 0.5 }} data-testid="status-chips">
          <Chip
            size="small"
            label={`All ${counts ? Object.values(counts.byStatus).reduce((a, b) => a + b, 0).toLocaleString() : ''}`}
            variant={filters.statuses.length === 0 ? 'filled' : 'outlined'}
            onClick={() => toggleStatus('all')}
            data-testid="status-chip-all"
          />
          {itemStatuses.map((s) => (
            <Chip
              key={s}
              size="small"
              color={statusColors[s]}
              variant={filters.statuses.includes(s) ? 'filled' : 'outlined'}
              label={`${s} ${counts ? counts.byStatus[s].toLocaleString() : ''}`}
              onClick={() => toggleStatus(s)}
              data-testid={`status-chip-${s}`}
            />
          ))}
          <Box sx={{ flex: '1 0 auto', display: 'flex', alignItems: 'center', gap: 1 }}>
            <LinearProgress variant="determinate" value={progress} sx={{ flex: 1, minWidth: 40, height: 6, borderRadius: 3 }} data-testid="review-progress" aria-label="Review progress" />
            <Typography variant="caption" color="text.secondary" data-testid="review-counts" noWrap>
              {counts
                ? `${counts.scope.decided.toLocaleString()} of ${counts.scope.items.toLocaleString()} decided · ${counts.total.toLocaleString()} in this queue`
                : 'Loading…'}
            </Typography>
          </Box>
        </Stack>

        <Collapse in={showFilters} unmountOnExit>
          <Stack direction="row" spacing={0.75} useFlexGap sx={{ mt: 0.75, alignItems: 'center', flexWrap: 'wrap', rowGap: 0.75 }} id="review-filters" data-testid="review-filters">
            <Typography variant="caption" color="text.secondary" id="vote-share-label">
              Vote share
            </Typography>
            <Slider
              size="small"
              value={filters.share}
              min={0}
              max={1}
              step={0.125}
              onChange={(_, v) => setF({ share: v as [number, number] })}
              valueLabelDisplay="auto"
              sx={{ width: 120, mx: 1 }}
              getAriaLabel={(i) => (i === 0 ? 'Minimum vote share' : 'Maximum vote share')}
            />
            <Divider orientation="vertical" flexItem />
            <Select size="small" value={filters.disagreement} onChange={(e) => setF({ disagreement: e.target.value as Tri })} SelectDisplayProps={{ 'aria-label': 'Model versus intended answer' } as object} sx={dense} data-testid="disagreement-select">
              <MenuItem value="any">Model vs intended: any</MenuItem>
              <MenuItem value="yes">Model disagrees</MenuItem>
              <MenuItem value="no">Model agrees</MenuItem>
            </Select>
            <FormControlLabel sx={{ mr: 0 }} control={<Checkbox size="small" checked={filters.tiesOnly} onChange={(e) => setF({ tiesOnly: e.target.checked })} />} label={<Typography variant="body2">Ties</Typography>} />
            <Select size="small" multiple displayEmpty value={filters.questionTypes} onChange={(e) => setF({ questionTypes: e.target.value as QuestionType[] })} renderValue={(v) => (v.length ? v.join(', ') : 'Any type')} SelectDisplayProps={{ 'aria-label': 'Question types' } as object} sx={dense}>
              {questionTypes.map((t) => (
                <MenuItem key={t} value={t}>
                  {t}
                </MenuItem>
              ))}
            </Select>
            <Select size="small" multiple displayEmpty value={filters.difficulties} onChange={(e) => setF({ difficulties: e.target.value as Difficulty[] })} renderValue={(v) => (v.length ? v.join(', ') : 'Any difficulty')} SelectDisplayProps={{ 'aria-label': 'Difficulties' } as object} sx={dense}>
              {difficulties.map((t) => (
                <MenuItem key={t} value={t}>
                  {t}
                </MenuItem>
              ))}
            </Select>
            <TextField size="small" placeholder="Disorder ORPHA" value={filters.orphaCode} onChange={(e) => setF({ orphaCode: e.target.value.trim() })} sx={{ width: 140, ...dense }} slotProps={{ htmlInput: { 'data-testid': 'orpha-filter', 'aria-label': 'Built from disorder (ORPHA code)' } }} />
            <TextField size="small" placeholder="Branch ORPHA" value={filters.branch} onChange={(e) => setF({ branch: e.target.value.trim() })} sx={{ width: 130, ...dense }} slotProps={{ htmlInput: { 'aria-label': 'Branch (ORPHA code)' } }} />
            {session && !(session.blind && session.reviewer.role !== 'admin') && (
              <Select<number | ''> size="small" displayEmpty value={filters.decidedBy} onChange={(e) => setF({ decidedBy: e.target.value === '' ? '' : Number(e.target.value) })} SelectDisplayProps={{ 'aria-label': 'Decided by' } as object} sx={dense}>
                <MenuItem value="">Any reviewer</MenuItem>
                {session.reviewers.map((r) => (
                  <MenuItem key={r.id} value={r.id}>
                    Decided by {r.name}
                  </MenuItem>
                ))}
              </Select>
            )}
            {active > 0 && (
              <Button size="small" onClick={() => setFilters((f) => ({ ...initialFilters, statuses: f.statuses }))}>
                Clear filters
              </Button>
            )}
          </Stack>
        </Collapse>
      </Box>
  );
});
