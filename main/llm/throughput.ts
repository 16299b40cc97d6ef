/** Per-job sampling figures from the scheduler's counters: what a job's progress and result report. */
import type { SchedulerStats } from './scheduler.js';
import type { Throughput } from '../../api/synthesis.js';

export type { Throughput };


const round1 = (x: number): number => Math.round(x * 10) / 10;

export function throughput(s: SchedulerStats, seconds: number, questions = 0): Throughput {
  const secs = Math.max(seconds, 1e-3);
  return {
    seconds: round1(seconds),
    generatedTokens: s.generatedTokens,
    generatedTokensPerSecond: round1(s.generatedTokens / secs),
    promptTokensEvaluated: s.promptTokensEvaluated,
    promptTokensRequested: s.promptTokensRequested,
    promptTokensPerSecond: round1(s.promptTokensEvaluated / secs),
    promptTokensPerQuestion: questions > 0 ? round1(s.promptTokensEvaluated / questions) : null,
  };
}

export function throughputMessage(t: Throughput): string {
  return `${Math.round(t.generatedTokensPerSecond)} generated tokens/s, ${t.promptTokensEvaluated} of ${t.promptTokensRequested} prompt tokens evaluated`;
}
