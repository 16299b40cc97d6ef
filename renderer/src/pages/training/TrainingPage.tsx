import { Alert, Box, Slider, Stack, Typography } from '@mui/material';
import { useMemo, useState } from 'react';
import type { EvalRecord } from '../../../../api/training.js';
import { PanelSection } from '../../components/PanelSection.js';
import { AdaptersPanel } from './AdaptersPanel.js';
import { LogPanel } from './LogPanel.js';
import { MetricsCharts } from './MetricsCharts.js';
import { RunForm } from './RunForm.js';
import { RunsTable } from './RunsTable.js';
import { trainerDeviceView } from './trainerDevice.js';
import { useTrainingData } from './useTrainingData.js';

/** Two-stage GRPO: start a run, watch its metrics live, compare runs, export adapters and verl input. */
export function TrainingPage() {
  const [picked, setPicked] = useState<number[] | null>(null);
  const [smoothing, setSmoothing] = useState(0);
  const [pendingJob, setPendingJob] = useState<string | null>(null);
  const { runs, shown, steps, details, logs } = useTrainingData(picked, pendingJob);
  const shownRuns = shown.map((id) => runs.find((r) => r.id === id)).filter((r) => r !== undefined);
  const evals = useMemo(() => new Map<number, EvalRecord[]>([...details].map(([id, d]) => [id, d.evals])), [details]);
  const stepsTotal = [...steps.values()].reduce((n, s) => n + s.length, 0);
  const primary = shownRuns[0];
  const device = primary ? trainerDeviceView(details.get(primary.id)?.trainer) : null;

  const toggle = (id: number) => setPicked((cur) => {
    const base = cur ?? shown;
    return base.includes(id) ? base.filter((x) => x !== id) : [...base, id];
  });

  return (
    <Box sx={{ height: '100%', overflowY: 'auto', p: 3 }} data-testid="training-page">
      <Box sx={{ maxWidth: 1440 }}>
        <PanelSection title="New run">
          <RunForm
            onStarted={(jobId) => {
              setPendingJob(jobId);
              setPicked(null);
            }}
          />
        </PanelSection>
        {shownRuns[0]?.learning.none && (
          <Alert severity="warning" sx={{ mb: 2 }} data-testid="training-no-signal">
            Run #{shownRuns[0].id} {shownRuns[0].state === 'completed' ? 'completed — no learning signal' : 'has no learning signal so far'}: {shownRuns[0].learning.reason}.
            {shownRuns[0].state === 'completed' ? ' Its adapters are marked: they are not expected to behave differently from the base model.' : ''}
          </Alert>
        )}
        <PanelSection title="Runs" testId="training-runs-section">
          {runs.length === 0 ? <Typography variant="body2">No training runs yet.</Typography> : <RunsTable runs={runs} shown={shown} onToggle={toggle} />}
        </PanelSection>
        <PanelSection
          title="Metrics"
          testId="training-metrics"
          right={
            <Stack direction="row" spacing={1} sx={{ alignItems: 'center', width: 260 }}>
              <Typography variant="caption">Smoothing {smoothing.toFixed(2)}</Typography>
              <Slider size="small" min={0} max={0.95} step={0.05} value={smoothing} onChange={(_, v) => setSmoothing(v as number)} aria-label="Smoothing" />
            </Stack>
          }
        >
          {shownRuns.length === 0 ? <Typography variant="body2">Tick a run to see its metrics.</Typography> : <MetricsCharts runs={shownRuns} steps={steps} evals={evals} smoothing={smoothing} />}
        </PanelSection>
        {primary && (
          <Box sx={{ mb: 2 }} data-testid="training-device">
            <Typography variant="body2">
              Run #{primary.id} {device ? `trained on ${device.line}` : `(${primary.settings.backend} requested): no trainer has reported its device yet`}
            </Typography>
            {device?.notUsed.map((why) => (
              <Typography key={why} variant="caption" color="text.secondary" component="div">
                Not used: {why}
              </Typography>
            ))}
          </Box>
        )}
        <PanelSection title={shownRuns[0] ? `Log of run #${shownRuns[0].id}` : 'Log'}>
          <LogPanel lines={logs} />
        </PanelSection>
        <PanelSection title="Adapters and hand-off" testId="training-adapters-section">
          <AdaptersPanel runs={runs} version={stepsTotal + runs.length} />
        </PanelSection>
      </Box>
    </Box>
  );
}
