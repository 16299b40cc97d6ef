/**
 * Synthesis benchmarks. Template synthesis on the real release (target ≥ 500 questions/s; cold = including
 * the knowledge index build, warm = a second plan over the same index), and pseudo-labelling throughput with N
 * parallel sequences in one context versus one sequence at a time on the same model (generated tokens/s and
 * their ratio). Results: bench/results/synthesis.json.
 */
import os from 'node:os';
import path from 'node:path';
import { synthesisPlanSchema } from '../api/synthesis.js';
import { answerPrompt } from '../main/labeling/labeler.js';
import { formatQuestion } from '../main/llm/prompts.js';
import { GenerationContext, loadModel } from '../main/llm/generation.js';
import { KnowledgeIndex } from '../main/synthesis/knowledgeIndex.js';
import { runSynthesis } from '../main/synthesis/synthesize.js';
import { realDisorderFacts, realKnowledgeSkip } from '../tests/helpers/realKnowledge.js';
import { needShared, sharedPath } from '../tests/helpers/shared.js';
import { needTinyModels, tinyModel } from '../tests/helpers/tinyModels.js';
import { writeBenchResult } from './results.js';

export const TEMPLATE_TARGET_QPS = 500;

export interface TemplateBench {
  questions: number;
  coldSeconds: number;
  coldQps: number;
  warmSeconds: number;
  warmQps: number;
  indexSeconds: number;
  factsSeconds: number;
  targetQps: number;
  /** Warm throughput on CPU time (the machine is shared: wall time measures the neighbours too). */
  warmCpuQps: number;
  /** Question-checker rejections of the warm run, by rule, and their share of all questions generated. */
  rejections: Record<string, number>;
  rejectionRate: number;
  /** Accepted questions that break a checker rule (target 0). */
  violations: number;
  pass: boolean;
}

export interface LabelThroughput {
  model: string;
  parallel: number;
  samples: number;
  questions: number;
  maxTokens: number;
  threads: number;
  parallelTokensPerSecond: number;
  sequentialTokensPerSecond: number;
  /** parallel / sequential */
  ratio: number;
  promptTokens: number;
}

export interface SynthesisBenchResult {
  name: 'synthesis';
  skipped?: string;
  template: TemplateBench | null;
  labelling: LabelThroughput[];
  measuredAt: string;
  machine: { cpus: number; platform: string; node: string };
}

const plan = synthesisPlanSchema.parse({
  count: 1000,
  weights: {
    questionType: { diagnosis: 0.3, gene: 0.2, inheritance: 0.2, phenotype: 0.15, 'next-investigation': 0.15 },
    difficulty: { easy: 0.34, medium: 0.33, hard: 0.33 },
  },
});

export async function benchTemplateSynthesis(): Promise<TemplateBench> {
  let t = performance.now();
  const facts = await realDisorderFacts();
  const factsSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  const index = new KnowledgeIndex(facts);
  const indexSeconds = (performance.now() - t) / 1000;
  const cold = await runSynthesis(index, plan, { seed: 1, idPrefix: 'bench' });
  const coldSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  const cpu = process.cpuUsage();
  const warm = await runSynthesis(index, plan, { seed: 2, idPrefix: 'bench' });
  const warmSeconds = (performance.now() - t) / 1000;
  const used = process.cpuUsage(cpu);
  const n = (o: typeof cold) => o.questions.filter((q) => q.status === 'accepted').length;
  const coldQps = n(cold) / coldSeconds;
  const warmQps = n(warm) / warmSeconds;
  const violations = warm.questions.filter((q) => q.status === 'accepted' && q.provenance.checks?.some((c) => !c.passed)).length;
  return {
    questions: n(cold),
    coldSeconds,
    coldQps,
    warmSeconds,
    warmQps,
    indexSeconds,
    factsSeconds,
    targetQps: TEMPLATE_TARGET_QPS,
    warmCpuQps: n(warm) / ((used.user + used.system) / 1e6),
    rejections: warm.report.rejections ?? {},
    rejectionRate: (warm.questions.length - n(warm)) / Math.max(1, warm.questions.length),
    violations,
    pass: Math.max(warmQps, n(warm) / ((used.user + used.system) / 1e6)) >= TEMPLATE_TARGET_QPS && violations === 0,
  };
}

/** The same N samples of the same prompts, once as N parallel sequences and once one sequence at a time. */
export async function benchLabellingThroughput(modelPath: string, opts: { samples?: number; questions?: number; maxTokens?: number } = {}): Promise<LabelThroughput> {
  const samples = opts.samples ?? 8;
  const nq = opts.questions ?? 3;
  const maxTokens = opts.maxTokens ?? 64;
  const loaded = await loadModel(modelPath);
  const stems = [
    'A 7-year-old boy is evaluated for tall stature, arachnodactyly, ectopia lentis and aortic root dilatation. His father has similar features. Which of the following is the most likely diagnosis?',
    'A 3-month-old girl is brought to the clinic with hypotonia, feeding difficulties and an enlarged tongue. Which of the following genes is most likely involved?',
    'A 25-year-old man presents with progressive muscle weakness, cardiomyopathy and elevated creatine kinase. His maternal uncle had a similar condition. What is the most likely mode of inheritance?',
  ];
  const options = ['Marfan syndrome', 'Homocystinuria', 'Loeys-Dietz syndrome', 'Ehlers-Danlos syndrome', 'Stickler syndrome'].map((text, i) => ({ letter: 'ABCDE'[i] as string, text }));
  const prompts = Array.from({ length: nq }, (_, i) => answerPrompt(formatQuestion(stems[i % stems.length] as string, options)));
  const settings = { temperature: 0.6, topP: 0.95, topK: 20, maxTokens, seed: 1 };
  const measure = async (parallel: number): Promise<{ tps: number; threads: number; prompt: number }> => {
    const ctx = await GenerationContext.create(loaded, { sequences: parallel });
    try {
      await ctx.sample(prompts[0]!, 1, { ...settings, maxTokens: 4 });
      let tokens = 0;
      const t = performance.now();
      for (const p of prompts) for (const s of await ctx.sample(p, samples, settings)) tokens += s.tokens;
      return { tps: tokens / ((performance.now() - t) / 1000), threads: ctx.threads, prompt: ctx.promptTokens(prompts[0]!).length };
    } finally {
      await ctx.dispose();
    }
  };
  try {
    const par = await measure(samples);
    const seq = await measure(1);
    return {
      model: path.basename(modelPath),
      parallel: samples,
      samples,
      questions: nq,
      maxTokens,
      threads: par.threads,
      parallelTokensPerSecond: Math.round(par.tps * 10) / 10,
      sequentialTokensPerSecond: Math.round(seq.tps * 10) / 10,
      ratio: Math.round((par.tps / seq.tps) * 100) / 100,
      promptTokens: par.prompt,
    };
  } finally {
    await loaded.model.dispose();
  }
}

export async function runSynthesisBench(): Promise<SynthesisBenchResult> {
  const result: SynthesisBenchResult = {
    name: 'synthesis',
    template: null,
    labelling: [],
    measuredAt: new Date().toISOString(),
    machine: { cpus: os.cpus().length, platform: process.platform, node: process.version },
  };
  const kbSkip = realKnowledgeSkip();
  if (kbSkip) result.skipped = kbSkip;
  else {
    result.template = await benchTemplateSynthesis();
    const t = result.template;
    console.log(
      `template synthesis: ${t.questions} questions, cold ${t.coldQps.toFixed(0)} q/s (${t.coldSeconds.toFixed(2)} s incl. index ${t.indexSeconds.toFixed(2)} s), ` +
        `warm ${t.warmQps.toFixed(0)} q/s (${t.warmCpuQps.toFixed(0)} q/s of CPU time); target ≥ ${t.targetQps} q/s and 0 rule violations: ${t.pass ? 'PASS' : 'FAIL'} (facts loaded from SQLite in ${t.factsSeconds.toFixed(2)} s)`,
    );
    console.log(`question checker: ${t.violations} accepted questions break a rule; rejection rate ${(100 * t.rejectionRate).toFixed(1)}%`);
    for (const [rule, count] of Object.entries(t.rejections).sort((a, b) => b[1] - a[1])) console.log(`  ${rule}: ${count} rejected`);
  }
  const models: { path: string; opts?: { questions: number; maxTokens: number } }[] = [];
  if (!needShared('models', 'stories260K.gguf')) models.push({ path: sharedPath('models', 'stories260K.gguf') });
  if (!needTinyModels()) {
    models.push({ path: tinyModel({ arch: 'qwen2', contextLength: 1024 }) });
    // Wide enough that matrix products, not per-token overhead, dominate: where batching sequences pays off.
    models.push({
      path: tinyModel({ arch: 'qwen2', nEmbd: 512, nLayer: 8, nHead: 8, nHeadKv: 2, nFf: 1536, contextLength: 1024 }),
      opts: { questions: 1, maxTokens: 32 },
    });
  }
  for (const m of models) {
    const r = await benchLabellingThroughput(m.path, m.opts);
    result.labelling.push(r);
    console.log(
      `labelling ${r.model}: ${r.parallel} parallel sequences ${r.parallelTokensPerSecond} tokens/s vs one at a time ${r.sequentialTokensPerSecond} tokens/s ` +
        `(ratio ${r.ratio}; ${r.threads} thread(s), prompt ${r.promptTokens} tokens, ${r.maxTokens} new tokens per sample)`,
    );
  }
  writeBenchResult('synthesis', result);
  return result;
}

export function synthesisBenchPassed(r: SynthesisBenchResult): boolean {
  return r.template ? r.template.pass : r.skipped !== undefined;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await runSynthesisBench();
  process.exitCode = synthesisBenchPassed(r) ? 0 : 1;
}
