import { Alert, Box, Collapse, Link, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { useState } from 'react';
import type { OverlapSummary } from '../../../api/decontamination.js';

function clip(text: string, max = 220): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * Decontamination as people read it: a warning naming the benchmarks that share 13-grams or near-duplicates
 * with the compared questions (counts per benchmark, a few pairs side by side), or a plain note that none does.
 * `subject` says what was compared ("This dataset", "The adapter's training data").
 */
export function OverlapReport({ summary, subject, consequence, error, testId = 'overlap-report' }: { summary: OverlapSummary | null; subject: string; consequence: string; error?: string | null; testId?: string }) {
  const [open, setOpen] = useState(false);
  if (error) {
    return (
      <Alert severity="info" data-testid={testId} data-state="error" sx={{ py: 0 }}>
        Benchmark overlap not checked: {error}
      </Alert>
    );
  }
  if (!summary) {
    return (
      <Typography variant="caption" color="text.secondary" data-testid={testId} data-state="loading">
        Checking overlap with the imported benchmarks…
      </Typography>
    );
  }
  if (summary.benchmarks.length === 0) {
    return (
      <Typography variant="caption" color="text.secondary" data-testid={testId} data-state="none">
        No benchmark imported: overlap with evaluation data not checked (import one on the Evaluation page).
      </Typography>
    );
  }
  const hit = summary.benchmarks.filter((b) => b.ngramHits > 0 || b.nearDuplicates > 0);
  if (hit.length === 0) {
    return (
      <Typography variant="caption" color="text.secondary" data-testid={testId} data-state="clean">
        {subject} ({summary.questions} questions) shares no word {summary.ngram}-gram and no near-duplicate (Jaccard ≥ {summary.jaccardThreshold}) with {summary.benchmarks.map((b) => `${b.benchmark} v${b.benchmarkVersion}`).join(', ')}.
      </Typography>
    );
  }
  // One entry per pair: a copy is usually both a 13-gram hit and a near-duplicate.
  const pairs = new Map<string, { itemId: string; itemText: string; benchmark: string; benchmarkQuestionId: string; benchmarkText: string; ngram: boolean; jaccard: number | null }>();
  for (const b of hit) {
    for (const e of b.examples) {
      const key = `${e.itemId}\u0000${b.benchmarkId}\u0000${e.benchmarkQuestionId}`;
      const p = pairs.get(key) ?? { itemId: e.itemId, itemText: e.itemText, benchmark: b.benchmark, benchmarkQuestionId: e.benchmarkQuestionId, benchmarkText: e.benchmarkText, ngram: false, jaccard: null };
      if (e.kind === 'ngram') p.ngram = true;
      else p.jaccard = e.jaccard ?? null;
      pairs.set(key, p);
    }
  }
  const examples = [...pairs.values()].slice(0, 3);
  const kind = (e: (typeof examples)[number]) =>
    [e.ngram ? `shared ${summary.ngram}-gram` : null, e.jaccard !== null ? `near-duplicate (Jaccard ${e.jaccard})` : null].filter(Boolean).join(' and ');
  return (
    <Alert severity="warning" data-testid={testId} data-state="overlap">
      <Typography variant="body2" sx={{ fontWeight: 600 }}>
        {subject} overlaps {hit.map((b) => b.benchmark).join(', ')}: {consequence}
      </Typography>
      <Table size="small" sx={{ my: 0.5, '& td, & th': { py: 0.25, px: 1 } }}>
        <TableHead>
          <TableRow>
            <TableCell>Benchmark</TableCell>
            <TableCell align="right">Shared {summary.ngram}-gram</TableCell>
            <TableCell align="right">Near-duplicates</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {hit.map((b) => (
            <TableRow key={b.benchmarkId} data-testid={`overlap-row-${b.benchmark}`}>
              <TableCell>
                {b.benchmark} v{b.benchmarkVersion}
              </TableCell>
              <TableCell align="right">
                {b.ngramHits} of {summary.questions}
              </TableCell>
              <TableCell align="right">
                {b.nearDuplicates} of {summary.questions}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <Link component="button" variant="caption" onClick={() => setOpen((o) => !o)} data-testid="overlap-examples-toggle">
        {open ? 'Hide' : 'Show'} {examples.length} example {examples.length === 1 ? 'pair' : 'pairs'}
      </Link>
      <Collapse in={open}>
        {examples.map((e, i) => (
          <Box key={i} sx={{ mt: 1, pl: 1, borderLeft: 2, borderColor: 'warning.main' }}>
            <Typography variant="caption" sx={{ fontWeight: 600, display: 'block' }}>
              {kind(e).replace(/^./, (c) => c.toUpperCase())}: {e.itemId} ↔ {e.benchmark} {e.benchmarkQuestionId}
            </Typography>
            <Typography variant="caption" sx={{ display: 'block' }}>
              Ours: {clip(e.itemText)}
            </Typography>
            <Typography variant="caption" sx={{ display: 'block' }}>
              Benchmark: {clip(e.benchmarkText)}
            </Typography>
          </Box>
        ))}
      </Collapse>
    </Alert>
  );
}
