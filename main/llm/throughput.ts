/** Per-job sampling figures from the scheduler's counters: what a job's progress and result report. */
import type { SchedulerStats } from './scheduler.js';

export interface Throughput {
  seconds: number;
  generatedTokens: number;
  generatedTokensPerSecond: number;
  /** Prompt tokens llama.cpp evaluated; a prompt shared by N samples counts once. */
  promptTokensEvaluated: number;
  /** Prompt tokens the samples asked for: evaluated plus those reused from a cache or a shared prompt. */
  promptTokensRequested: number;
  /** Over the job's wall time, like the generated rate (prompts are evaluated while other sequences generate). */
  promptTokensPerSecond: number;
  /** Evaluated prompt tokens per question (null when no question was finished). */
  promptTokensPerQuestion: number | null;
}

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
