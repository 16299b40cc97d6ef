import { Box, Chip, Skeleton, Stack, Typography } from '@mui/material';
import { alpha } from '@mui/material/styles';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, type KeyboardEvent } from 'react';
import type { SearchHit } from '../../../../api/knowledge.js';
import { hrefFor, navigate } from '../../routing.js';
import type { SearchPages } from './useSearchPages.js';

const rowHeight = 60;
/** Rows of a text search carry a third line: the excerpt that matched. */
const rowHeightWithSnippet = 78;

const matchLabels: Partial<Record<SearchHit['matchedBy'], string>> = {
  code: 'ORPHA code',
  omim: 'OMIM',
  gene: 'gene',
  hpo: 'HPO',
};

/** The search marks matched words as «word»; show them highlighted. */
function Snippet({ text }: { text: string }) {
  const parts = text.split(/«|»/);
  return (
    <>
      {parts.map((part, i) =>
        i % 2 === 1 ? (
          <Box key={i} component="mark" sx={{ bgcolor: 'transparent', color: 'text.primary', fontWeight: 700 }}>
            {part}
          </Box>
        ) : (
          part
        ),
      )}
    </>
  );
}

function Row({ hit, selected, height, query }: { hit: SearchHit; selected: boolean; height: number; query: string }) {
  const counts = [
    hit.phenotypeCount ? `${hit.phenotypeCount} phenotype${hit.phenotypeCount === 1 ? '' : 's'}` : null,
    // Distinct gene symbols, its subtypes' genes included: the detail's Genes heading shows the same number.
    hit.geneCount ? `${hit.geneCount} gene${hit.geneCount === 1 ? '' : 's'}` : null,
  ].filter(Boolean);
  const matchLabel = matchLabels[hit.matchedBy];
  return (
    <Box
      component="a"
      href={hrefFor('knowledge', hit.orphaCode)}
      data-testid="disorder-row"
      data-orpha={hit.orphaCode}
      aria-current={selected ? 'true' : undefined}
      tabIndex={-1}
      sx={(theme) => ({
        display: 'block',
        height,
        px: 2,
        py: 1,
        overflow: 'hidden',
        textDecoration: 'none',
        color: 'inherit',
        borderBottom: `1px solid ${theme.palette.divider}`,
        borderLeft: '3px solid',
        borderLeftColor: selected ? theme.palette.primary.main : 'transparent',
        bgcolor: selected ? alpha(theme.palette.primary.main, theme.palette.mode === 'dark' ? 0.18 : 0.07) : undefined,
        '&:hover': { bgcolor: selected ? undefined : theme.palette.action.hover },
      })}
    >
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
        <Typography variant="body2" noWrap sx={{ fontWeight: 600, flex: 1 }} title={hit.name}>
          {hit.name}
        </Typography>
        {hit.isDemo && <Chip label="demo" size="small" color="warning" variant="outlined" sx={{ height: 18, fontSize: '0.65rem' }} />}
        {matchLabel && <Chip label={matchLabel} size="small" variant="outlined" sx={{ height: 18, fontSize: '0.65rem' }} />}
      </Stack>
      <Typography variant="caption" color="text.secondary" noWrap component="div" sx={{ mt: 0.25 }}>
        <Box component="span" sx={{ fontVariantNumeric: 'tabular-nums', color: 'text.primary', opacity: 0.75 }}>
          ORPHA:{hit.orphaCode}
        </Box>
        {' · '}
        {hit.disorderType}
        {counts.length ? ` · ${counts.join(' · ')}` : ''}
      </Typography>
      {hit.snippet ? (
        <Typography variant="caption" color="text.secondary" noWrap component="div" sx={{ mt: 0.25 }} title={hit.snippet.replace(/«|»/g, '')}>
          <Snippet text={hit.snippet} />
        </Typography>
      ) : (
        matchLabel &&
        query && (
          <Typography variant="caption" color="text.secondary" noWrap component="div" sx={{ mt: 0.25 }}>
            {matchLabel === 'ORPHA code' ? 'ORPHA code' : `${matchLabel.replace(/^gene$/, 'Gene')}`}{' '}
            <Box component="mark" sx={{ bgcolor: 'transparent', color: 'text.primary', fontWeight: 700 }}>
              {query}
            </Box>
          </Typography>
        )
      )}
    </Box>
  );
}

function PlaceholderRow({ height }: { height: number }) {
  return (
    <Box sx={{ height, px: 2, py: 1.25 }}>
      <Skeleton width="70%" height={18} />
      <Skeleton width="40%" height={14} />
    </Box>
  );
}

/** All matching entries in one smoothly scrolling list; only the visible rows exist in the DOM. */
export function ResultList({ results, selected, withSnippets }: { results: SearchPages; selected: string | null; withSnippets: boolean }) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const total = results.total ?? 0;
  const height = withSnippets ? rowHeightWithSnippet : rowHeight;
  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => height,
    overscan: 10,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;
  const { ensureRange } = results;

  useEffect(() => {
    ensureRange(first, last + 40);
  }, [ensureRange, first, last]);

  useEffect(() => {
    virtualizer.measure();
    scrollRef.current?.scrollTo({ top: 0 });
  }, [results.key, height, virtualizer]);

  // Keep the selected entry in view when it is among the loaded rows (deep links, keyboard, new results).
  const { indexOf } = results;
  useEffect(() => {
    if (!selected) return;
    const index = indexOf(selected);
    if (index >= 0) virtualizer.scrollToIndex(index, { align: 'auto' });
  }, [selected, indexOf, virtualizer]);

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    e.preventDefault();
    const current = selected ? results.indexOf(selected) : -1;
    const next = Math.max(0, Math.min(total - 1, current + (e.key === 'ArrowDown' ? 1 : -1)));
    const hit = results.rowAt(next);
    if (hit) {
      navigate('knowledge', hit.orphaCode);
      virtualizer.scrollToIndex(next, { align: 'auto' });
    }
  };

  return (
    <Box
      ref={scrollRef}
      tabIndex={0}
      onKeyDown={onKeyDown}
      data-testid="result-list"
      data-query={results.text}
      aria-label="Matching disorders"
      sx={{ flex: 1, overflowY: 'auto', outline: 'none', contain: 'strict' }}
    >
      <Box sx={{ height: virtualizer.getTotalSize(), position: 'relative', width: '100%' }}>
        {items.map((item) => {
          const hit = results.rowAt(item.index);
          return (
            <Box key={item.key} sx={{ position: 'absolute', top: 0, left: 0, width: '100%', transform: `translateY(${item.start}px)` }}>
              {hit ? <Row hit={hit} selected={hit.orphaCode === selected} height={height} query={results.text} /> : <PlaceholderRow height={height} />}
            </Box>
          );
        })}
      </Box>
    </Box>
  );
}
