import LabelIcon from '@mui/icons-material/LabelOutlined';
import { Alert, Box, Button, LinearProgress, Stack, TextField, Typography } from '@mui/material';
import type { DatasetSummary } from '../../../../api/synthesis.js';
import { useApi } from '../../api/ApiContext.js';
import { ModelPathField } from '../../components/ModelPathField.js';
import { useConfirm } from '../../components/ConfirmDialog.js';
import { useStartedJob } from '../../jobs/useStartedJob.js';
import { isString, usePersistentState } from '../../state/usePersistentState.js';

/** Pseudo-labels the chosen dataset with a local model (N samples per question, majority vote) as a 'label' job. */
export function LabelForm({ dataset, onFinished }: { dataset: DatasetSummary; onFinished(): void }) {
  const api = useApi();
  const { job, running, fraction, error, start: startJob, cancel, dialog } = useStartedJob(onFinished, { kind: 'label', persistKey: 'labeling', noun: 'labelling job' });
  const confirm = useConfirm();
  const [modelPath, setModelPath] = usePersistentState('labeling.model', '', isString);
  const [samples, setSamples] = usePersistentState('labeling.samples', '8', isString);
  const [maxTokens, setMaxTokens] = usePersistentState('labeling.maxTokens', '1024', isString);

  const begin = () =>
    startJob(() => {
      const n = Math.max(1, Math.min(64, Math.floor(Number(samples)) || 8));
      const m = Math.max(1, Math.min(32768, Math.floor(Number(maxTokens)) || 1024));
      return api.call('labeling.start', { dataset: dataset.name, version: dataset.version, modelPath: modelPath.trim(), sampling: { samples: n, maxTokens: m } });
    });
  // Labelling a set that has labels replaces them: say so first (an interrupted run is resumed from the jobs menu).
  const start = () => {
    if (dataset.labelled === 0) return begin();
    confirm.ask({
      title: `Replace the pseudo-labels of ${dataset.name} v${dataset.version}?`,
      body: `${dataset.labelled.toLocaleString()} of its ${dataset.accepted.toLocaleString()} questions have pseudo-labels. A new run labels every question again and its labels replace these. To continue a run that stopped, use Resume in the jobs menu instead.`,
      confirmLabel: 'Label again',
      destructive: true,
      onConfirm: () => void begin(),
    });
    return Promise.resolve();
  };
  return (
    <Box data-testid="label-form">
      {dialog}
      {confirm.dialog}
      <Stack direction="row" spacing={2} sx={{ alignItems: 'center' }}>
        <ModelPathField value={modelPath} onChange={setModelPath} sx={{ flex: 1, maxWidth: 560 }} />
        <TextField label="Samples" size="small" type="number" value={samples} onChange={(e) => setSamples(e.target.value)} sx={{ width: 100 }} />
        <TextField label="Max tokens" size="small" type="number" value={maxTokens} onChange={(e) => setMaxTokens(e.target.value)} sx={{ width: 120 }} />
        <Button variant="outlined" startIcon={<LabelIcon />} disabled={running || !modelPath.trim()} onClick={() => void start()} data-testid="label-start">
          Pseudo-label v{dataset.version}
        </Button>
        {running && <Button onClick={cancel}>Cancel</Button>}
      </Stack>
      {job && (
        <Box sx={{ mt: 1 }}>
          <LinearProgress variant={fraction === null ? 'indeterminate' : 'determinate'} value={(fraction ?? 0) * 100} aria-label="Labelling progress" />
          <Typography variant="caption" color="text.secondary">
            {job.progress.message}
            {job.progress.etaSeconds ? ` · ${job.progress.etaSeconds} s left` : ''}
            {job.error ? ` · ${job.error}` : ''}
          </Typography>
        </Box>
      )}
      {error && (
        <Alert severity="error" sx={{ mt: 1 }}>
          {error}
        </Alert>
      )}
    </Box>
  );
}
