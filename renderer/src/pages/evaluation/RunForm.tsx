import PlayArrowIcon from '@mui/icons-material/PlayArrow';
import { Alert, Box, Button, LinearProgress, MenuItem, Stack, TextField, Tooltip, Typography } from '@mui/material';
import { useEffect } from 'react';
import { useApi } from '../../api/ApiContext.js';
import { AdapterPathField } from '../../components/AdapterPathField.js';
import { AdapterOverlap } from './AdapterOverlap.js';
import { useConfirm } from '../../components/ConfirmDialog.js';
import { ModelPathField, useRegisteredModels } from '../../components/ModelPathField.js';
import { useStartedJob } from '../../jobs/useStartedJob.js';
import { isBoolean, isOneOf, isString, usePersistentState } from '../../state/usePersistentState.js';
import { useAppState } from '../../state/AppState.js';

const isPromptMode = isOneOf(['auto', 'chat', 'base'] as const);
const isRecovery = isOneOf(['grammar', 'logit-bias', 'off'] as const);

const intOrUndefined = (s: string): number | undefined => (s.trim() && Number.isInteger(Number(s)) ? Number(s) : undefined);

/** MedSSR's 4,096, unless the model's context is smaller: then half of it, leaving room for the prompt. */
export function defaultMaxTokens(contextLength: number | null | undefined): number {
  if (!contextLength) return 4096;
  return Math.max(16, Math.min(4096, Math.floor(contextLength / 2)));
}

/** First questions of each set for a quick look: minutes on a CPU instead of hours. */
export const quickLookLimit = 20;

/**
 * Model (+ adapter), generations and limit for the MedSSR protocol; the run is an 'evaluate' job. The values
 * survive a visit to another page and a reload; max tokens follows the chosen model's context until edited.
 */
export function RunForm({ benchmarkIds, onFinished, preset }: { benchmarkIds: number[]; onFinished(): void; preset?: { modelPath: string; nonce: number } | null }) {
  const { readOnly } = useAppState();
  const api = useApi();
  const { job, running, fraction, error, start: startJob, cancel, dialog } = useStartedJob(onFinished, { kind: 'evaluate', persistKey: 'evaluation', noun: 'evaluation' });
  const confirm = useConfirm();
  // The example registers its model: listed again on each example, so max tokens follows its context.
  const models = useRegisteredModels(preset?.nonce);
  const [modelPath, setModelPath] = usePersistentState('evaluation.model', '', isString);
  const [adapterPath, setAdapterPath] = usePersistentState('evaluation.adapter', '', isString);
  const [generations, setGenerations] = usePersistentState('evaluation.generations', '4', isString);
  const [limit, setLimit] = usePersistentState('evaluation.limit', '', isString);
  const [maxTokensText, setMaxTokens] = usePersistentState('evaluation.maxTokens', '', isString);
  const [maxTokensEdited, setMaxTokensEdited] = usePersistentState('evaluation.maxTokensEdited', false, isBoolean);
  const model = models.find((m) => m.path === modelPath.trim());
  const sized = defaultMaxTokens(model?.contextLength);
  const maxTokens = maxTokensEdited ? maxTokensText : String(sized);
  const overContext = model?.contextLength && intOrUndefined(maxTokens) !== undefined && (intOrUndefined(maxTokens) as number) >= model.contextLength;
  const [promptMode, setPromptMode] = usePersistentState('evaluation.promptMode', 'auto', isPromptMode);
  // The page's example fills in its model (no adapter: the "before" run); a later example click fills it again.
  useEffect(() => {
    if (!preset) return;
    setModelPath(preset.modelPath);
    setAdapterPath('');
    setMaxTokensEdited(false);
  }, [preset, setModelPath, setAdapterPath, setMaxTokensEdited]);
  const [recovery, setRecovery] = usePersistentState('evaluation.recovery', 'grammar', isRecovery);

  const start = () =>
    startJob(() =>
      api.call('evaluation.start', {
        benchmarkIds,
        modelPath: modelPath.trim(),
        ...(adapterPath.trim() ? { adapterPath: adapterPath.trim() } : {}),
        generations: intOrUndefined(generations) ?? 4,
        ...(intOrUndefined(limit) ? { limit: intOrUndefined(limit) } : {}),
        sampling: { maxTokens: intOrUndefined(maxTokens) ?? sized },
        promptMode,
        recovery: recovery !== 'off',
        ...(recovery !== 'off' ? { recoveryMethod: recovery } : {}),
      }),
    );

  return (
    <Box>
      {dialog}
      {confirm.dialog}
      <Stack direction={{ xs: 'column', md: 'row' }} spacing={1}>
        <ModelPathField fullWidth value={modelPath} onChange={setModelPath} testId="eval-model" models={models} />
        <AdapterPathField value={adapterPath} onChange={setAdapterPath} modelPath={modelPath} testId="eval-adapter" />
      </Stack>
      <Stack direction="row" spacing={1} useFlexGap sx={{ mt: 1, alignItems: 'flex-start', flexWrap: 'wrap', rowGap: 1 }}>
        <TextField size="small" label="Generations" value={generations} onChange={(e) => setGenerations(e.target.value)} sx={{ width: 120 }} slotProps={{ htmlInput: { 'data-testid': 'eval-generations' } }} />
        <TextField size="small" label="Limit per set" placeholder="all" value={limit} onChange={(e) => setLimit(e.target.value)} sx={{ width: 130 }} slotProps={{ htmlInput: { 'data-testid': 'eval-limit' } }} />
        <Tooltip title={`Evaluate the first ${quickLookLimit} questions of each set: a quick look before a full run`}>
          <Button size="small" variant={limit === String(quickLookLimit) ? 'contained' : 'outlined'} onClick={() => setLimit(limit === String(quickLookLimit) ? '' : String(quickLookLimit))} sx={{ height: 40 }} data-testid="eval-quick-look">
            Quick look
          </Button>
        </Tooltip>
        <TextField
          size="small"
          label="Max tokens"
          value={maxTokens}
          onChange={(e) => {
            setMaxTokensEdited(true);
            setMaxTokens(e.target.value);
          }}
          sx={{ width: 150 }}
          error={Boolean(overContext)}
          helperText={overContext ? `≥ the model's context (${model?.contextLength})` : maxTokensEdited ? ' ' : model?.contextLength ? 'sized to the model' : 'MedSSR default'}
          slotProps={{ htmlInput: { 'data-testid': 'eval-max-tokens' } }}
        />
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
        <Typography variant="caption" color="text.secondary" sx={{ flex: 1, minWidth: 200, pt: 1.25 }}>
          temperature 0.6 · top-p 0.95 · top-k 20
        </Typography>
        {running ? (
          <Button
            color="inherit"
            variant="outlined"
            onClick={() =>
              confirm.ask({
                title: 'Cancel the evaluation?',
                body: `Questions already scored stay stored (${job?.progress.done ?? 0} so far); Resume in the jobs menu continues the same run.`,
                confirmLabel: 'Cancel the evaluation',
                destructive: true,
                onConfirm: cancel,
              })
            }
            data-testid="eval-cancel"
          >
            Cancel
          </Button>
        ) : (
          <Button variant="contained" startIcon={<PlayArrowIcon />} disabled={readOnly || !modelPath.trim() || benchmarkIds.length === 0} onClick={() => void start()} data-testid="eval-start">
            Evaluate {benchmarkIds.length} set{benchmarkIds.length === 1 ? '' : 's'}
          </Button>
        )}
      </Stack>
      {benchmarkIds.length === 0 && (
        <Typography variant="caption" color="text.secondary" component="div">
          Tick at least one benchmark set above to start.
        </Typography>
      )}
      <Box sx={{ mt: 1 }}>
        <AdapterOverlap adapterPath={adapterPath} benchmarkIds={benchmarkIds} label="This adapter" />
      </Box>
      {error && (
        <Alert severity="error" sx={{ mt: 1 }} data-testid="eval-error">
          {error}
        </Alert>
      )}
      {job && (
        <Box sx={{ mt: 1 }} data-testid="eval-progress" data-job-state={job.state}>
          <LinearProgress
            variant={fraction === null ? 'indeterminate' : 'determinate'}
            value={job.state === 'completed' ? 100 : (fraction ?? 0) * 100}
            color={job.state === 'failed' ? 'error' : 'primary'}
            sx={{ height: 6, borderRadius: 3 }}
          />
          <Typography variant="caption" color={job.state === 'failed' ? 'error' : 'text.secondary'}>
            {job.state} · {job.progress.done.toLocaleString()}
            {job.progress.total !== null ? ` / ${job.progress.total.toLocaleString()}` : ''} questions · {job.progress.message}
            {job.error && job.state !== 'cancelled' ? ` · ${job.error}` : ''}
          </Typography>
        </Box>
      )}
    </Box>
  );
}
