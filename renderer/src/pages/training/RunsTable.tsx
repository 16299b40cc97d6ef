import { Button, Checkbox, Chip, Table, TableBody, TableCell, TableHead, TableRow, Tooltip, Typography } from '@mui/material';
import StopIcon from '@mui/icons-material/Stop';
import ReplayIcon from '@mui/icons-material/Replay';
import type { RunSummary } from '../../../../api/training.js';
import { useConfirm } from '../../components/ConfirmDialog.js';
import { useJobs } from '../../jobs/JobsContext.js';
import { runColor } from './chartSpecs.js';

const stateColor: Record<RunSummary['state'], 'default' | 'primary' | 'success' | 'error' | 'warning'> = {
  preparing: 'primary',
  running: 'primary',
  completed: 'success',
  failed: 'error',
  cancelled: 'default',
  interrupted: 'warning',
};

/** Past and live runs; ticked runs are overlaid on the charts, the first ticked one is the primary run. */
/** "completed — no learning signal" is a different outcome from "completed", and says so in the chip. */
export function runStateLabel(r: Pick<RunSummary, 'state' | 'learning'>): string {
  return r.state === 'completed' && r.learning.none ? 'completed — no learning signal' : r.state;
}

export function RunsTable({ runs, shown, onToggle }: { runs: RunSummary[]; shown: readonly number[]; onToggle(id: number): void }) {
  const { cancel, resume } = useJobs();
  const confirm = useConfirm();
  return (
    <>
    {confirm.dialog}
    <Table size="small" data-testid="training-runs">
      <TableHead>
        <TableRow>
          <TableCell padding="checkbox" />
          <TableCell>Run</TableCell>
          <TableCell>State</TableCell>
          <TableCell align="right">Steps</TableCell>
          <TableCell>Data</TableCell>
          <TableCell align="right">Last quick eval</TableCell>
          <TableCell>Started</TableCell>
          <TableCell />
        </TableRow>
      </TableHead>
      <TableBody>
        {runs.map((r) => {
          const i = shown.indexOf(r.id);
          return (
            <TableRow key={r.id} hover selected={i === 0} data-testid="training-run-row" data-run-id={r.id} data-state={r.state}>
              <TableCell padding="checkbox">
                <Checkbox size="small" checked={i >= 0} onChange={() => onToggle(r.id)} slotProps={{ input: { 'aria-label': `Show run #${r.id} on the charts` } }} sx={i >= 0 ? { color: runColor(i), '&.Mui-checked': { color: runColor(i) } } : undefined} />
              </TableCell>
              <TableCell>
                #{r.id} {r.name}
              </TableCell>
              <TableCell>
                <Tooltip title={r.error ?? r.learning.reason ?? ''}>
                  <Chip
                    size="small"
                    label={runStateLabel(r)}
                    color={r.learning.none && r.state === 'completed' ? 'warning' : stateColor[r.state]}
                    variant="outlined"
                    data-testid="training-run-state"
                  />
                </Tooltip>
                {r.learning.none && r.state !== 'completed' && (
                  <Typography variant="caption" color="warning.dark" component="div" data-testid="training-run-no-signal">
                    no learning signal so far
                  </Typography>
                )}
              </TableCell>
              <TableCell align="right" data-testid="run-steps">
                {r.stepsDone}/{r.totalSteps}
              </TableCell>
              <TableCell>
                {[r.data.stage1 && `S1 ${r.data.stage1.train}+${r.data.stage1.heldOut}`, r.data.stage2 && `S2 ${r.data.stage2.train}+${r.data.stage2.heldOut}`].filter(Boolean).join(' · ')}
              </TableCell>
              <TableCell align="right">{r.lastEval ? `${(r.lastEval.accuracy * 100).toFixed(1)}% (step ${r.lastEval.step})` : '–'}</TableCell>
              <TableCell>{new Date(r.createdAt).toLocaleString()}</TableCell>
              <TableCell padding="none">
                {r.jobId && (r.state === 'running' || r.state === 'preparing') && (
                  <Button
                    size="small"
                    color="inherit"
                    startIcon={<StopIcon fontSize="small" />}
                    data-testid="training-cancel"
                    onClick={() =>
                      confirm.ask({
                        title: `Cancel run #${r.id}?`,
                        body: `It stops after the current step (${r.stepsDone} of ${r.totalSteps} done); the finished steps are checkpointed and Resume continues from there.`,
                        confirmLabel: 'Cancel the run',
                        destructive: true,
                        onConfirm: () => cancel(r.jobId as string),
                      })
                    }
                  >
                    Cancel
                  </Button>
                )}
                {r.jobId && (r.state === 'interrupted' || r.state === 'cancelled' || r.state === 'failed') && (
                  <Button size="small" startIcon={<ReplayIcon fontSize="small" />} onClick={() => void resume(r.jobId as string)} data-testid="training-resume">
                    Resume
                  </Button>
                )}
              </TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
    </>
  );
}
