import ExpandMoreIcon from '@mui/icons-material/ExpandMore';
import PlayArrowIcon from '@mui/icons-material/PlayArrow';
import {
  Accordion,
  AccordionDetails,
  AccordionSummary,
  Alert,
  Autocomplete,
  Box,
  Button,
  Checkbox,
  FormControlLabel,
  MenuItem,
  Slider,
  Stack,
  Switch,
  TextField,
  Typography,
} from '@mui/material';
import { useEffect, useMemo, useState } from 'react';
import { useConfirm } from '../../components/ConfirmDialog.js';
import { isBoolean, isNumber, isString, usePersistentState } from '../../state/usePersistentState.js';
import type { DatasetSummary, ModelInfo } from '../../../../api/synthesis.js';
import type { DatasetOverlap, Stage2Overlap } from '../../../../api/decontamination.js';
import { OverlapReport } from '../../components/OverlapReport.js';
import {
  loraTargets,
  lossAggregations,
  presetNames,
  presets,
  reviewFilters,
  type PresetName,
  type TrainEstimate,
  type TrainInputRaw,
  type TrainSettings,
} from '../../../../api/training.js';
import { DEMO_DEFAULT_MINUTES } from '../../../../api/demoModel.js';
import { useApi } from '../../api/ApiContext.js';
import { nanoCaveat, NanoDemoNote, useNanoDemo } from '../../components/NanoDemo.js';
import { errorMessage } from '../../api/clientError.js';
import { activeStates, useJobs } from '../../jobs/JobsContext.js';
import { useAppState } from '../../state/AppState.js';

type NumericKey = { [K in keyof TrainSettings]: TrainSettings[K] extends number ? K : never }[keyof TrainSettings];

const numericFields: { key: NumericKey; label: string; step?: number }[] = [
  { key: 'groupSize', label: 'Group size G' },
  { key: 'promptsPerStep', label: 'Prompts per step' },
  { key: 'lr', label: 'Learning rate', step: 1e-5 },
  { key: 'loraRank', label: 'LoRA rank' },
  { key: 'loraAlpha', label: 'LoRA alpha' },
  { key: 'epsilonLow', label: 'ε low', step: 0.01 },
  { key: 'epsilonHigh', label: 'ε high', step: 0.01 },
  { key: 'ppoEpochs', label: 'PPO epochs (updates per batch)' },
  { key: 'beta', label: 'β (KL)', step: 0.001 },
  { key: 'maxCompletionTokens', label: 'Max completion tokens' },
  { key: 'temperature', label: 'Temperature', step: 0.1 },
  { key: 'stage1Steps', label: 'Stage 1 steps' },
  { key: 'stage2Steps', label: 'Stage 2 steps' },
  { key: 'checkpointEvery', label: 'Checkpoint every' },
  { key: 'evalEvery', label: 'Quick eval every (0 = stage ends)' },
  { key: 'heldOut', label: 'Held-out questions per stage' },
  { key: 'formatReward', label: 'Format reward', step: 0.05 },
  { key: 'warmupSteps', label: 'Warm-up steps' },
  { key: 'maxGradNorm', label: 'Max grad norm', step: 0.1 },
  { key: 'threads', label: 'CPU threads (0 = auto)' },
  { key: 'seed', label: 'Seed' },
];

function duration(s: number): string {
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

/** Model, data of both stages, preset and advanced settings; estimate; one click to start. */
export function RunForm({ onStarted }: { onStarted(jobId: string): void }) {
  const { readOnly } = useAppState();
  const api = useApi();
  const { track, jobs } = useJobs();
  const [models, setModels] = useState<ModelInfo[]>([]);
  const [datasets, setDatasets] = useState<DatasetSummary[]>([]);
  const [modelPath, setModelPath] = usePersistentState('training.model', '', isString);
  const [name, setName] = usePersistentState('training.name', 'run', isString);
  const [useStage1, setUseStage1] = usePersistentState('training.useStage1', true, isBoolean);
  const [dataset, setDataset] = usePersistentState('training.dataset', '', isString);
  const [minVoteShare, setMinVoteShare] = usePersistentState('training.minVoteShare', 0.5, isNumber);
  const [review, setReview] = usePersistentState<(typeof reviewFilters)[number]>('training.review', 'any', (v): v is (typeof reviewFilters)[number] => (reviewFilters as readonly unknown[]).includes(v));
  const [useStage2, setUseStage2] = usePersistentState('training.useStage2', false, isBoolean);
  const [files, setFiles] = usePersistentState('training.files', '', isString);
  const [preset, setPreset] = usePersistentState<PresetName>('training.preset', 'cpu-demo', (v): v is PresetName => typeof v === 'string' && v in presets);
  // Stored overrides are checked again by the Api when the run starts; here only their shape (an object).
  const [overrides, setOverrides] = usePersistentState<Partial<TrainSettings>>('training.overrides', {}, (v): v is Partial<TrainSettings> => typeof v === 'object' && v !== null && !Array.isArray(v));
  const [estimate, setEstimate] = useState<TrainEstimate | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void api.call('models.list', {}).then(setModels);
    void api.call('synthesis.datasets', {}).then((d) => {
      setDatasets(d);
      const labelled = d.find((x) => x.labelled > 0);
      if (labelled) setDataset((cur) => cur || labelled.name);
    });
  }, [api, setModelPath, setDataset]);

  // The quick CPU demo starts from the nano demo model when one is built: it answers in MedSSR's format, so
  // rewards are not all zero. Otherwise the first registered model, as before.
  const nano = useNanoDemo();
  const nanoPath = nano.model?.path ?? null;
  useEffect(() => {
    if (!nano.settled) return;
    const pick = preset === 'cpu-demo' && nanoPath ? nanoPath : models[0]?.path;
    if (pick) setModelPath((p) => p || pick);
  }, [nano.settled, nanoPath, preset, models, setModelPath]);
  const usingNano = nanoPath !== null && modelPath.trim() === nanoPath;

  const settings: TrainSettings = useMemo(() => ({ ...presets[preset].settings, ...overrides }), [preset, overrides]);
  const input: TrainInputRaw = useMemo(
    () => ({
      name,
      modelPath,
      preset,
      settings: overrides,
      ...(useStage1 && dataset ? { stage1: { dataset, minVoteShare, review } } : {}),
      ...(useStage2 ? { stage2: { files: files.split(/\n|,/).map((f) => f.trim()).filter(Boolean) } } : {}),
    }),
    [name, modelPath, preset, overrides, useStage1, dataset, minVoteShare, review, useStage2, files],
  );

  useEffect(() => setEstimate(null), [input]);

  // Before a start: the stage 1 dataset's overlap with every imported benchmark (latest version, as the run uses).
  const overlapFor = useStage1 && dataset ? dataset : '';
  const [overlap, setOverlap] = useState<{ dataset: string; report: DatasetOverlap | null; error: string | null } | null>(null);
  useEffect(() => {
    if (!overlapFor) return;
    let live = true;
    setOverlap({ dataset: overlapFor, report: null, error: null });
    api.call('synthesis.overlap', { dataset: overlapFor }).then(
      (report) => live && setOverlap({ dataset: overlapFor, report, error: null }),
      (err: unknown) => live && setOverlap({ dataset: overlapFor, report: null, error: errorMessage(err) }),
    );
    return () => {
      live = false;
    };
  }, [api, overlapFor]);

  // Stage 2's files, checked the same way once the list has stopped changing (a path half typed is not asked about).
  const stage2Files = useMemo(() => (useStage2 ? files.split(/\n|,/).map((f) => f.trim()).filter(Boolean) : []), [useStage2, files]);
  const stage2Key = stage2Files.join('\n');
  const [overlap2, setOverlap2] = useState<{ key: string; report: Stage2Overlap | null; error: string | null } | null>(null);
  useEffect(() => {
    if (!stage2Key) return;
    let live = true;
    setOverlap2({ key: stage2Key, report: null, error: null });
    const timer = setTimeout(() => {
      api.call('training.stage2Overlap', { files: stage2Key.split('\n') }).then(
        (report) => live && setOverlap2({ key: stage2Key, report, error: null }),
        (err: unknown) => live && setOverlap2({ key: stage2Key, report: null, error: errorMessage(err) }),
      );
    }, 400);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [api, stage2Key]);
  const report2 = overlap2?.key === stage2Key ? overlap2 : null;

  const confirm = useConfirm();
  const run = async (what: 'estimate' | 'measure' | 'start', asked = false) => {
    const busyTraining = jobs.filter((j) => j.kind === 'train' && activeStates.has(j.state));
    if (what === 'start' && !asked && busyTraining.length > 0) {
      confirm.ask({
        title: 'Another training run has not finished',
        body: `"${busyTraining[0]?.title ?? ''}" is ${busyTraining[0]?.state ?? 'running'}. The new run waits until it ends, then starts.`,
        confirmLabel: 'Queue another run',
        onConfirm: () => run('start', true),
      });
      return;
    }
    setError(null);
    setBusy(true);
    try {
      if (what === 'start') {
        const { jobId } = await api.call('training.start', input);
        await track(jobId);
        onStarted(jobId);
      } else setEstimate(await api.call('training.estimate', { run: input, measure: what === 'measure' }));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  const set = <K extends keyof TrainSettings>(k: K, v: TrainSettings[K]) => setOverrides((o) => ({ ...o, [k]: v }));

  return (
    <Stack spacing={2} data-testid="training-form">
      {confirm.dialog}
      <Stack direction={{ xs: 'column', md: 'row' }} spacing={2}>
        <TextField label="Run name" size="small" value={name} onChange={(e) => setName(e.target.value)} sx={{ minWidth: 180 }} />
        <Autocomplete
          data-testid="train-model"
          freeSolo
          size="small"
          sx={{ flex: 1 }}
          options={models.map((m) => m.path)}
          // The field shows the path itself: a typed path and a picked model mean the same thing.
          getOptionLabel={(p) => p}
          renderOption={(props, p) => {
            const { key, ...rest } = props;
            return (
              <li key={key} {...rest}>
                {models.find((m) => m.path === p)?.name ?? p} — {p}
              </li>
            );
          }}
          value={modelPath}
          onChange={(_, v) => setModelPath(v ?? '')}
          onInputChange={(_, v, reason) => {
            if (reason === 'input') setModelPath(v);
          }}
          renderInput={(params) => <TextField {...params} label="Base model (GGUF)" />}
        />
        <TextField select size="small" label="Preset" value={preset} onChange={(e) => setPreset(e.target.value as PresetName)} sx={{ minWidth: 220 }}>
          {presetNames.map((p) => (
            <MenuItem key={p} value={p}>
              {presets[p].label}
            </MenuItem>
          ))}
        </TextField>
      </Stack>
      <Typography variant="caption" color="text.secondary">
        {presets[preset].description}
      </Typography>
      {preset === 'cpu-demo' && (
        <NanoDemoNote
          demo={nano}
          testId="train-nano"
          present={(m) =>
            usingNano
              ? `The demo trains the nano demo model ${m.name} (${(m.parameters / 1e6).toFixed(1)} M parameters, built here in ${m.steps} steps). It answers in MedSSR’s format (“The answer is X”), so rewards and the charts move. Stage 1 needs a dataset it labelled (Synthesis, then Label with it); stage 2 can use its stage-2 questions. ${nanoCaveat}`
              : `A nano demo model is built (${m.name}): it answers in MedSSR’s format, so the demo’s rewards and charts move with it. ${nanoCaveat}`
          }
          absent={
            <>
              No nano demo model is built. A model that never writes “The answer is” (such as stories260K) gets reward 0 at every step: the demo then shows the loop and the charts, not learning. Build one from the Knowledge page (about {DEMO_DEFAULT_MINUTES} minutes of training) or with <code>npx medssr demo-model build</code>.
            </>
          }
          action={
            usingNano && useStage2 && files.trim()
              ? null
              : {
                  label: usingNano ? 'Add its stage-2 questions' : 'Use the nano demo model',
                  run: (ex) => {
                    setModelPath(ex.model);
                    if (ex.stage2.questions > 0) {
                      setUseStage2(true);
                      setFiles(ex.stage2.path);
                    }
                  },
                }
          }
        />
      )}

      <Stack direction={{ xs: 'column', md: 'row' }} spacing={3}>
        <Box sx={{ flex: 1 }}>
          <FormControlLabel control={<Checkbox checked={useStage1} onChange={(e) => setUseStage1(e.target.checked)} />} label="Stage 1: synthetic, pseudo-labelled" />
          <Stack spacing={1.5} sx={{ pl: 4, opacity: useStage1 ? 1 : 0.5 }}>
            <TextField select size="small" label="Dataset" value={dataset} onChange={(e) => setDataset(e.target.value)} disabled={!useStage1}>
              {datasets.map((d) => (
                <MenuItem key={`${d.name}-${d.version}`} value={d.name}>
                  {d.name} v{d.version} · {d.labelled} labelled of {d.accepted}
                </MenuItem>
              ))}
            </TextField>
            <Box>
              <Typography variant="caption">Minimum vote share: {minVoteShare.toFixed(2)}</Typography>
              <Slider size="small" min={0} max={1} step={0.05} value={minVoteShare} onChange={(_, v) => setMinVoteShare(v as number)} disabled={!useStage1} aria-label="Minimum vote share" />
            </Box>
            <TextField select size="small" label="Review status" value={review} onChange={(e) => setReview(e.target.value as typeof review)} disabled={!useStage1}>
              <MenuItem value="any">Any (reviewed or not)</MenuItem>
              <MenuItem value="not-rejected">Not rejected by a reviewer</MenuItem>
              <MenuItem value="approved">Approved or corrected by a reviewer</MenuItem>
            </TextField>
          </Stack>
        </Box>
        <Box sx={{ flex: 1 }}>
          <FormControlLabel control={<Checkbox checked={useStage2} onChange={(e) => setUseStage2(e.target.checked)} />} label="Stage 2: human-labelled (MedSSR JSON files)" />
          <TextField
            sx={{ pl: 4 }}
            fullWidth
            multiline
            minRows={3}
            size="small"
            placeholder="/path/to/human_labelled.json (one per line)"
            value={files}
            onChange={(e) => setFiles(e.target.value)}
            disabled={!useStage2}
          />
        </Box>
      </Stack>

      <Accordion variant="outlined" disableGutters>
        <AccordionSummary expandIcon={<ExpandMoreIcon />}>
          <Typography variant="body2">Advanced settings</Typography>
        </AccordionSummary>
        <AccordionDetails>
          <Box sx={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(170px, 1fr))', gap: 1.5 }}>
            {numericFields.map((f) => (
              <TextField
                key={f.key}
                size="small"
                type="number"
                label={f.label}
                value={settings[f.key]}
                slotProps={{ htmlInput: { step: f.step ?? 1 } }}
                onChange={(e) => {
                  const v = Number(e.target.value);
                  if (e.target.value !== '' && Number.isFinite(v)) set(f.key, v);
                }}
              />
            ))}
            <TextField select size="small" label="Loss aggregation" value={settings.lossAggregation} onChange={(e) => set('lossAggregation', e.target.value as TrainSettings['lossAggregation'])}>
              {lossAggregations.map((l) => (
                <MenuItem key={l} value={l}>
                  {l}
                </MenuItem>
              ))}
            </TextField>
            <TextField select size="small" label="Stage 2 optimizer" value={settings.stage2Optimizer} onChange={(e) => set('stage2Optimizer', e.target.value as TrainSettings['stage2Optimizer'])}>
              <MenuItem value="fresh">fresh (own schedule, warm-up)</MenuItem>
              <MenuItem value="continue">continue stage 1&apos;s</MenuItem>
            </TextField>
            <Typography variant="caption" color="text.secondary" data-testid="epsilon-note" sx={{ gridColumn: '1 / -1' }}>
              ε low/high clip the ratio to the rollout policy only with PPO epochs &gt; 1; with 1 update per batch they have no effect (rollout log-probs from llama.cpp are after temperature/top-k/top-p, so they are not used as old log-probs).
            </Typography>
            <TextField select size="small" label="LR schedule" value={settings.schedule} onChange={(e) => set('schedule', e.target.value as TrainSettings['schedule'])}>
              <MenuItem value="constant">constant</MenuItem>
              <MenuItem value="cosine">cosine</MenuItem>
            </TextField>
            <TextField select size="small" label="Backend" value={settings.backend} onChange={(e) => set('backend', e.target.value as TrainSettings['backend'])}>
              <MenuItem value="auto">Auto (CUDA, Vulkan, then CPU)</MenuItem>
              <MenuItem value="cpu">CPU</MenuItem>
              <MenuItem value="cuda">CUDA</MenuItem>
              <MenuItem value="vulkan">Vulkan</MenuItem>
            </TextField>
          </Box>
          <Stack direction="row" sx={{ flexWrap: 'wrap', mt: 1 }}>
            <FormControlLabel control={<Switch checked={settings.scaleRewards} onChange={(e) => set('scaleRewards', e.target.checked)} />} label="Scale advantages by std (off = Dr. GRPO)" />
            <FormControlLabel control={<Switch checked={settings.skipZeroStdGroups} onChange={(e) => set('skipZeroStdGroups', e.target.checked)} />} label="Skip groups with equal rewards" />
          </Stack>
          <Typography variant="caption" color="text.secondary">
            LoRA targets
          </Typography>
          <Stack direction="row" sx={{ flexWrap: 'wrap' }}>
            {loraTargets.map((t) => (
              <FormControlLabel
                key={t}
                control={
                  <Checkbox
                    size="small"
                    checked={settings.loraTargets.includes(t)}
                    onChange={(e) => set('loraTargets', e.target.checked ? [...settings.loraTargets, t] : settings.loraTargets.filter((x) => x !== t))}
                  />
                }
                label={t}
              />
            ))}
          </Stack>
        </AccordionDetails>
      </Accordion>

      {overlapFor && (
        <Box data-testid="training-overlap">
          <OverlapReport
            summary={overlap?.dataset === overlapFor ? overlap.report : null}
            error={overlap?.dataset === overlapFor ? overlap.error : null}
            subject={`Stage 1 dataset "${overlapFor}"${overlap?.report ? ` v${overlap.report.version}` : ''}`}
            consequence="after training on it, scores on these benchmarks measure memory as well as skill."
          />
        </Box>
      )}
      {stage2Key && (
        <Box data-testid="training-overlap-stage2">
          <OverlapReport
            testId="overlap-report-stage2"
            summary={report2?.report ?? null}
            error={report2?.error ?? null}
            subject={`Stage 2 files${report2?.report ? ` ${report2.report.sources.map((x) => x.replace(/ \(\d+\)$/, '')).join(', ')}` : ''}`}
            consequence="after training on them, scores on these benchmarks measure memory as well as skill."
          />
        </Box>
      )}
      {error && <Alert severity="error">{error}</Alert>}
      {estimate && (
        <Alert severity="info" data-testid="training-estimate">
          <strong>
            About {duration(estimate.seconds)} and {(estimate.memoryBytes / 2 ** 30).toFixed(2)} GiB
          </strong>{' '}
          for {estimate.totalSteps} steps ({estimate.stage1Items} stage 1 and {estimate.stage2Items} stage 2 questions, up to {estimate.rolloutTokens.toLocaleString()} sampled tokens).
          <Box component="ul" sx={{ m: 0, pl: 2 }}>
            {estimate.basis.map((b) => (
              <li key={b}>
                <Typography variant="caption">{b}</Typography>
              </li>
            ))}
          </Box>
        </Alert>
      )}
      <Stack direction="row" spacing={1}>
        <Button variant="outlined" disabled={busy || !modelPath} onClick={() => void run('estimate')}>
          Estimate
        </Button>
        <Button variant="outlined" disabled={busy || !modelPath} onClick={() => void run('measure')}>
          Measure speed and estimate
        </Button>
        <Button variant="contained" startIcon={<PlayArrowIcon />} disabled={busy || readOnly || !modelPath || (!useStage1 && !useStage2)} onClick={() => void run('start')} data-testid="train-start">
          Start training
        </Button>
        {/* A disabled button says why, as the export buttons do. */}
        {!busy && (readOnly || !modelPath || (!useStage1 && !useStage2)) && (
          <Typography variant="caption" color="text.secondary" sx={{ alignSelf: 'center' }} data-testid="train-start-why">
            {readOnly ? 'The data folder is read-only: a run cannot be saved.' : !modelPath ? 'Choose a base model (GGUF) to estimate or start.' : 'Tick stage 1 or stage 2 to start.'}
          </Typography>
        )}
      </Stack>
    </Stack>
  );
}
