import PlayArrowIcon from '@mui/icons-material/PlayArrow';
import { Alert, Box, Button, LinearProgress, MenuItem, Paper, Stack, TextField, ToggleButton, ToggleButtonGroup, Typography } from '@mui/material';
import { useCallback, useEffect, useState } from 'react';
import type { DatasetSummary, PlanReport, QuestionPage, UnfinishedDataset } from '../../../../api/synthesis.js';
import type { DatasetOverlap } from '../../../../api/decontamination.js';
import { OverlapReport } from '../../components/OverlapReport.js';
import { useApi } from '../../api/ApiContext.js';
import { errorMessage } from '../../api/clientError.js';
import { useStartedJob } from '../../jobs/useStartedJob.js';
import { PanelSection } from '../../components/PanelSection.js';
import { AllocationChart } from './AllocationChart.js';
import { LabelForm } from './LabelForm.js';
import { PlanEditor } from './PlanEditor.js';
import { defaultDraft, isPlanDraft, toPlan, type DimensionValue, type PlanDraft } from './planState.js';
import { isOneOf, isString, usePersistentState } from '../../state/usePersistentState.js';
import { QuestionTable } from './QuestionTable.js';
import { useAppState } from '../../state/AppState.js';

/** Plan a distribution (with its live allocation), run the template generator as a job, browse the results. */
export function SynthesisPage() {
  const { readOnly } = useAppState();
  const api = useApi();
  const { job, running, finished, fraction, error, start: startJob, cancel, dialog } = useStartedJob(undefined, { kind: 'synthesize', persistKey: 'synthesis', noun: 'synthesis' });
  // The form survives a visit to another page and a reload, like Evaluation's and Training's.
  const [draft, setDraft] = usePersistentState<PlanDraft>('synthesis.plan', defaultDraft, isPlanDraft);
  const [preview, setPreview] = useState<PlanReport | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);
  const [name, setName] = usePersistentState('synthesis.name', 'synthetic', isString);
  const [seed, setSeed] = usePersistentState('synthesis.seed', '1', isString);
  const [datasets, setDatasets] = useState<DatasetSummary[]>([]);
  const [selected, setSelected] = usePersistentState<string>('synthesis.dataset', '', isString);
  const [status, setStatus] = usePersistentState<'accepted' | 'rejected'>('synthesis.status', 'accepted', isOneOf(['accepted', 'rejected'] as const));
  const [knowledgeValues, setKnowledgeValues] = useState<{ branch: DimensionValue[]; disorderType: DimensionValue[] } | null>(null);
  useEffect(() => {
    // Branches (by ORPHA code, shown by name) and disorder types as the knowledge base has them.
    api.call('knowledge.facets', { text: '', filters: {} }).then(
      (f) => setKnowledgeValues({ branch: f.branch.map((v) => ({ value: v.value, label: v.label })), disorderType: f.disorderType.map((v) => ({ value: v.value, label: v.label })) }),
      () => setKnowledgeValues({ branch: [], disorderType: [] }),
    );
  }, [api]);
  const [page, setPage] = useState<QuestionPage | null>(null);

  // The allocation follows every edit; a short delay keeps typing smooth.
  useEffect(() => {
    const timer = setTimeout(() => {
      api.call('synthesis.preview', toPlan(draft)).then(
        (r) => {
          setPreview(r);
          setPreviewError(null);
        },
        (err: unknown) => setPreviewError(errorMessage(err)),
      );
    }, 250);
    return () => {
      clearTimeout(timer);
    };
  }, [api, draft]);
  // A preview older than the draft is still shown (no flicker), but the chart knows one is on its way.
  const [previewFor, setPreviewFor] = useState<PlanDraft | null>(null);
  useEffect(() => {
    if (preview) setPreviewFor(draft);
    // Only when a new preview arrives.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [preview]);

  const refreshDatasets = useCallback(async () => {
    const list = await api.call('synthesis.datasets', {});
    setDatasets(list);
    return list;
  }, [api]);
  useEffect(() => {
    // Keep the stored choice while that dataset exists; else the newest.
    void refreshDatasets().then((list) => setSelected((s) => (list.some((d) => `${d.name}@${d.version}` === s) ? s : list[0] ? `${list[0].name}@${list[0].version}` : '')));
  }, [refreshDatasets, setSelected]);

  useEffect(() => {
    if (finished !== 'completed') return;
    void refreshDatasets().then((list) => {
      const mine = list.find((d) => d.name === name.trim());
      if (mine) setSelected(`${mine.name}@${mine.version}`);
    });
    // Only when the job finishes, not on every edit of the name.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [finished, refreshDatasets]);

  const current = datasets.find((d) => `${d.name}@${d.version}` === selected) ?? null;
  const [reload, setReload] = useState(0);
  useEffect(() => {
    if (!current) {
      setPage(null);
      return;
    }
    api.call('synthesis.questions', { dataset: current.name, version: current.version, status, offset: 0, limit: 50 }).then(setPage, () => setPage(null));
  }, [api, current, status, reload]);
  // Decontamination before the dataset is used: its overlap with every imported benchmark (cached by the Api).
  const [overlap, setOverlap] = useState<{ key: string; report: DatasetOverlap | null; error: string | null } | null>(null);
  useEffect(() => {
    if (!current) return;
    const key = `${current.name}@${current.version}`;
    let live = true;
    setOverlap({ key, report: null, error: null });
    api.call('synthesis.overlap', { dataset: current.name, version: current.version }).then(
      (report) => live && setOverlap({ key, report, error: null }),
      (err: unknown) => live && setOverlap({ key, report: null, error: errorMessage(err) }),
    );
    return () => {
      live = false;
    };
  }, [api, current]);
  const [unfinished, setUnfinished] = useState<UnfinishedDataset[]>([]);
  useEffect(() => {
    api.call('synthesis.unfinished', {}).then(
      (list) => setUnfinished(list.filter((d) => d.state === 'failed' || d.state === 'cancelled' || d.state === 'interrupted')),
      () => setUnfinished([]),
    );
  }, [api, finished]);
  const resume = (jobId: string) =>
    startJob(async () => {
      const j = await api.call('jobs.resume', { id: jobId });
      return { jobId: j.id };
    });

  const labelled = useCallback(() => {
    void refreshDatasets();
    setReload((n) => n + 1);
  }, [refreshDatasets]);

  const start = () => startJob(() => api.call('synthesis.start', { dataset: name.trim(), plan: toPlan(draft), seed: Number(seed) || 0 }));

  return (
    <Box sx={{ height: '100%', overflowY: 'auto', p: 3, scrollbarGutter: 'stable' }} data-testid="synthesis-page">
      {dialog}
      <Box sx={{ maxWidth: 1280 }}>
        <Stack direction={{ xs: 'column', lg: 'row' }} spacing={2} sx={{ mb: 2 }}>
          <Paper variant="outlined" sx={{ p: 2, flex: 1 }}>
            <Typography variant="subtitle1" sx={{ fontWeight: 600, mb: 1 }}>
              Plan
            </Typography>
            <PlanEditor draft={draft} onChange={setDraft} preview={preview} knowledgeValues={knowledgeValues} />
          </Paper>
          <Paper variant="outlined" sx={{ p: 2, flex: 1, minWidth: 0 }}>
            <Typography variant="subtitle1" sx={{ fontWeight: 600, mb: 1 }}>
              Allocation
            </Typography>
            {previewError ? <Alert severity="warning">{previewError}</Alert> : <AllocationChart report={preview} loading={preview === null || previewFor !== draft} achieved={current?.report ?? null} />}
          </Paper>
        </Stack>
        <PanelSection title="Run" testId="synthesis-run">
          <Stack direction="row" spacing={2} sx={{ alignItems: 'center' }}>
            <TextField label="Dataset name" size="small" value={name} onChange={(e) => setName(e.target.value)} slotProps={{ htmlInput: { 'data-testid': 'dataset-name' } }} />
            <TextField label="Seed" size="small" type="number" value={seed} onChange={(e) => setSeed(e.target.value)} sx={{ width: 110 }} />
            <Button variant="contained" startIcon={<PlayArrowIcon />} disabled={running || readOnly || !name.trim()} onClick={() => void start()} data-testid="synthesis-start">
              Generate (templates)
            </Button>
            {running && (
              <Button onClick={cancel} data-testid="synthesis-cancel">
                Cancel
              </Button>
            )}
          </Stack>
          {job && (
            <Box sx={{ mt: 1.5 }} data-testid="synthesis-progress" data-state={job.state}>
              <LinearProgress variant={fraction === null ? 'indeterminate' : 'determinate'} value={(fraction ?? 0) * 100} aria-label="Synthesis progress" />
              <Typography variant="caption" color="text.secondary">
                {job.state === 'completed' ? 'Done' : job.progress.message}
                {job.progress.rate ? ` · ${job.progress.rate.value} ${job.progress.rate.unit}/s` : ''}
                {job.error ? ` · ${job.error}` : ''}
              </Typography>
            </Box>
          )}
          {error && (
            <Alert severity="error" sx={{ mt: 1 }}>
              {error}
            </Alert>
          )}
          {!running &&
            unfinished.map((d) => (
              <Alert
                key={`${d.name}@${d.version}`}
                severity="warning"
                sx={{ mt: 1 }}
                data-testid="synthesis-unfinished"
                action={
                  d.jobId ? (
                    <Button color="inherit" size="small" onClick={() => void resume(d.jobId as string)}>
                      Resume
                    </Button>
                  ) : undefined
                }
              >
                &quot;{d.name}&quot; v{d.version} did not finish ({d.state}{d.error ? `: ${d.error}` : ''}); it is not a dataset and nothing reads its {d.questionsSoFar} questions so far. Resume reruns it from the start with the same seed.
              </Alert>
            ))}
        </PanelSection>
        <PanelSection title="Results" testId="synthesis-results">
          <Stack direction="row" spacing={2} sx={{ alignItems: 'center', mb: 1 }}>
            <TextField select size="small" label="Dataset" value={selected} onChange={(e) => setSelected(e.target.value)} sx={{ minWidth: 260 }} slotProps={{ htmlInput: { 'data-testid': 'dataset-select' } }}>
              {datasets.map((d) => (
                <MenuItem key={`${d.name}@${d.version}`} value={`${d.name}@${d.version}`}>
                  {d.name} v{d.version} — {d.accepted} {d.accepted === 1 ? 'question' : 'questions'}{d.labelled ? `, ${d.labelled} labelled` : ''}
                </MenuItem>
              ))}
            </TextField>
            <ToggleButtonGroup size="small" exclusive value={status} onChange={(_, v: 'accepted' | 'rejected' | null) => v && setStatus(v)}>
              <ToggleButton value="accepted">Accepted</ToggleButton>
              <ToggleButton value="rejected">Rejected</ToggleButton>
            </ToggleButtonGroup>
            {current && (
              <Typography variant="caption" color="text.secondary" data-testid="dataset-summary">
                {current.accepted} accepted · {current.rejected} rejected · seed {current.seed} · {current.generator}
              </Typography>
            )}
          </Stack>
          {current && (
            <Box sx={{ mb: 1.5 }}>
              <OverlapReport
                summary={overlap?.key === `${current.name}@${current.version}` ? overlap.report : null}
                error={overlap?.key === `${current.name}@${current.version}` ? overlap.error : null}
                subject={`"${current.name}" v${current.version}`}
                consequence="a model trained on it and evaluated on these benchmarks is partly tested on what it saw."
              />
            </Box>
          )}
          {current && (
            <Box sx={{ mb: 1.5 }}>
              <LabelForm dataset={current} onFinished={labelled} />
            </Box>
          )}
          {page ? (
            <>
              <QuestionTable page={page} />
              {page.total > page.questions.length && (
                <Typography variant="caption" color="text.secondary">
                  First {page.questions.length} of {page.total}; export the dataset (medssr export) for all.
                </Typography>
              )}
            </>
          ) : (
            <Typography color="text.secondary">No dataset yet: set a plan and generate.</Typography>
          )}
        </PanelSection>
      </Box>
    </Box>
  );
}
