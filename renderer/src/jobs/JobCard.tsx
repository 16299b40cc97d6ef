import { Box, Button, Chip, LinearProgress, Stack, Tooltip, Typography } from '@mui/material';
import { useState } from 'react';
import type { JobInfo } from '../../../api/jobs.js';
import { errorMessage } from '../api/clientError.js';
import { useConfirm } from '../components/ConfirmDialog.js';
import { activeStates, jobFraction, useJobs } from './JobsContext.js';

const stateColor: Record<JobInfo['state'], 'default' | 'primary' | 'success' | 'error' | 'warning'> = {
  queued: 'default',
  running: 'primary',
  completed: 'success',
  failed: 'error',
  cancelled: 'default',
  interrupted: 'warning',
};

function formatEta(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)} s left`;
  return `${Math.ceil(seconds / 60)} min left`;
}

export function JobCard({ job }: { job: JobInfo }) {
  const { cancel, resume } = useJobs();
  const confirm = useConfirm();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const fraction = jobFraction(job);
  const active = activeStates.has(job.state);
  // Interrupted, failed and cancelled jobs continue from their checkpoint (the runner hands it back).
  const resumable = job.state === 'interrupted' || job.state === 'failed' || job.state === 'cancelled';
  const act = async (fn: (id: string) => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await fn(job.id);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  const detail = [
    job.progress.total !== null ? `${job.progress.done.toLocaleString()} / ${job.progress.total.toLocaleString()}` : null,
    job.progress.rate ? `${Math.round(job.progress.rate.value).toLocaleString()} ${job.progress.rate.unit}/s` : null,
    active && job.progress.etaSeconds ? formatEta(job.progress.etaSeconds) : null,
  ].filter(Boolean);
  return (
    <Box data-testid="job-card" data-job-state={job.state} sx={{ py: 1.25 }}>
      {confirm.dialog}
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center', mb: 0.5 }}>
        <Typography variant="subtitle2" sx={{ flex: 1 }} noWrap>
          {job.title}
        </Typography>
        <Chip size="small" label={job.state} color={stateColor[job.state]} variant={active ? 'filled' : 'outlined'} />
      </Stack>
      {(active || job.state === 'interrupted') && (
        <LinearProgress
          variant={fraction === null ? 'indeterminate' : 'determinate'}
          value={(fraction ?? 0) * 100}
          color={job.state === 'interrupted' ? 'warning' : 'primary'}
          sx={{ borderRadius: 4, height: 6, my: 0.75 }}
        />
      )}
      <Typography variant="body2" color="text.secondary" noWrap title={job.progress.message}>
        {job.error ?? job.progress.message}
      </Typography>
      {detail.length > 0 && (
        <Typography variant="caption" color="text.secondary">
          {detail.join(' · ')}
        </Typography>
      )}
      {error && (
        <Typography variant="caption" color="error" sx={{ display: 'block' }}>
          {error}
        </Typography>
      )}
      {(active || resumable) && (
        <Stack direction="row" spacing={1} sx={{ mt: 0.75 }}>
          {active && (
            <Button
              size="small"
              color="inherit"
              variant="outlined"
              disabled={busy}
              data-testid="job-cancel"
              onClick={() =>
                // A training run holds minutes to hours of work: asked first, as on the Training page.
                job.kind === 'train'
                  ? confirm.ask({
                      title: 'Cancel this training run?',
                      body: `"${job.title}" stops after its current step. The steps done so far are checkpointed; Resume continues from there.`,
                      confirmLabel: 'Cancel the run',
                      destructive: true,
                      onConfirm: () => act(cancel),
                    })
                  : void act(cancel)
              }
            >
              Cancel
            </Button>
          )}
          {resumable && (
            // Every resumable job continues from its saved checkpoint (labelling keeps the questions it has
            // labelled), so the button says Resume whatever stopped it; it never restarts from scratch.
            <Tooltip describeChild title="Continues from where it stopped; finished work is kept">
              <Button size="small" variant={job.state === 'interrupted' ? 'contained' : 'outlined'} disabled={busy} onClick={() => void act(resume)} data-testid="job-resume">
                Resume
              </Button>
            </Tooltip>
          )}
        </Stack>
      )}
    </Box>
  );
}
