import { Box, Paper, Typography, useTheme } from '@mui/material';
import { Area, CartesianGrid, ComposedChart, Legend, Line, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { EvalRecord, RunSummary, StepRecord } from '../../../../api/training.js';
import { chartSpecs, runColor, uncataloguedSpecs, type ChartSpec } from './chartSpecs.js';
import { smooth } from './smoothing.js';

interface Props {
  runs: RunSummary[];
  steps: ReadonlyMap<number, StepRecord[]>;
  evals: ReadonlyMap<number, EvalRecord[]>;
  smoothing: number;
}

function fmt(spec: ChartSpec, v: unknown): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '–';
  return spec.format ? spec.format(v) : Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3);
}

function OneChart({ spec, runs, steps, smoothing }: { spec: ChartSpec } & Omit<Props, 'evals'>) {
  const theme = useTheme();
  const primary = runs[0];
  const maxStep = Math.max(0, ...runs.map((r) => steps.get(r.id)?.at(-1)?.step ?? 0));
  const rows: Record<string, number | null | [number, number]>[] = Array.from({ length: maxStep }, (_, i) => ({ step: i + 1 }));
  runs.forEach((r) => {
    const series = steps.get(r.id) ?? [];
    const values = smooth(series.map((s) => spec.value(s)), smoothing);
    series.forEach((s, i) => {
      const row = rows[s.step - 1];
      if (!row) return;
      const v = values[i] ?? null;
      row[`r${r.id}`] = v;
      if (spec.band && r === primary && v !== null) {
        const b = spec.band(s);
        if (b !== null) row.band = [v - b, v + b];
      }
    });
  });
  const boundary = primary && primary.data.stage1 && primary.data.stage2 ? primary.settings.stage1Steps + 0.5 : null;
  return (
    <Paper variant="outlined" sx={{ p: 1, height: 210 }} data-testid={`chart-${spec.key}`} data-points={steps.get(primary?.id ?? -1)?.length ?? 0}>
      <Typography variant="caption" sx={{ fontWeight: 600, pl: 1 }}>
        {spec.title}
      </Typography>
      <ResponsiveContainer width="100%" height="88%">
        <ComposedChart data={rows} margin={{ top: 6, right: 12, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke={theme.palette.divider} />
          <XAxis dataKey="step" type="number" domain={[1, Math.max(2, maxStep)]} tick={{ fill: theme.palette.text.secondary, fontSize: 11 }} allowDecimals={false} />
          <YAxis width={48} tick={{ fill: theme.palette.text.secondary, fontSize: 11 }} tickFormatter={(v: number) => fmt(spec, v)} domain={spec.domain ?? ['auto', 'auto']} />
          <Tooltip formatter={(v) => (Array.isArray(v) ? v.map((x) => fmt(spec, x)).join(' – ') : fmt(spec, v))} labelFormatter={(l) => `step ${String(l)}`} />
          {spec.band && <Area dataKey="band" name="± std" stroke="none" fill={runColor(0)} fillOpacity={0.15} isAnimationActive={false} connectNulls />}
          {runs.map((r, i) => (
            <Line key={r.id} dataKey={`r${r.id}`} name={`#${r.id} ${r.name}`} stroke={runColor(i)} dot={maxStep < 30} strokeWidth={i === 0 ? 2 : 1.5} isAnimationActive={false} connectNulls />
          ))}
          {boundary !== null && <ReferenceLine x={boundary} stroke={theme.palette.warning.main} strokeDasharray="4 3" label={{ value: 'stage 2', fontSize: 10, fill: theme.palette.warning.main, position: 'insideTopRight' }} />}
          {runs.length > 1 && <Legend wrapperStyle={{ fontSize: 11 }} />}
        </ComposedChart>
      </ResponsiveContainer>
    </Paper>
  );
}

function EvalChart({ runs, evals }: Pick<Props, 'runs' | 'evals'>) {
  const theme = useTheme();
  const rows = new Map<string, Record<string, number | string>>();
  runs.forEach((r) => {
    for (const e of evals.get(r.id) ?? []) {
      const k = `${e.step}`;
      const row = rows.get(k) ?? { step: e.step };
      row[`r${r.id}s${e.stage}`] = e.accuracy;
      rows.set(k, row);
    }
  });
  const data = [...rows.values()].sort((a, b) => Number(a.step) - Number(b.step));
  return (
    <Paper variant="outlined" sx={{ p: 1, height: 210 }} data-testid="chart-quick-eval">
      <Typography variant="caption" sx={{ fontWeight: 600, pl: 1 }}>
        Quick evaluation on held-out questions
      </Typography>
      <ResponsiveContainer width="100%" height="88%">
        <ComposedChart data={data} margin={{ top: 6, right: 12, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke={theme.palette.divider} />
          <XAxis dataKey="step" type="number" tick={{ fill: theme.palette.text.secondary, fontSize: 11 }} allowDecimals={false} />
          <YAxis width={48} domain={[0, 1]} tickFormatter={(v: number) => `${Math.round(v * 100)}%`} tick={{ fill: theme.palette.text.secondary, fontSize: 11 }} />
          <Tooltip formatter={(v) => (typeof v === 'number' ? `${(v * 100).toFixed(1)}%` : String(v))} labelFormatter={(l) => `step ${String(l)}`} />
          {runs.flatMap((r, i) =>
            [1, 2].map((stage) => (
              <Line
                key={`${r.id}-${stage}`}
                dataKey={`r${r.id}s${stage}`}
                name={`#${r.id} stage ${stage} data`}
                stroke={runColor(i)}
                strokeDasharray={stage === 2 ? '5 3' : undefined}
                isAnimationActive={false}
                connectNulls
              />
            )),
          )}
          <Legend wrapperStyle={{ fontSize: 11 }} />
        </ComposedChart>
      </ResponsiveContainer>
    </Paper>
  );
}

/** One chart per metric, every shown run overlaid (the first is the primary run: its band and stage boundary). */
export function MetricsCharts(props: Props) {
  return (
    <Box sx={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(330px, 1fr))', gap: 1.5 }} data-testid="training-charts">
      {[...chartSpecs, ...uncataloguedSpecs(props.runs.map((r) => props.steps.get(r.id) ?? []))].map((spec) => (
        <OneChart key={spec.key} spec={spec} runs={props.runs} steps={props.steps} smoothing={props.smoothing} />
      ))}
      <EvalChart runs={props.runs} evals={props.evals} />
    </Box>
  );
}
