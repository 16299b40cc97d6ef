import { Box, Chip, Collapse, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { Fragment, useState } from 'react';
import type { QuestionPage } from '../../../../api/synthesis.js';

/** Generated questions with their answer, pseudo-label and provenance (a row opens to the full question). */
export function QuestionTable({ page }: { page: QuestionPage }) {
  const [open, setOpen] = useState<string | null>(null);
  // The fixed columns take about 800 px: below the minimum width the table scrolls inside its box instead of
  // squeezing the Question column to nothing (its header ran into Answer's at 1024 px); the box takes focus so the
  // keyboard can scroll it.
  return (
    <Box role="region" aria-label="Generated questions" tabIndex={0} sx={{ overflowX: 'auto' }}>
      <Table size="small" data-testid="question-table" sx={{ tableLayout: 'fixed', minWidth: 1080, '& td': { overflowWrap: 'anywhere' }, '& th': { whiteSpace: 'nowrap' } }}>
        <TableHead>
          <TableRow>
            <TableCell sx={{ width: 170 }}>Id</TableCell>
            <TableCell sx={{ width: 130 }}>Type</TableCell>
            <TableCell sx={{ width: 108 }}>Difficulty</TableCell>
            <TableCell>Question</TableCell>
            <TableCell sx={{ width: 88 }}>Answer</TableCell>
            <TableCell sx={{ width: 120 }}>Pseudo-label</TableCell>
            <TableCell sx={{ width: 180 }}>Status</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {page.questions.map((q) => (
            <Fragment key={q.id}>
              <TableRow hover data-testid="question-row" data-status={q.status} onClick={() => setOpen(open === q.id ? null : q.id)} sx={{ cursor: 'pointer' }}>
                <TableCell sx={{ fontFamily: 'monospace', fontSize: 12 }}>{q.id}</TableCell>
                <TableCell>{q.questionType}</TableCell>
                <TableCell>{q.difficulty}</TableCell>
                <TableCell>
                  <Typography variant="body2" noWrap>
                    {q.stem}
                  </Typography>
                </TableCell>
                <TableCell>{q.intendedAnswer}</TableCell>
                <TableCell>
                  {q.pseudoLabel ? (q.pseudoLabel.voteShare === null ? 'no written answer' : `${q.pseudoLabel.label ?? 'tie'} (${Math.round(q.pseudoLabel.voteShare * 100)}%)`) : '—'}
                </TableCell>
                <TableCell>{q.status === 'accepted' ? <Chip size="small" label="accepted" color="success" variant="outlined" /> : <Chip size="small" label={q.rejectReason ?? 'rejected'} color="warning" variant="outlined" sx={{ height: 'auto', maxWidth: 260, '& .MuiChip-label': { whiteSpace: 'normal', py: 0.25 } }} data-testid="reject-reason" />}</TableCell>
              </TableRow>
              <TableRow>
                <TableCell colSpan={7} sx={{ py: 0, borderBottom: open === q.id ? undefined : 'none' }}>
                  <Collapse in={open === q.id} unmountOnExit>
                    {/* Long words and the filters' JSON wrap: the open row must not widen the table (the page shifted sideways). */}
                    <Box sx={{ py: 1.5, overflowWrap: 'anywhere', wordBreak: 'break-word' }} data-testid="question-detail">
                      {q.status === 'rejected' && (
                        <Typography variant="body2" color="warning.dark" sx={{ mb: 1 }} data-testid="reject-detail">
                          Rejected: {q.rejectReason ?? 'no reason recorded'}
                        </Typography>
                      )}
                      <Typography variant="body2" sx={{ mb: 1 }}>
                        {q.stem}
                      </Typography>
                      {q.options.map((o) => (
                        <Typography key={o.letter} variant="body2" sx={{ fontWeight: o.letter === q.intendedAnswer ? 700 : 400 }}>
                          {o.letter}. {o.text}
                        </Typography>
                      ))}
                      <Typography variant="caption" color="text.secondary" component="div" sx={{ mt: 1 }}>
                        ORPHA {q.provenance.orphaCodes.join(', ')} · {q.provenance.generator.kind} {q.provenance.generator.version} · filters{' '}
                        {JSON.stringify(q.provenance.filters)}
                      </Typography>
                  </Box>
                </Collapse>
              </TableCell>
            </TableRow>
          </Fragment>
        ))}
      </TableBody>
    </Table>
    </Box>
  );
}
