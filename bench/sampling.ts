/**
 * Sampling throughput (issue 12): on the same model, thread count and number of sequences, side by side,
 * - generated tokens/s of our generation API (GenerationContext.sample, as labelling and evaluation call it: reproducible
 *   mode, a context per sequence) against a plain
 *   node-llama-cpp loop (every sequence evaluates its prompt and generates, taking the next sample as soon as it
 *   finishes: the best a caller can do with the public API and no prompt sharing); target ≥ 0.9×; the plain loop uses
 *   one context, and on a CPU part of reproducible mode's gain is that its separate contexts evaluate concurrently;
 *   the one-shared-context scheduler is measured beside it;
 * - prompt tokens llama.cpp evaluated per question for N = 8 samples (target: the prompt once, not 8 times);
 * - labelling questions/s (labelQuestion: samples, MedSSR extraction, recovery pass, vote).
 * Models: stories260K (../shared) and a Qwen2.5-0.5B-shaped random model (hidden 896, 14 heads, 2 KV heads,
 * FFN 4864, the real 151,936-token vocabulary, Q8_0) with 2 layers instead of 24 so a run stays within minutes
 * on a 2-core machine; the per-layer shapes are the 0.5B's. Results: bench/results/sampling.json; the figures
 * before the scheduler are kept in bench/results/sampling-before.json (this bench run on commit 81506c2, where
 * questions ran one after another and prompt tokens were counted from node-llama-cpp's token meters).
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { answerPrompt, labelQuestion, type LabelableQuestion } from '../main/labeling/labeler.js';
import { formatQuestion } from '../main/llm/prompts.js';
import { forEachInFlight, questionsInFlight } from '../main/llm/inFlight.js';
import { GenerationContext, loadModel, type LoadedModel, type PromptSpec, type SampleSettings } from '../main/llm/generation.js';
import type { Token } from 'node-llama-cpp';
import { needShared, sharedPath } from '../tests/helpers/shared.js';
import { needTinyModels, tinyModel } from '../tests/helpers/tinyModels.js';
import { writeBenchResult } from './results.js';

export const GENERATION_RATIO_TARGET = 0.9;
const N = 8;

export interface SamplingCase {
  model: string;
  shape: string;
  threads: number;
  sequences: number;
  samples: number;
  questions: number;
  maxTokens: number;
  promptTokens: number;
  plain: { generatedTokens: number; seconds: number; tokensPerSecond: number; promptTokensPerQuestion: number };
  ours: { generatedTokens: number; seconds: number; tokensPerSecond: number; promptTokensPerQuestion: number };
  /** ours / plain */
  generationRatio: number;
  /** The scheduler on one context of `sequences` sequences (faster batching, not reproducible across runs) */
  sharedContext: { generatedTokens: number; seconds: number; tokensPerSecond: number; promptTokensPerQuestion: number; ratioToPlain: number };
  labelling: { questions: number; seconds: number; questionsPerSecond: number; promptTokensPerQuestion: number };
  pass: boolean;
}

export interface SamplingBenchResult {
  name: 'sampling';
  skipped?: string;
  commit: string | null;
  cases: SamplingCase[];
  measuredAt: string;
  machine: { cpus: number; platform: string; node: string; loadAverage: number[] };
}

const allQuestions: LabelableQuestion[] = [
  ['A 4-year-old boy has progressive proximal weakness, calf pseudohypertrophy and a raised creatine kinase. Which gene is most likely involved?', ['DMD', 'SMN1', 'CFTR', 'FBN1']],
  ['A newborn has a musty odour, fair skin and seizures; the heel-prick test shows high phenylalanine. What is the inheritance?', ['Autosomal recessive', 'Autosomal dominant', 'X-linked', 'Mitochondrial']],
  ['A tall adolescent with lens dislocation and aortic root dilatation: which investigation comes next?', ['Echocardiography', 'Muscle biopsy', 'Sweat test', 'EEG']],
  ['Recurrent chest infections, greasy stools and a positive sweat chloride test suggest which disorder?', ['Cystic fibrosis', 'Marfan syndrome', 'Phenylketonuria', 'Duchenne muscular dystrophy']],
].map(([stem, opts], i) => ({
  id: `q${i}`,
  stem: stem as string,
  options: (opts as string[]).map((text, j) => ({ letter: 'ABCD'[j] as string, text })),
  intendedAnswer: 'A',
}));

function settings(maxTokens: number, seed: number): SampleSettings {
  return { temperature: 0.8, topP: 0.95, topK: 40, maxTokens, seed };
}

interface Meter {
  usedInputTokens: number;
}

/** Prompt tokens llama.cpp evaluated so far in this context (input tokens of every sequence). */
function inputTokens(gen: GenerationContext): number {
  return gen.stats().promptTokensEvaluated;
}

/** The plain loop: one context, `sequences` sequences, each takes the next sample and evaluates its whole prompt. */
async function plainLoop(loaded: LoadedModel, threads: number, sequences: number, prompts: Token[][], maxTokens: number) {
  const context = await loaded.model.createContext({ sequences, threads, contextSize: 2048 });
  const seqs = Array.from({ length: sequences }, () => context.getSequence());
  const work: { prompt: Token[]; seed: number }[] = [];
  prompts.forEach((prompt, q) => {
    for (let j = 0; j < N; j++) work.push({ prompt, seed: 1000 * q + j });
  });
  let generated = 0;
  const started = performance.now();
  await Promise.all(
    seqs.map(async (seq) => {
      for (let w = work.shift(); w; w = work.shift()) {
        await seq.clearHistory();
        let n = 0;
        const s = settings(maxTokens, w.seed);
        for await (const token of seq.evaluate(w.prompt, { temperature: s.temperature, topP: s.topP, topK: s.topK, seed: s.seed })) {
          if (loaded.model.isEogToken(token)) break;
          if (++n >= maxTokens) break;
        }
        generated += n;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const input = seqs.reduce((s, q) => s + (q.tokenMeter as unknown as Meter).usedInputTokens, 0);
  await context.dispose();
  return { generatedTokens: generated, seconds, tokensPerSecond: generated / seconds, promptTokensPerQuestion: input / prompts.length };
}

/** The jobs' pattern: several questions in flight on one scheduler, N samples each. */
async function schedulerRun(loaded: LoadedModel, threads: number, sequences: number, specs: PromptSpec[], maxTokens: number, reproducible: boolean) {
  const gen = await GenerationContext.create(loaded, { sequences, threads, contextSize: 2048, reproducible });
  try {
    const input0 = inputTokens(gen);
    let generated = 0;
    const started = performance.now();
    await forEachInFlight([...specs.entries()], questionsInFlight(gen.parallel, N), async ([q, spec]) => {
      for (const s of await gen.sample(spec, N, settings(maxTokens, 1000 * q))) generated += s.tokens;
    });
    const seconds = (performance.now() - started) / 1000;
    return { generatedTokens: generated, seconds, tokensPerSecond: generated / seconds, promptTokensPerQuestion: (inputTokens(gen) - input0) / specs.length };
  } finally {
    await gen.dispose();
  }
}

async function benchCase(modelPath: string, shape: string, maxTokens: number, questions: LabelableQuestion[]): Promise<SamplingCase> {
  const loaded = await loadModel(modelPath);
  const threads = loaded.summary.parameters !== null && loaded.summary.parameters < 50_000_000 ? 1 : os.cpus().length;
  const sequences = N;
  try {
    const specs = questions.map((q) => answerPrompt(formatQuestion(q.stem, q.options)));
    const gen = await GenerationContext.create(loaded, { sequences, threads, contextSize: 2048 });
    const prompts = specs.map((s) => gen.promptTokens(s));
    // Warm-up: first-touch of the weights and buffers is not what either side is measuring.
    await gen.sample(specs[0]!, 2, settings(4, 7));
    await gen.dispose();

    const plain = await plainLoop(loaded, threads, sequences, prompts, maxTokens);

    // Labelling and evaluation run reproducible (one context per sequence, so same seeds give the same text).
    const ours = await schedulerRun(loaded, threads, sequences, specs, maxTokens, true);
    const sharedContext = await schedulerRun(loaded, threads, sequences, specs, maxTokens, false);

    const g3 = await GenerationContext.create(loaded, { sequences, threads, contextSize: 2048, reproducible: true });
    const input1 = inputTokens(g3);
    const started = performance.now();
    await forEachInFlight(questions, questionsInFlight(g3.parallel, N), async (q) => {
      await labelQuestion(g3, q, { samples: N, ...settings(maxTokens, 0) }, { seed: 0 });
    });
    const labelSeconds = (performance.now() - started) / 1000;
    const labelling = {
      questions: questions.length,
      seconds: labelSeconds,
      questionsPerSecond: questions.length / labelSeconds,
      promptTokensPerQuestion: (inputTokens(g3) - input1) / questions.length,
    };
    await g3.dispose();
    const generationRatio = ours.tokensPerSecond / plain.tokensPerSecond;
    return {
      model: loaded.summary.name ?? modelPath,
      shape,
      threads,
      sequences,
      samples: N,
      questions: questions.length,
      maxTokens,
      promptTokens: Math.round(prompts.reduce((s, p) => s + p.length, 0) / prompts.length),
      plain,
      ours,
      generationRatio,
      sharedContext: { ...sharedContext, ratioToPlain: sharedContext.tokensPerSecond / plain.tokensPerSecond },
      labelling,
      pass: generationRatio >= GENERATION_RATIO_TARGET,
    };
  } finally {
    await loaded.model.dispose();
  }
}

function gitCommit(): string | null {
  const r = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

export async function runSamplingBench(): Promise<SamplingBenchResult> {
  process.env.MEDSSR_GPU ??= 'false';
  const result: SamplingBenchResult = {
    name: 'sampling',
    commit: gitCommit(),
    cases: [],
    measuredAt: new Date().toISOString(),
    machine: { cpus: os.cpus().length, platform: process.platform, node: process.version, loadAverage: os.loadavg() },
  };
  const cases: { path: () => string; shape: string; maxTokens: number; questions: number }[] = [];
  const storiesSkip = needShared('models', 'stories260K.gguf');
  if (!storiesSkip) cases.push({ path: () => sharedPath('models', 'stories260K.gguf'), shape: 'stories260K (llama, F32)', maxTokens: 96, questions: 4 });
  const tinySkip = needTinyModels();
  if (!tinySkip) {
    cases.push({
      path: () => tinyModel({ arch: 'qwen2', nEmbd: 896, nLayer: 2, nHead: 14, nHeadKv: 2, nFf: 4864, contextLength: 2048, weightType: 'q8_0', tiedOutput: true, seed: 5 }),
      shape: 'Qwen2.5-0.5B shape, 2 of 24 layers, real vocab, Q8_0, random weights',
      maxTokens: 16,
      questions: 2,
    });
  }
  // SAMPLING_BENCH_ONLY=stories (or qwen) runs one case.
  const only = process.env.SAMPLING_BENCH_ONLY?.toLowerCase();
  if (cases.length === 0) result.skipped = [storiesSkip, tinySkip].filter(Boolean).join('; ');
  for (const c of cases) {
    if (only && !c.shape.toLowerCase().includes(only)) continue;
    const r = await benchCase(c.path(), c.shape, c.maxTokens, allQuestions.slice(0, c.questions));
    result.cases.push(r);
    console.log(
      `${r.shape}: ${r.sequences} sequences, ${r.threads} thread(s), N = ${r.samples}, prompt ${r.promptTokens} tokens, ≤ ${r.maxTokens} new tokens\n` +
        `  generation: ours ${r.ours.tokensPerSecond.toFixed(1)} tokens/s vs plain node-llama-cpp ${r.plain.tokensPerSecond.toFixed(1)} tokens/s = ${r.generationRatio.toFixed(2)}× (target ≥ ${GENERATION_RATIO_TARGET}×: ${r.pass ? 'PASS' : 'FAIL'})\n` +
        `  one shared context (not reproducible): ${r.sharedContext.tokensPerSecond.toFixed(1)} tokens/s = ${r.sharedContext.ratioToPlain.toFixed(2)}× plain\n` +
        `  prompt tokens evaluated per question: ours ${r.ours.promptTokensPerQuestion.toFixed(0)}, plain ${r.plain.promptTokensPerQuestion.toFixed(0)} (prompt ${r.promptTokens})\n` +
        `  labelling: ${r.labelling.questionsPerSecond.toFixed(3)} questions/s (${r.labelling.promptTokensPerQuestion.toFixed(0)} prompt tokens per question)`,
    );
  }
  writeBenchResult(process.env.SAMPLING_BENCH_OUT ?? 'sampling', result);
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await runSamplingBench();
  process.exitCode = r.skipped !== undefined || r.cases.every((c) => c.pass) ? 0 : 1;
}
