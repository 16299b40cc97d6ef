import PlayArrowIcon from '@mui/icons-material/PlayArrow';
import { Alert, Box, Button, LinearProgress, MenuItem, Stack, TextField, Typography } from '@mui/material';
import { useState } from 'react';
import { useApi } from '../../api/ApiContext.js';
import { ModelPathField } from '../../components/ModelPathField.js';
import { useStartedJob } from '../../jobs/useStartedJob.js';

const intOrUndefined = (s: string): number | undefined => (s.trim() && Number.isInteger(Number(s)) ? Number(s) : undefined);

/** Model (+ adapter), generations and limit for the MedSSR protocol; the run is an 'evaluate' job. */
export function RunForm({ benchmarkIds, onFinished }: { benchmarkIds: number[]; onFinished(): void }) {
  const api = useApi();
  const { job, running, fraction, error, start: startJob, cancel } = useStartedJob(onFinished);
  const [modelPath, setModelPath] = useState('');
  const [adapterPath, setAdapterPath] = useState('');
  const [generations, setGenerations] = useState('4');
  const [limit, setLimit] = useState('');
  const [maxTokens, setMaxTokens] = useState('4096');
  const [promptMode, setPromptMode] = useState<'auto' | 'chat' | 'base'>('auto');
  const [recovery, setRecovery] = useState<'grammar' | 'logit-bias' | 'off'>('grammar');

  const start = () =>
    startJob(() =>
      api.call('evaluation.start', {
        benchmarkIds,
        modelPath: modelPath.trim(),
        ...(adapterPath.trim() ? { adapterPath: adapterPath.trim() } : {}),
        generations: intOrUndefined(generations) ?? 4,
        ...(intOrUndefined(limit) ? { limit: intOrUndefined(limit) } : {}),
        sampling: { maxTokens: intOrUndefined(maxTokens) ?? 4096 },
        promptMode,
        recovery: recovery !== 'off',
        ...(recovery !== 'off' ? { recoveryMethod: recovery } : {}),
      }),
    );

  return (
    <Box>
      <Stack direction={{ xs: 'column', md: 'row' }} spacing={1}>
        <ModelPathField fullWidth value={modelPath} onChange={setModelPath} testId="eval-model" />
        <TextField size="small" fullWidth label="LoRA adapter (optional)" value={adapterPath} onChange={(e) => setAdapterPath(e.target.value)} slotProps={{ htmlInput: { 'data-testid': 'eval-adapter' } }} />
      </Stack>
      <Stack direction="row" spacing={1} sx={{ mt: 1, alignItems: 'center' }}>
        <TextField size="small" label="Generations" value={generations} onChange={(e) => setGenerations(e.target.value)} sx={{ width: 120 }} slotProps={{ htmlInput: { 'data-testid': 'eval-generations' } }} />
        <TextField size="small" label="Limit per set" placeholder="all" value={limit} onChange={(e) => setLimit(e.target.value)} sx={{ width: 130 }} slotProps={{ htmlInput: { 'data-testid': 'eval-limit' } }} />
        <TextField size="small" label="Max tokens" value={maxTokens} onChange={(e) => setMaxTokens(e.target.value)} sx={{ width: 120 }} slotProps={{ htmlInput: { 'data-testid': 'eval-max-tokens' } }} />
        <TextField
          select
          size="small"
          label="Prompt"
          value={promptMode}
          onChange={(e) => setPromptMode(e.target.value as typeof promptMode)}
          sx={{ width: 130 }}
          helperText={promptMode === 'auto' ? 'COT if "base" in name' : undefined}
          slotProps={{ htmlInput: { 'data-testid': 'eval-prompt-mode' } }}
        >
          <MenuItem value="auto">auto</MenuItem>
          <MenuItem value="chat">chat template</MenuItem>
          <MenuItem value="base">COT template</MenuItem>
        </TextField>
        <TextField
          select
          size="small"
          label="Recovery"
          value={recovery}
          onChange={(e) => setRecovery(e.target.value as typeof recovery)}
          sx={{ width: 150 }}
          helperText={recovery === 'logit-bias' ? 'as MedSSR’s script' : recovery === 'grammar' ? 'question’s letters' : undefined}
          slotProps={{ htmlInput: { 'data-testid': 'eval-recovery' } }}
        >
          <MenuItem value="grammar">grammar</MenuItem>
          <MenuItem value="logit-bias">logit bias +100</MenuItem>
          <MenuItem value="off">off</MenuItem>
        </TextField>
        <Typography variant="caption" color="text.secondary" sx={{ flex: 1 }}>
          temperature 0.6 · top-p 0.95 · top-k 20
        </Typography>
        {running ? (
          <Button color="inherit" onClick={cancel} data-testid="eval-cancel">
            Cancel
          </Button>
        ) : (
          <Button variant="contained" startIcon={<PlayArrowIcon />} disabled={!modelPath.trim() || benchmarkIds.length === 0} onClick={() => void start()} data-testid="eval-start">
            Evaluate {benchmarkIds.length} set{benchmarkIds.length === 1 ? '' : 's'}
          </Button>
        )}
      </Stack>
      {error && (
        <Alert severity="error" sx={{ mt: 1 }} data-testid="eval-error">
          {error}
        </Alert>
      )}
      {job && (
        <Box sx={{ mt: 1 }} data-testid="eval-progress" data-job-state={job.state}>
          <LinearProgress variant={fraction === null ? 'indeterminate' : 'determinate'} value={(fraction ?? 0) * 100} sx={{ height: 6, borderRadius: 3 }} />
          <Typography variant="caption" color="text.secondary">
            {job.state} · {job.progress.done.toLocaleString()}
            {job.progress.total !== null ? ` / ${job.progress.total.toLocaleString()}` : ''} questions · {job.progress.message}
            {job.error && job.state !== 'cancelled' ? ` · ${job.error}` : ''}
          </Typography>
        </Box>
      )}
    </Box>
  );
}
