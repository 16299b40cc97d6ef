import { Alert, Box, Tab, Tabs, Typography, useTheme } from '@mui/material';
import { useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { PlanDimension, PlanReport } from '../../../../api/synthesis.js';

const dimensionTitles: Record<PlanDimension, string> = {
  questionType: 'Question type',
  branch: 'Classification branch',
  prevalenceClass: 'Prevalence class',
  disorderType: 'Disorder type',
  difficulty: 'Difficulty',
};

/**
 * Why fewer questions are achievable than planned, in the words of what the run does: each combination of
 * values is filled from its own eligible disorders, each answering at most `perDisorderCap` questions there,
 * and a combination that runs out stops short (its shortfall is not moved elsewhere). Null when nothing is short.
 */
export function shortfallSentence(report: PlanReport): string | null {
  if (report.achievable >= report.planned) return null;
  const short = report.cells.filter((c) => c.achievable < c.planned);
  const name = (c: (typeof short)[number]) =>
    Object.values(c.cell)
      .map((v) => report.labels[v] ?? v)
      .join(' · ') || 'the plan';
  const shown = short.slice(0, 3).map((c) =>
    c.eligibleDisorders === 0
      ? `no disorder fits ${name(c)}`
      : `${name(c)} has ${c.eligibleDisorders} eligible ${c.eligibleDisorders === 1 ? 'disorder' : 'disorders'} for ${c.planned} planned${report.perDisorderCap ? ` (at most ${report.perDisorderCap} questions each)` : ''}`,
  );
  const more = short.length > shown.length ? `, and ${short.length - shown.length} more ${short.length - shown.length === 1 ? 'combination' : 'combinations'} fall short` : '';
  return (
    `Only ${report.achievable} of the ${report.planned} planned questions can be built from this knowledge with these constraints: ${shown.join('; ')}${more}. ` +
    `The run will stop at ${report.achievable} (fewer if questions fail a check); the shortfall is not moved to other values.`
  );
}

/** Planned, achievable and (after a run) achieved questions per value of one constrained dimension. */
export function AllocationChart({ report, achieved, loading = false }: { report: PlanReport | null; achieved?: PlanReport | null; loading?: boolean }) {
  const theme = useTheme();
  const dims = report?.dimensions.map((d) => d.dimension) ?? [];
  const [picked, setPicked] = useState<PlanDimension | null>(null);
  const dim = picked && dims.includes(picked) ? picked : (dims[0] ?? null);
  if (!report) {
    return (
      <Typography color="text.secondary" data-testid="allocation-loading">
        Computing the allocation…
      </Typography>
    );
  }
  const shortfall = shortfallSentence(report);
  const shortNote = shortfall && (
    <Alert severity="info" data-testid="allocation-shortfall" sx={{ py: 0, my: 0.5 }}>
      {shortfall}
    </Alert>
  );
  if (!dim) {
    if (loading) return <Typography color="text.secondary" data-testid="allocation-loading">Computing the allocation…</Typography>;
    return (
      <>
        <Typography color="text.secondary">No constrained dimension: every question type, difficulty and class is allowed.</Typography>
        {shortNote}
      </>
    );
  }
  const values = Object.keys(report.dimensions.find((d) => d.dimension === dim)?.planned ?? {});
  const sum = (r: PlanReport | null | undefined, field: 'planned' | 'achievable' | 'achieved', value: string) =>
    (r?.cells ?? []).filter((c) => c.cell[dim] === value).reduce((s, c) => s + c[field], 0);
  const data = values.map((v) => ({
    value: report.labels[v] ?? v,
    planned: sum(report, 'planned', v),
    achievable: sum(report, 'achievable', v),
    ...(achieved ? { achieved: sum(achieved, 'achieved', v) } : {}),
  }));
  return (
    <Box data-testid="allocation-chart">
      <Tabs value={dim} onChange={(_, v: PlanDimension) => setPicked(v)} variant="scrollable" sx={{ minHeight: 36, mb: 1 }}>
        {dims.map((d) => (
          <Tab key={d} value={d} label={dimensionTitles[d]} sx={{ minHeight: 36, textTransform: 'none' }} />
        ))}
      </Tabs>
      <Typography variant="caption" color="text.secondary" data-testid="allocation-summary">
        Planned {report.planned} · achievable {report.achievable}
        {achieved ? ` · achieved ${achieved.achieved}` : ''}
      </Typography>
      {shortNote}
      <Box sx={{ height: 260 }}>
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={data} margin={{ top: 10, right: 16, bottom: 0, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke={theme.palette.divider} />
            <XAxis dataKey="value" tick={{ fill: theme.palette.text.secondary, fontSize: 11 }} interval={0} />
            <YAxis tick={{ fill: theme.palette.text.secondary, fontSize: 12 }} allowDecimals={false} />
            <Tooltip />
            <Legend />
            <Bar dataKey="planned" name="Planned" fill={theme.palette.primary.main} isAnimationActive={false} />
            <Bar dataKey="achievable" name="Achievable" fill={theme.palette.grey[500]} isAnimationActive={false} />
            {achieved && <Bar dataKey="achieved" name="Achieved" fill={theme.palette.success.main} isAnimationActive={false} />}
          </BarChart>
        </ResponsiveContainer>
      </Box>
    </Box>
  );
}
