import DownloadOutlinedIcon from '@mui/icons-material/DownloadOutlined';
import WarningAmberIcon from '@mui/icons-material/WarningAmber';
import { Alert, Box, Button, Chip, Radio, Stack, Table, TableBody, TableCell, TableHead, TableRow, Tooltip, Typography } from '@mui/material';
import { useState } from 'react';
import type { EvalRunState, EvalRunSummary, SetResult } from '../../../../api/evaluation.js';
import { answerShares, describeShares, notAResult, runStateLabels, sharePercent } from '../../../../api/evaluationTruth.js';
import { useApi } from '../../api/ApiContext.js';
import { errorMessage } from '../../api/clientError.js';

const fmt = (x: number) => x.toFixed(2);

/** Desktop: the server wrote the file and we show where. Browser mode: the same CSV is also downloaded. */
function useCsvExport() {
  const api = useApi();
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const run = async (runId: number, kind: 'summary' | 'questions') => {
    try {
      const r = await api.call('evaluation.exportCsv', { runId, kind });
      if (!window.medssr) {
        const url = URL.createObjectURL(new Blob([r.csv], { type: 'text/csv' }));
        const a = document.createElement('a');
        a.href = url;
        a.download = r.fileName;
        a.click();
        setTimeout(() => URL.revokeObjectURL(url), 1000);
      }
      setMessage({ ok: true, text: `Saved ${r.path}` });
    } catch (err) {
      setMessage({ ok: false, text: errorMessage(err) });
    }
  };
  return { run, message };
}

const stateColor: Record<EvalRunState, 'default' | 'info' | 'success' | 'error' | 'warning'> = {
  queued: 'info',
  running: 'info',
  completed: 'success',
  failed: 'error',
  cancelled: 'warning',
  interrupted: 'warning',
  incomplete: 'warning',
};

/** The accuracy with how its answers came about; a warning when most were forced by the recovery pass. */
function AccuracyCell({ r }: { r: SetResult }) {
  const shares = answerShares(r);
  return (
    <Box>
      <Stack direction="row" spacing={0.5} sx={{ alignItems: 'center', justifyContent: 'flex-end', whiteSpace: 'nowrap' }}>
        {shares.mostlyRecovered && (
          <Tooltip title={`Most answers (${shares.recovered} of ${shares.total}) were forced by the recovery pass, not written by the model: this accuracy says little about its reasoning.`}>
            <WarningAmberIcon fontSize="small" color="warning" aria-label="mostly recovered answers" data-testid="eval-mostly-recovered" />
          </Tooltip>
        )}
        <span data-testid="eval-accuracy">{`${fmt(r.accuracyMean)} ± ${fmt(r.accuracyStd)}`}</span>
      </Stack>
      <Typography variant="caption" color="text.secondary" component="div" data-testid="eval-answer-shares" title={`${shares.written} written, ${shares.recovered} recovered, ${shares.invalid} invalid of ${shares.total} answers (${describeShares(shares)})`}>
        written {sharePercent(shares.written, shares.total)} · recovered {sharePercent(shares.recovered, shares.total)} · invalid {sharePercent(shares.invalid, shares.total)}
      </Typography>
    </Box>
  );
}

/** A Before/After choice, disabled with the reason when the run is not a result. */
function PickRadio({ run, which, checked, onPick }: { run: EvalRunSummary; which: 'before' | 'after'; checked: boolean; onPick(which: 'before' | 'after', id: number): void }) {
  const why = notAResult(run);
  const radio = (
    <Radio
      size="small"
      checked={checked && !why}
      disabled={why !== null}
      onChange={() => onPick(which, run.id)}
      slotProps={{ input: { 'aria-label': `${which} run ${run.id}` } }}
      data-testid={`eval-pick-${which}`}
    />
  );
  return why ? (
    <Tooltip title={`Not selectable: ${why}`}>
      <span>{radio}</span>
    </Tooltip>
  ) : (
    radio
  );
}

/**
 * One row per run and set: mean ± std over generations with the answers' origin (written / recovered / invalid,
 * counts in the tooltip), per-generation accuracies.
 */
export function RunsTable({
  runs,
  before,
  after,
  onPick,
}: {
  runs: EvalRunSummary[];
  before: number | null;
  after: number | null;
  onPick(which: 'before' | 'after', id: number): void;
}) {
  const csv = useCsvExport();
  if (runs.length === 0) {
    return (
      <Typography variant="body2" color="text.secondary">
        No evaluation runs yet.
      </Typography>
    );
  }
  return (
    <Box>
      <Box sx={{ overflowX: 'auto' }}>
        <Table size="small" data-testid="eval-results">
          <TableHead>
            <TableRow>
              <TableCell padding="checkbox">
                <Tooltip title="Before (e.g. the base model); only completed runs">
                  <span>Before</span>
                </Tooltip>
              </TableCell>
              <TableCell padding="checkbox">
                <Tooltip title="After (e.g. base + adapter); only completed runs">
                  <span>After</span>
                </Tooltip>
              </TableCell>
              <TableCell>Run</TableCell>
              <TableCell>Set</TableCell>
              <TableCell align="right">n</TableCell>
              <TableCell align="right">
                Accuracy %
                <Typography variant="caption" component="div" color="text.secondary">
                  mean ± std
                </Typography>
              </TableCell>
              {/* Below 1200 px the per-generation scores fold away so the accuracy column is not cut off. */}
              <TableCell sx={{ minWidth: 90, display: { xs: 'none', lg: 'table-cell' } }}>Per generation</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {runs.map((run) =>
              (run.results.length ? run.results : [null]).map((r, i) => (
                <TableRow key={`${run.id}-${r?.benchmarkId ?? 'none'}`} data-testid="eval-result-row" data-run-id={run.id} data-run-state={run.state} hover>
                  {i === 0 && (
                    <>
                      <TableCell padding="checkbox" rowSpan={Math.max(1, run.results.length)}>
                        <PickRadio run={run} which="before" checked={before === run.id} onPick={onPick} />
                      </TableCell>
                      <TableCell padding="checkbox" rowSpan={Math.max(1, run.results.length)}>
                        <PickRadio run={run} which="after" checked={after === run.id} onPick={onPick} />
                      </TableCell>
                      <TableCell rowSpan={Math.max(1, run.results.length)} sx={{ maxWidth: 230 }}>
                        <Typography variant="body2" sx={{ fontWeight: 600 }} noWrap title={run.label}>
                          #{run.id} {run.label}
                        </Typography>
                        <Typography variant="caption" color="text.secondary" component="div">
                          {run.generations} gen{run.limit ? ` · first ${run.limit}` : ''} · {new Date(run.createdAt).toLocaleString()}
                        </Typography>
                        <Chip size="small" label={runStateLabels[run.state]} color={stateColor[run.state]} variant={run.state === 'completed' ? 'outlined' : 'filled'} sx={{ mt: 0.5 }} data-testid="eval-run-state" />
                        {/* The exports sit under the run, not in a column of their own: at 1024 px a last column was cut off. */}
                        <Stack direction="row" spacing={0} sx={{ alignItems: 'center', mt: 0.5, ml: -1 }} role="group" aria-label={`Export run ${run.id} as CSV`}>
                          <DownloadOutlinedIcon fontSize="small" color="action" sx={{ ml: 1 }} aria-hidden />
                          <Typography variant="caption" color="text.secondary" sx={{ pl: 0.5 }}>
                            CSV
                          </Typography>
                          <Button size="small" onClick={() => void csv.run(run.id, 'summary')} sx={{ minWidth: 0, px: 1, flexShrink: 0 }} data-testid="eval-export-summary">
                            Summary
                          </Button>
                          <Button size="small" onClick={() => void csv.run(run.id, 'questions')} sx={{ minWidth: 0, px: 1, flexShrink: 0 }}>
                            Generations
                          </Button>
                        </Stack>
                        {run.error && (
                          <Typography variant="caption" color="error" component="div" sx={{ mt: 0.5, whiteSpace: 'normal' }} data-testid="eval-run-error">
                            {run.error}
                          </Typography>
                        )}
                      </TableCell>
                    </>
                  )}
                  <TableCell>{r ? `${r.name} v${r.version}` : '—'}</TableCell>
                  <TableCell align="right">{r?.n ?? 0}</TableCell>
                  <TableCell align="right" sx={{ minWidth: 150 }}>
                    {r && r.n > 0 ? <AccuracyCell r={r} /> : <span data-testid="eval-accuracy">—</span>}
                  </TableCell>
                  <TableCell sx={{ display: { xs: 'none', lg: 'table-cell' } }}>
                    <Typography variant="caption">{r ? r.perGeneration.map((g) => fmt(g.accuracy)).join(' · ') : ''}</Typography>
                  </TableCell>
                </TableRow>
              )),
            )}
          </TableBody>
        </Table>
      </Box>
      {csv.message && (
        <Alert severity={csv.message.ok ? 'success' : 'error'} sx={{ mt: 1 }} data-testid="eval-export-message">
          {csv.message.text}
        </Alert>
      )}
    </Box>
  );
}
