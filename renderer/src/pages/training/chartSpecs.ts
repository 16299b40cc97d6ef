/** What the Training page charts: one spec per metric (title, value, axis), and the run colours. */
import type { StepRecord } from '../../../../api/training.js';
import { isTrainingMetric, metricNumber, trainingMetrics, type TrainingMetricName } from '../../../../api/trainingMetrics.js';

export interface ChartSpec {
  key: string;
  title: string;
  /** Value of one step; null when the step lacks it. */
  value: (s: StepRecord) => number | null;
  /** Half-width of a band around the value (reward ± std), primary run only. */
  band?: (s: StepRecord) => number | null;
  format?: (v: number) => string;
  /** Fixed y range for fractions, [0, 'auto'] for quantities that cannot be negative; otherwise fitted to the data. */
  domain?: [number, number | 'auto'];
}

const num = (name: TrainingMetricName) => (s: StepRecord) => metricNumber(s.metrics, name);
const label = (name: TrainingMetricName): string => trainingMetrics[name].label;

// Titles as the catalogue (api/trainingMetrics.ts) names the metrics; the charts only choose which and how.

export const chartSpecs: ChartSpec[] = [
  { key: 'reward', title: 'Reward (mean ± std)', value: num('reward_mean'), band: num('reward_std') },
  { key: 'accuracy', title: label('accuracy'), value: num('accuracy'), format: (v) => `${(v * 100).toFixed(0)}%`, domain: [0, 1] },
  // verl's frac_reward_zero_std: groups whose completions all got the same reward teach nothing.
  { key: 'zero_std', title: label('frac_reward_zero_std'), value: num('frac_reward_zero_std'), format: (v) => `${(v * 100).toFixed(0)}%`, domain: [0, 1] },
  { key: 'kl', title: label('kl'), value: num('kl'), domain: [0, 'auto'] },
  { key: 'entropy', title: label('entropy'), value: num('entropy'), domain: [0, 'auto'] },
  { key: 'clip', title: label('clip_ratio'), value: num('clip_ratio'), domain: [0, 1] },
  { key: 'length', title: `${label('completion_length_mean')} (tokens)`, value: num('completion_length_mean'), domain: [0, 'auto'] },
  { key: 'grad', title: label('grad_norm'), value: num('grad_norm'), domain: [0, 'auto'] },
  // A learning rate is never negative: a fitted axis under a warm-up from 0 drew ticks below zero.
  { key: 'lr', title: label('lr'), value: num('lr'), format: (v) => (v === 0 ? '0' : v.toExponential(1)), domain: [0, 'auto'] },
  { key: 'tps', title: label('tokens_per_s'), value: num('tokens_per_s'), format: (v) => v.toFixed(0), domain: [0, 'auto'] },
  { key: 'memory', title: `${label('peak_memory_bytes')} (MB)`, value: (s) => (num('peak_memory_bytes')(s) ?? NaN) / 2 ** 20, format: (v) => v.toFixed(1), domain: [0, 'auto'] },
  { key: 'time', title: 'Step time (s)', value: (s) => s.timings.totalS, format: (v) => v.toFixed(2), domain: [0, 'auto'] },
];

/**
 * Numeric metrics the runs reported that the catalogue does not know (a newer trainer, say): the bag is open, so
 * they are charted under their raw names rather than dropped.
 */
export function uncataloguedSpecs(steps: Iterable<readonly StepRecord[]>): ChartSpec[] {
  const names = new Set<string>();
  for (const series of steps) for (const s of series) for (const [k, v] of Object.entries(s.metrics)) if (typeof v === 'number' && !isTrainingMetric(k)) names.add(k);
  return [...names].sort().map((name) => ({ key: `extra-${name}`, title: `${name} (not in the catalogue)`, value: (s: StepRecord) => metricNumber(s.metrics, name) }));
}

// Every colour at least 4.5:1 on white: legends are text in the series' colour (MUI's orange #ed6c02 was 3:1).
const palette = ['#1976d2', '#d32f2f', '#2e7d32', '#b45309', '#9c27b0', '#00838f'];
export const runColor = (i: number): string => palette[i % palette.length] as string;
