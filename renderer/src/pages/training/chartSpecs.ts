/** What the Training page charts: one spec per metric (title, value, axis), and the run colours. */
import type { StepRecord } from '../../../../api/training.js';

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

const num = (k: string) => (s: StepRecord) => {
  const v = s.metrics[k];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
};

export const chartSpecs: ChartSpec[] = [
  { key: 'reward', title: 'Reward (mean ± std)', value: num('reward_mean'), band: num('reward_std') },
  { key: 'accuracy', title: 'Accuracy against the label', value: num('accuracy'), format: (v) => `${(v * 100).toFixed(0)}%`, domain: [0, 1] },
  // verl's frac_reward_zero_std: groups whose completions all got the same reward teach nothing.
  { key: 'zero_std', title: 'Groups with equal rewards (no learning signal)', value: num('frac_reward_zero_std'), format: (v) => `${(v * 100).toFixed(0)}%`, domain: [0, 1] },
  { key: 'kl', title: 'KL to the base', value: num('kl'), domain: [0, 'auto'] },
  { key: 'entropy', title: 'Entropy', value: num('entropy'), domain: [0, 'auto'] },
  { key: 'clip', title: 'Clip ratio', value: num('clip_ratio'), domain: [0, 1] },
  { key: 'length', title: 'Completion length (tokens)', value: num('completion_length_mean'), domain: [0, 'auto'] },
  { key: 'grad', title: 'Grad norm', value: num('grad_norm'), domain: [0, 'auto'] },
  // A learning rate is never negative: a fitted axis under a warm-up from 0 drew ticks below zero.
  { key: 'lr', title: 'Learning rate', value: num('lr'), format: (v) => (v === 0 ? '0' : v.toExponential(1)), domain: [0, 'auto'] },
  { key: 'tps', title: 'Trainer tokens/s', value: num('tokens_per_s'), format: (v) => v.toFixed(0), domain: [0, 'auto'] },
  { key: 'memory', title: 'Trainer peak memory (MB)', value: (s) => (num('peak_memory_bytes')(s) ?? NaN) / 2 ** 20, format: (v) => v.toFixed(1), domain: [0, 'auto'] },
  { key: 'time', title: 'Step time (s)', value: (s) => s.timings.totalS, format: (v) => v.toFixed(2), domain: [0, 'auto'] },
];

// Every colour at least 4.5:1 on white: legends are text in the series' colour (MUI's orange #ed6c02 was 3:1).
const palette = ['#1976d2', '#d32f2f', '#2e7d32', '#b45309', '#9c27b0', '#00838f'];
export const runColor = (i: number): string => palette[i % palette.length] as string;
