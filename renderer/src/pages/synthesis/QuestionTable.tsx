import { Box, Chip, Collapse, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { Fragment, useState } from 'react';
import type { QuestionPage } from '../../../../api/synthesis.js';

/** Generated questions with their answer, pseudo-label and provenance (a row opens to the full question). */
export function QuestionTable({ page }: { page: QuestionPage }) {
  const [open, setOpen] = useState<string | null>(null);
  return (
    <Table size="small" data-testid="question-table">
      <TableHead>
        <TableRow>
          <TableCell>Id</TableCell>
          <TableCell>Type</TableCell>
          <TableCell>Difficulty</TableCell>
          <TableCell>Question</TableCell>
          <TableCell>Answer</TableCell>
          <TableCell>Pseudo-label</TableCell>
          <TableCell>Status</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {page.questions.map((q) => (
          <Fragment key={q.id}>
            <TableRow hover data-testid="question-row" onClick={() => setOpen(open === q.id ? null : q.id)} sx={{ cursor: 'pointer' }}>
              <TableCell sx={{ whiteSpace: 'nowrap' }}>{q.id}</TableCell>
              <TableCell>{q.questionType}</TableCell>
              <TableCell>{q.difficulty}</TableCell>
              <TableCell sx={{ maxWidth: 520 }}>
                <Typography variant="body2" noWrap>
                  {q.stem}
                </Typography>
              </TableCell>
              <TableCell>{q.intendedAnswer}</TableCell>
              <TableCell>
                {q.pseudoLabel ? (q.pseudoLabel.voteShare === null ? 'no written answer' : `${q.pseudoLabel.label ?? 'tie'} (${Math.round(q.pseudoLabel.voteShare * 100)}%)`) : '—'}
              </TableCell>
              <TableCell>{q.status === 'accepted' ? <Chip size="small" label="accepted" color="success" variant="outlined" /> : <Chip size="small" label={q.rejectReason ?? 'rejected'} color="warning" variant="outlined" />}</TableCell>
            </TableRow>
            <TableRow>
              <TableCell colSpan={7} sx={{ py: 0, borderBottom: open === q.id ? undefined : 'none' }}>
                <Collapse in={open === q.id} unmountOnExit>
                  <Box sx={{ py: 1.5 }} data-testid="question-detail">
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
  );
}
