import { Box, Typography, useTheme } from '@mui/material';
import { Bar, BarChart, CartesianGrid, ErrorBar, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { EvalRunSummary } from '../../../../api/evaluation.js';

/** Mean accuracy per set for the two chosen runs, with the std over generations as error bars. */
export function CompareChart({ before, after }: { before: EvalRunSummary; after: EvalRunSummary }) {
  const theme = useTheme();
  const names = [...new Set([...before.results, ...after.results].map((r) => r.name))];
  const data = names.map((name) => {
    const b = before.results.find((r) => r.name === name);
    const a = after.results.find((r) => r.name === name);
    return { name, before: b?.accuracyMean ?? null, beforeStd: b?.accuracyStd ?? 0, after: a?.accuracyMean ?? null, afterStd: a?.accuracyStd ?? 0 };
  });
  return (
    <Box data-testid="eval-compare-chart" sx={{ height: 280 }}>
      <Typography variant="caption" color="text.secondary">
        Before: #{before.id} {before.label} · After: #{after.id} {after.label}
      </Typography>
      <ResponsiveContainer width="100%" height="92%">
        <BarChart data={data} margin={{ top: 10, right: 16, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke={theme.palette.divider} />
          <XAxis dataKey="name" tick={{ fill: theme.palette.text.secondary, fontSize: 12 }} />
          <YAxis domain={[0, 100]} unit="%" tick={{ fill: theme.palette.text.secondary, fontSize: 12 }} />
          <Tooltip formatter={(v) => (typeof v === 'number' ? `${v.toFixed(2)} %` : String(v))} />
          {/* Before first, as read left to right; the default sorts by name. */}
          {/* Legend text in the text colour: the bar colours alone are too light to read on the paper (contrast). */}
          <Legend itemSorter={null} formatter={(value: string) => <span style={{ color: theme.palette.text.primary }}>{value}</span>} />
          <Bar dataKey="before" name={`Before (#${before.id})`} fill={theme.palette.grey[600]} isAnimationActive={false}>
            <ErrorBar dataKey="beforeStd" width={4} stroke={theme.palette.text.primary} />
          </Bar>
          <Bar dataKey="after" name={`After (#${after.id})`} fill={theme.palette.primary.main} isAnimationActive={false}>
            <ErrorBar dataKey="afterStd" width={4} stroke={theme.palette.text.primary} />
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </Box>
  );
}
