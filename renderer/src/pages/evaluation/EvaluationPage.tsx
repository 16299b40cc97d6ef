import { Alert, Box } from '@mui/material';
import { useCallback, useEffect, useState } from 'react';
import type { BenchmarkSummary, EvalRunSummary } from '../../../../api/evaluation.js';
import { incomparableReasons, notAResult } from '../../../../api/evaluationTruth.js';
import { useApi, useApiEvents } from '../../api/ApiContext.js';
import { nanoCaveat, NanoDemoNote, useNanoDemo } from '../../components/NanoDemo.js';
import { PanelSection } from '../../components/PanelSection.js';
import { BenchmarkPanel } from './BenchmarkPanel.js';
import { CompareChart } from './CompareChart.js';
import { DrillDown } from './DrillDown.js';
import { RunForm } from './RunForm.js';
import { RunsTable } from './RunsTable.js';
import { AdapterOverlap } from './AdapterOverlap.js';

/** Benchmarks under the MedSSR protocol: import sets, run a model (+ adapter), compare two runs. */
export function EvaluationPage() {
  const api = useApi();
  const [benchmarks, setBenchmarks] = useState<BenchmarkSummary[]>([]);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [runs, setRuns] = useState<EvalRunSummary[]>([]);
  const [pick, setPick] = useState<{ before: number | null; after: number | null }>({ before: null, after: null });
  const nano = useNanoDemo();
  const [preset, setPreset] = useState<{ modelPath: string; nonce: number } | null>(null);
  const [exampleNote, setExampleNote] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    const [b, r] = await Promise.all([api.call('evaluation.benchmarks', {}), api.call('evaluation.runs', {})]);
    setBenchmarks(b);
    setRuns(r);
  }, [api]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  // Results fill in while a run goes on: refresh (at most every 2 s) on evaluate-job progress.
  const [lastRefresh, setLastRefresh] = useState(0);
  useApiEvents((e) => {
    if (e.type !== 'job' || e.job.kind !== 'evaluate') return;
    const now = Date.now();
    if (e.job.state === 'running' && now - lastRefresh < 2000) return;
    setLastRefresh(now);
    void refresh();
  });

  // By default compare the two most recent runs that are results (older as before); a failed or unfinished
  // run is never picked, and a pick that stopped being a result (it was running) falls back too.
  const results = runs.filter((r) => notAResult(r) === null);
  const picked = (id: number | null) => results.find((r) => r.id === id);
  const after = picked(pick.after) ?? results[0] ?? null;
  const before = picked(pick.before) ?? results.find((r) => r.id !== after?.id && incomparableReasons(r, after ?? r).length === 0) ?? results.find((r) => r.id !== after?.id) ?? null;
  const reasons = before && after ? incomparableReasons(before, after) : [];
  const comparable = before && after && reasons.length === 0 ? { before, after } : null;

  return (
    <Box sx={{ height: '100%', overflowY: 'auto', p: 3 }} data-testid="evaluation-page">
      <Box sx={{ maxWidth: 1280 }}>
        <Box sx={{ mb: 2 }}>
          <NanoDemoNote
            demo={nano}
            testId="eval-nano"
            present={(m) =>
              `Example: evaluate the nano demo model ${m.name} on its held-out questions (disorders whose cards it read, questions it never saw), then again with the adapter a training run wrote, and compare before and after below. ${nanoCaveat}`
            }
            absent={
            <>
              No nano demo model is built. A model that never writes “The answer is” (such as stories260K) gets every answer from the recovery pass, so its accuracy sits near chance and a before/after comparison shows noise. Build one from the Knowledge page, or with <code>npx medssr demo-model build</code>.
            </>
          }
            action={{
              label: 'Load the example',
              run: async (ex) => {
                const r = await api.call('evaluation.import', { path: ex.heldOut.path });
                setSelected(new Set(r.sets.map((x) => x.id)));
                setPreset({ modelPath: ex.model, nonce: Date.now() });
                setExampleNote(`${ex.heldOut.questions} held-out questions selected and ${ex.model.split(/[\\/]/).pop() ?? ex.model} filled in: press Evaluate for the "before" run; after training, pick the adapter and evaluate again.`);
                await refresh();
              },
            }}
          />
          {exampleNote && (
            <Alert severity="info" sx={{ mt: 1 }} data-testid="eval-nano-loaded">
              {exampleNote}
            </Alert>
          )}
        </Box>
        <PanelSection title="Benchmark sets">
          <BenchmarkPanel
            benchmarks={benchmarks}
            selected={selected}
            onToggle={(id) => setSelected((s) => { const n = new Set(s); if (n.has(id)) n.delete(id); else n.add(id); return n; })}
            onImported={(ids) => {
              setSelected((s) => new Set([...s, ...ids]));
              void refresh();
            }}
          />
        </PanelSection>
        <PanelSection title="Run the MedSSR protocol">
          <RunForm benchmarkIds={[...selected]} onFinished={() => void refresh()} preset={preset} />
        </PanelSection>
        <PanelSection title="Results" testId="eval-results-section">
          <RunsTable runs={runs} before={before?.id ?? null} after={after?.id ?? null} onPick={(which, id) => setPick((p) => ({ ...p, [which]: id }))} />
          {[after, before].map(
            (r) =>
              r?.adapterPath && (
                <Box key={r.id} sx={{ mt: 1 }}>
                  <AdapterOverlap adapterPath={r.adapterPath} benchmarkIds={r.results.map((x) => x.benchmarkId)} label={`Run #${r.id}`} testId={`eval-run-overlap-${r.id}`} />
                </Box>
              ),
          )}
        </PanelSection>
        {before && after && reasons.length > 0 && (
          <Alert severity="warning" sx={{ mb: 2 }} data-testid="eval-not-comparable">
            Runs #{before.id} and #{after.id} are not compared: {reasons.join('; ')}.
          </Alert>
        )}
        {!comparable && results.length < 2 && runs.length > 0 && (
          <Alert severity="info" sx={{ mb: 2 }} data-testid="eval-no-comparison">
            A before/after comparison needs two completed runs over the same sets; {results.length === 1 ? 'there is one' : 'there is none yet'}.
          </Alert>
        )}
        {comparable && (
          <>
            <PanelSection title="Before / after per set">
              <CompareChart before={comparable.before} after={comparable.after} />
            </PanelSection>
            <PanelSection title="Per question: what changed">
              <DrillDown key={`${comparable.before.id}-${comparable.after.id}`} before={comparable.before} after={comparable.after} />
            </PanelSection>
          </>
        )}
      </Box>
    </Box>
  );
}
