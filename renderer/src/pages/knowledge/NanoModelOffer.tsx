/**
 * The first-start offer of the nano demo model (issue 13): a tiny model trained here from the knowledge base, so
 * that the offline demo's rewards, accuracy and charts move. Shown while no nano model exists; the build is a job
 * (progress, ETA and cancel in the job list as well as here).
 */
import SchoolOutlinedIcon from '@mui/icons-material/SchoolOutlined';
import { Alert, Button, LinearProgress, Stack, Typography } from '@mui/material';
import { useCallback, useEffect, useState } from 'react';
import type { DemoModelStatus } from '../../../../api/demoModel.js';
import { useApi } from '../../api/ApiContext.js';
import { useStartedJob } from '../../jobs/useStartedJob.js';
import { useAppState } from '../../state/AppState.js';

export function NanoModelOffer() {
  const api = useApi();
  const { readOnly } = useAppState();
  const [status, setStatus] = useState<DemoModelStatus | null>(null);
  const refresh = useCallback(() => {
    void api.call('demoModel.status', {}).then(setStatus, () => setStatus(null));
  }, [api]);
  useEffect(refresh, [refresh]);
  const { job, running, fraction, error, start, cancel, dialog, finished } = useStartedJob(refresh, { kind: 'demoModel.build', persistKey: 'demoModel.build', noun: 'demo model build' });
  // A read-only data folder cannot hold a build (the banner above every page says so): no offer to refuse later.
  if (readOnly) return null;
  if (!status || (status.models.length > 0 && !running && finished === null)) return null;
  if (!status.trainerBuilt || status.disorders === 0) return null;
  const minutes = status.defaultMinutes;
  return (
    <Alert severity="success" variant="outlined" icon={<SchoolOutlinedIcon />} data-testid="nano-offer" sx={{ m: 2, mb: 0, bgcolor: 'background.paper', alignItems: 'center' }}
      action={
        running ? (
          <Button onClick={cancel} data-testid="nano-cancel">Cancel</Button>
        ) : finished === 'completed' ? null : (
          <Button variant="contained" data-testid="nano-build" onClick={() => void start(() => api.call('demoModel.build', { minutes }))}>
            Build a tiny demo model — about {minutes} minutes
          </Button>
        )
      }
    >
      <Typography variant="body2" sx={{ fontWeight: 650 }}>
        {finished === 'completed' ? 'The nano demo model is ready (Models page).' : 'No model that answers questions is installed.'}
      </Typography>
      <Typography variant="body2" color="text.secondary">
        {running
          ? `${job?.progress.message ?? ''}${job?.progress.etaSeconds ? ` — about ${Math.max(1, Math.round(job.progress.etaSeconds / 60))} min left` : ''}`
          : 'A 2-million-parameter model trained here on these disorders learns to answer in MedSSR’s format (“The answer is X”), so the demo’s pseudo-labels and training rewards are no longer empty. It knows little medicine: in our first measurement its accuracy stayed near chance, before and after training.'}
      </Typography>
      {running && (
        <Stack sx={{ mt: 1 }}>
          <LinearProgress variant={fraction === null ? 'indeterminate' : 'determinate'} value={(fraction ?? 0) * 100} />
        </Stack>
      )}
      {error && <Typography variant="body2" color="error">{error}</Typography>}
      {finished && finished !== 'completed' && <Typography variant="body2" color="text.secondary">Build {finished}{job?.error ? `: ${job.error}` : ''}</Typography>}
      {dialog}
    </Alert>
  );
}
