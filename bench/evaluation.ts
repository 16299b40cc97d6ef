/**
 * Evaluation throughput on stories260K: the full MedSSR protocol (N = 4 sampled generations per question,
 * extraction, one-token recovery pass, storing every generation) through the 'evaluate' job, in questions/s and
 * generated tokens/s, with one sequence per generation and with a single sequence. Questions: the first of
 * PubMedQA when ../shared has it. Results: bench/results/evaluation.json.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../main/app/index.js';
import type { EvaluateJobResult } from '../main/evaluation/evaluateJob.js';
import { needShared, sharedPath } from '../tests/helpers/shared.js';
import { writeBenchResult } from './results.js';

export interface EvalThroughput {
  parallel: number;
  questions: number;
  generations: number;
  maxTokens: number;
  threads: number;
  seconds: number;
  questionsPerSecond: number;
  tokensPerSecond: number;
  recovered: number;
  invalid: number;
}

export interface EvaluationBench {
  model: string;
  dataset: string;
  runs: EvalThroughput[];
  skipped?: string;
}

const QUESTIONS = 24;
const GENERATIONS = 4;
const MAX_TOKENS = 64;

export async function runEvaluationBench(): Promise<EvaluationBench> {
  const skipped = needShared('models', 'stories260K.gguf');
  const out: EvaluationBench = { model: 'stories260K.gguf', dataset: '', runs: [] };
  if (skipped) return { ...out, skipped };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'medssr-bench-eval-'));
  try {
    const pubmed = sharedPath('data', 'benchmarks', 'test_short_pubmedqa.json');
    const file = path.join(dir, 'bench.json');
    let questions: unknown[];
    try {
      questions = (JSON.parse(readFileSync(pubmed, 'utf8')) as unknown[]).slice(0, QUESTIONS);
      out.dataset = `pubmedqa (first ${QUESTIONS})`;
    } catch {
      questions = Array.from({ length: QUESTIONS }, (_, i) => ({ id: `q${i}`, question: `Is statement ${i} true?\nA. yes\nB. no\nC. maybe`, gold: 'ABC'[i % 3], name: 'synthetic' }));
      out.dataset = `synthetic yes/no/maybe (${QUESTIONS})`;
    }
    writeFileSync(file, JSON.stringify(questions));
    const app = await createApp({ dataDir: dir, dbPath: path.join(dir, 'medssr.db'), transport: 'ipc' });
    try {
      const imported = await app.handlers['evaluation.import']({ path: file });
      for (const parallel of [GENERATIONS, 1]) {
        const { jobId } = await app.handlers['evaluation.start']({
          benchmarkIds: imported.sets.map((s) => s.id),
          modelPath: sharedPath('models', 'stories260K.gguf'),
          generations: GENERATIONS,
          sampling: { temperature: 0.6, topP: 0.95, topK: 20, maxTokens: MAX_TOKENS, seed: 42 },
          threads: 1,
          parallel,
          adapterScale: 1,
          recovery: true,
          recoveryMethod: 'grammar',
          promptMode: 'auto',
        });
        const job = await app.context.jobs.waitFor(jobId);
        if (job.state !== 'completed') throw new Error(`evaluation job ${job.state}: ${job.error}`);
        const r = job.result as EvaluateJobResult;
        const set = r.results[0];
        out.runs.push({
          parallel: r.parallel,
          questions: r.questions,
          generations: GENERATIONS,
          maxTokens: MAX_TOKENS,
          threads: r.threads,
          seconds: r.seconds,
          questionsPerSecond: r.questionsPerSecond,
          tokensPerSecond: r.tokensPerSecond,
          recovered: set?.recovered ?? 0,
          invalid: set?.invalid ?? 0,
        });
        console.log(
          `evaluation, ${r.parallel} parallel sequence(s): ${r.questions} questions × ${GENERATIONS} generations in ${r.seconds.toFixed(2)} s = ` +
            `${r.questionsPerSecond} questions/s, ${r.tokensPerSecond} tokens/s (recovered ${set?.recovered}, invalid ${set?.invalid})`,
        );
      }
    } finally {
      await app.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  writeBenchResult('evaluation', { name: 'evaluation', measuredAt: new Date().toISOString(), ...out });
  return out;
}
