import LabelIcon from '@mui/icons-material/LabelOutlined';
import { Alert, Box, Button, LinearProgress, Stack, TextField, Typography } from '@mui/material';
import type { DatasetSummary } from '../../../../api/synthesis.js';
import { useApi } from '../../api/ApiContext.js';
import { ModelPathField, useRegisteredModels } from '../../components/ModelPathField.js';
import { useConfirm } from '../../components/ConfirmDialog.js';
import { useStartedJob } from '../../jobs/useStartedJob.js';
import { isBoolean, isString, usePersistentState } from '../../state/usePersistentState.js';
import { defaultLabelMaxTokens } from './labelDefaults.js';
import { useAppState } from '../../state/AppState.js';

const positiveInt = (s: string, max: number): number | null => {
  const n = Number(s);
  return s.trim() && Number.isInteger(n) && n >= 1 && n <= max ? n : null;
};

/** Pseudo-labels the chosen dataset with a local model (N samples per question, majority vote) as a 'label' job. */
export function LabelForm({ dataset, onFinished }: { dataset: DatasetSummary; onFinished(): void }) {
  const { readOnly } = useAppState();
  const api = useApi();
  const { job, running, fraction, error, start: startJob, cancel, dialog } = useStartedJob(onFinished, { kind: 'label', persistKey: 'labeling', noun: 'labelling job' });
  const confirm = useConfirm();
  const models = useRegisteredModels();
  const [modelPath, setModelPath] = usePersistentState('labeling.model', '', isString);
  const [samples, setSamples] = usePersistentState('labeling.samples', '8', isString);
  const [maxTokensText, setMaxTokens] = usePersistentState('labeling.maxTokens', '', isString);
  const [maxTokensEdited, setMaxTokensEdited] = usePersistentState('labeling.maxTokensEdited', false, isBoolean);
  // Max tokens follows the chosen model's context until edited, as on the Evaluation page.
  const model = models.find((m) => m.path === modelPath.trim());
  const sized = defaultLabelMaxTokens(model?.contextLength);
  const maxTokens = maxTokensEdited ? maxTokensText : String(sized);
  // Out-of-range values are refused where they are typed, not clamped silently at the start.
  const n = positiveInt(samples, 64);
  const m = positiveInt(maxTokens, 32768);
  const overContext = model?.contextLength && m !== null && m >= model.contextLength;

  const begin = () =>
    startJob(() => api.call('labeling.start', { dataset: dataset.name, version: dataset.version, modelPath: modelPath.trim(), sampling: { samples: n ?? 8, maxTokens: m ?? sized } }));
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
      <Stack direction="row" spacing={2} sx={{ alignItems: 'flex-start' }}>
        <ModelPathField value={modelPath} onChange={setModelPath} sx={{ flex: 1, maxWidth: 560 }} />
        <TextField
          label="Samples"
          size="small"
          type="number"
          value={samples}
          onChange={(e) => setSamples(e.target.value)}
          sx={{ width: 100 }}
          error={n === null}
          helperText={n === null ? '1 to 64' : ' '}
          slotProps={{ htmlInput: { 'data-testid': 'label-samples' } }}
        />
        <TextField
          label="Max tokens"
          size="small"
          type="number"
          value={maxTokens}
          onChange={(e) => {
            setMaxTokensEdited(true);
            setMaxTokens(e.target.value);
          }}
          sx={{ width: 150 }}
          error={m === null || Boolean(overContext)}
          helperText={m === null ? '1 to 32,768' : overContext ? `≥ the model's context (${model?.contextLength})` : maxTokensEdited ? ' ' : model?.contextLength ? 'sized to the model' : ' '}
          slotProps={{ htmlInput: { 'data-testid': 'label-max-tokens' } }}
        />
        <Button variant="outlined" startIcon={<LabelIcon />} disabled={running || readOnly || !modelPath.trim() || n === null || m === null} onClick={() => void start()} sx={{ height: 40, flexShrink: 0 }} data-testid="label-start">
          Pseudo-label v{dataset.version}
        </Button>
        {running && (
          <Button onClick={cancel} sx={{ height: 40 }}>
            Cancel
          </Button>
        )}
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
