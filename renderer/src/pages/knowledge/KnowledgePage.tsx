import CloseIcon from '@mui/icons-material/Close';
import CloudUploadOutlinedIcon from '@mui/icons-material/CloudUploadOutlined';
import ManageSearchIcon from '@mui/icons-material/ManageSearch';
import SearchIcon from '@mui/icons-material/Search';
import { Alert, Box, Button, Chip, IconButton, InputAdornment, LinearProgress, Stack, TextField, Typography } from '@mui/material';
import { useEffect, useRef, useState } from 'react';
import type { FacetCounts, FacetFilter } from '../../../../api/knowledge.js';
import { useApi } from '../../api/ApiContext.js';
import { OrphanetAttribution } from '../../components/Attribution.js';
import { navigate } from '../../routing.js';
import { useAppState } from '../../state/AppState.js';
import { DisorderDetailPanel } from './DisorderDetailPanel.js';
import { NanoModelOffer } from './NanoModelOffer.js';
import { FacetPanel } from './FacetPanel.js';
import { activeFilterCount, flagFacets, listFacets, toggleFlag, toggleValue } from './facets.js';
import { ResultList } from './ResultList.js';
import { useDebounced } from './useDebounced.js';
import { useSearchPages } from './useSearchPages.js';

function DemoBanner({ empty, onImport, readOnly }: { empty: boolean; onImport(): void; readOnly: boolean }) {
  return (
    <Alert
      severity="info"
      variant="outlined"
      icon={<CloudUploadOutlinedIcon />}
      data-testid="demo-banner"
      sx={{ m: 2, mb: 0, bgcolor: 'background.paper', alignItems: 'center' }}
      action={
        <Button variant="contained" onClick={onImport} disabled={readOnly} data-testid="open-import" startIcon={<CloudUploadOutlinedIcon />}>
          Import ORPHApackets…
        </Button>
      }
    >
      <Typography variant="body2" sx={{ fontWeight: 650 }}>
        {empty ? 'The knowledge base is empty.' : 'You are looking at the built-in demo set.'}
      </Typography>
      <Typography variant="body2" color="text.secondary">
        {readOnly
            ? 'Importing ORPHApackets needs a writable data folder; this one is read-only.'
            : 'Import Orphanet’s ORPHApackets (a folder or .zip, about 10,000 entries) to browse the full rare-disease knowledge base.'}
      </Typography>
    </Alert>
  );
}

function ActiveFilters({ filters, counts, onChange }: { filters: FacetFilter; counts: FacetCounts | null; onChange(f: FacetFilter): void }) {
  const chips: { key: string; label: string; remove(): FacetFilter }[] = [];
  for (const f of listFacets) {
    for (const value of filters[f.name] ?? []) {
      const label = counts?.[f.name].find((v) => v.value === value)?.label ?? value;
      chips.push({ key: `${f.name}:${value}`, label, remove: () => toggleValue(filters, f.name, value) });
    }
  }
  for (const f of flagFacets) if (filters[f.name]) chips.push({ key: f.name, label: f.title, remove: () => toggleFlag(filters, f.name) });
  if (chips.length === 0) return null;
  return (
    <Stack direction="row" sx={{ flexWrap: 'wrap', gap: 0.5, px: 2, pb: 1 }} data-testid="active-filters">
      {chips.map((c) => (
        <Chip key={c.key} size="small" label={c.label} onDelete={() => onChange(c.remove())} color="primary" variant="outlined" />
      ))}
      <Chip size="small" label="Clear all" onClick={() => onChange({})} variant="outlined" />
    </Stack>
  );
}

export function KnowledgePage({ selected, active }: { selected: string | null; active: boolean }) {
  const api = useApi();
  const { stats, knowledgeVersion, openImport, readOnly } = useAppState();
  const [text, setText] = useState('');
  const [filters, setFilters] = useState<FacetFilter>({});
  const [counts, setCounts] = useState<FacetCounts | null>(null);
  const query = useDebounced(text.trim(), 120);
  const results = useSearchPages(query, filters, knowledgeVersion);
  const searchRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    let live = true;
    api.call('knowledge.facets', { text: query, filters }).then(
      (c) => live && setCounts(c),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [api, query, filters, knowledgeVersion]);

  // "/" or Ctrl+K jumps to the search box from anywhere on the page.
  useEffect(() => {
    if (!active) return;
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      const typing = target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA');
      if ((e.key === '/' && !typing) || (e.key.toLowerCase() === 'k' && (e.ctrlKey || e.metaKey))) {
        e.preventDefault();
        searchRef.current?.focus();
        searchRef.current?.select();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [active]);

  const showBanner = stats !== null && (stats.isDemo || stats.disorders === 0);
  const filterCount = activeFilterCount(filters);
  const searching = results.loading || query !== text.trim();

  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', height: '100%', minHeight: 0 }} data-testid="knowledge-page">
      {showBanner && <DemoBanner empty={stats.disorders === 0} onImport={openImport} readOnly={readOnly} />}
      {showBanner && stats.disorders > 0 && <NanoModelOffer />}
      <Box sx={{ display: 'flex', flex: 1, minHeight: 0, m: 1.5, gap: 1.5 }}>
        <Box
          sx={{
            width: { md: 200, lg: 226, xl: 244 },
            flexShrink: 0,
            bgcolor: 'background.paper',
            border: 1,
            borderColor: 'divider',
            borderRadius: 2,
            display: { xs: 'none', md: 'block' },
            minHeight: 0,
          }}
        >
          <Stack direction="row" sx={{ alignItems: 'center', px: 2, pt: 1.5 }}>
            <Typography variant="subtitle2" sx={{ flex: 1 }}>
              Filters
            </Typography>
            {filterCount > 0 && (
              <Button size="small" onClick={() => setFilters({})}>
                Clear {filterCount}
              </Button>
            )}
          </Stack>
          <Box sx={{ height: 'calc(100% - 40px)' }}>
            <FacetPanel counts={counts} filters={filters} onChange={setFilters} />
          </Box>
        </Box>

        <Box
          sx={{
            width: { md: 300, lg: 340, xl: 380 },
            flexShrink: 0,
            display: 'flex',
            flexDirection: 'column',
            bgcolor: 'background.paper',
            border: 1,
            borderColor: 'divider',
            borderRadius: 2,
            minHeight: 0,
            overflow: 'hidden',
          }}
        >
          <Box sx={{ p: 1.5, pb: 1 }}>
            <TextField
              inputRef={searchRef}
              fullWidth
              size="small"
              autoFocus
              placeholder="Disease, symptom, gene or code"
              value={text}
              onChange={(e) => setText(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'ArrowDown') {
                  e.preventDefault();
                  document.querySelector<HTMLElement>('[data-testid="result-list"]')?.focus();
                }
                if (e.key === 'Escape') setText('');
                if (e.key === 'Enter') {
                  const first = results.rowAt(0);
                  if (first && results.text === text.trim()) navigate('knowledge', first.orphaCode);
                }
              }}
              slotProps={{
                htmlInput: { 'data-testid': 'search-input', 'aria-label': 'Search the knowledge base', spellCheck: false },
                input: {
                  startAdornment: (
                    <InputAdornment position="start">
                      <SearchIcon fontSize="small" />
                    </InputAdornment>
                  ),
                  endAdornment: text ? (
                    <InputAdornment position="end">
                      <IconButton size="small" aria-label="Clear search" onClick={() => setText('')}>
                        <CloseIcon fontSize="small" />
                      </IconButton>
                    </InputAdornment>
                  ) : undefined,
                },
              }}
            />
            <Typography
              variant="caption"
              color="text.secondary"
              sx={{ display: 'block', mt: 0.75, px: 0.25 }}
              data-testid="result-count"
              data-settled={searching ? 'false' : 'true'}
            >
              {results.total === null
                ? 'Loading…'
                : `${results.total.toLocaleString()} ${results.total === 1 ? 'entry' : 'entries'}${results.tookMs !== null ? ` · ${Math.max(1, Math.round(results.tookMs))} ms` : ''}`}
            </Typography>
          </Box>
          <ActiveFilters filters={filters} counts={counts} onChange={setFilters} />
          <LinearProgress sx={{ height: 2, visibility: searching ? 'visible' : 'hidden' }} />
          {results.error && (
            <Alert severity="error" sx={{ m: 1.5 }}>
              {results.error}
            </Alert>
          )}
          {results.total === 0 && !searching ? (
            <Box sx={{ p: 3, textAlign: 'center', color: 'text.secondary' }} data-testid="no-results">
              <ManageSearchIcon sx={{ fontSize: 40, opacity: 0.5 }} />
              <Typography variant="body2">
                {stats?.disorders === 0
                  ? 'Nothing imported yet.'
                  : `No entry matches${query ? ` “${query}”` : ''}${filterCount ? ' with these filters' : ''}.`}
              </Typography>
            </Box>
          ) : (
            <ResultList results={results} selected={selected} withSnippets={results.text !== ''} />
          )}
        </Box>

        <Box
          sx={{
            flex: 1,
            minWidth: 0,
            minHeight: 0,
            bgcolor: 'background.default',
            border: 1,
            borderColor: 'divider',
            borderRadius: 2,
            overflow: 'hidden',
          }}
        >
          {selected ? (
            <DisorderDetailPanel orphaCode={selected} version={knowledgeVersion} />
          ) : (
            <Box sx={{ height: '100%', display: 'grid', placeItems: 'center', p: 4, textAlign: 'center' }} data-testid="detail-empty">
              <Box>
                <Typography variant="h6" sx={{ mb: 1 }}>
                  Select an entry
                </Typography>
                <Typography variant="body2" color="text.secondary" sx={{ maxWidth: 420, mb: 2 }}>
                  Search by name, synonym, symptom, gene symbol, HPO id, ORPHA or OMIM code. Every entry shows its definition, phenotypes by
                  frequency, genes, prevalence, onset, inheritance and place in the classification.
                </Typography>
                <OrphanetAttribution version={stats && !stats.isDemo ? stats.sourceVersion : null} />
              </Box>
            </Box>
          )}
        </Box>
      </Box>
    </Box>
  );
}
