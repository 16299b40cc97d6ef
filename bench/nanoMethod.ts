/**
 * The proof in miniature (issue 13): does MedSSR's method raise the nano model's accuracy on held-out questions
 * (disorders whose cards it saw in pre-training, questions it never saw)? Per seed, through the app's own Api:
 * 1. the nano model (built, or given with MEDSSR_NANO_MODEL) — single-sample accuracy (mean ± std over 4
 *    generations, the evaluation protocol) and majority-of-8 accuracy (the labelling vote) on the held-out set;
 * 2. pseudo-label accuracy: the majority vote of 8 samples on the stage-1 questions against the intended answer;
 * 3. after stage 1 (GRPO with LoRA on those pseudo-labels) and 4. after stage 2 (GRPO on the stage-2 gold labels):
 *    single-sample accuracy on the held-out set with each stage's final adapter.
 * Then mean ± std over seeds. Targets (reported, never tuned for): majority beats single; stage 1 beats the base
 * by more than 2 std; stage 2 ≥ stage 1. Results: bench/results/nanoMethod.json.
 *
 * Knobs (env): MEDSSR_NANO_SEEDS (default 1,2,3), MEDSSR_NANO_MINUTES (build budget, default 20),
 * MEDSSR_NANO_MODEL (use this model for the first seed; its .questions.json and .card.json beside it),
 * MEDSSR_NANO_STAGE1_STEPS / _STAGE2_STEPS (default 40 / 20), MEDSSR_NANO_DB (a database with an imported
 * knowledge base; default the bundled demo set).
 *
 * The first measurement (30 build steps, 12 + 8 GRPO steps, one seed) met no target and could not be told from
 * noise. The defaults are now the full 20-minute build (400 steps at the fixed 20 steps a minute) and 40 + 20 GRPO
 * steps (each step 2 prompts × 8 completions, so stage 1 sees each of its at most 16 questions 5 times or more),
 * over 3 seeds. Not run yet (the machine was shared); an estimate, not a measurement: on an idle 2-core machine
 * about 10 minutes of build a seed, plus the labelling, the three evaluations and the GRPO steps:
 *   MEDSSR_NANO_SEEDS=1,2,3 npm run bench -- nanoMethod
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseInput } from '../api/contract.js';
import type { DemoBuildResult, DemoModelCard } from '../api/demoModel.js';
import type { EvalRunSummary } from '../api/evaluation.js';
import { synthesisPlanSchema, type PseudoLabel } from '../api/synthesis.js';
import { createApp, type AppRuntime } from '../main/app/index.js';
import { buildCorpus, readCard, sidecarPaths } from '../main/demoModel/index.js';
import { SynthesisRepo } from '../main/synthesis/index.js';
import type { TrainResult } from '../main/training/index.js';
import type { TrainSettings } from '../api/training.js';
import { writeBenchResult } from './results.js';

interface Acc {
  mean: number;
  std: number;
}

export interface NanoSeedResult {
  seed: number;
  model: string;
  buildSteps: number;
  heldOutQuestions: number;
  stage1Questions: number;
  stage2Questions: number;
  base: { single: Acc; majorityOf8: number; invalidShare: number };
  pseudoLabel: { accuracy: number; labelled: number; noAnswer: number };
  stage1: { single: Acc; steps: number; adapter: string | null } | null;
  stage2: { single: Acc; steps: number; adapter: string | null } | null;
  error?: string;
}

const meanStd = (xs: number[]): Acc => {
  const m = xs.reduce((a, b) => a + b, 0) / (xs.length || 1);
  return { mean: m, std: Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length || 1)) };
};

async function waitJob<T>(app: AppRuntime, jobId: string, what: string): Promise<T> {
  const done = await app.context.jobs.waitFor(jobId);
  if (done.state !== 'completed') throw new Error(`${what} ${done.state}: ${done.error ?? ''}`);
  return done.result as T;
}

async function labels(app: AppRuntime, dataset: string): Promise<PseudoLabel[]> {
  const out: PseudoLabel[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await app.handlers['synthesis.questions'](parseInput('synthesis.questions', { dataset, offset, limit: 1000 }));
    for (const q of page.questions) if (q.pseudoLabel) out.push(q.pseudoLabel);
    if (offset + 1000 >= page.total) return out;
  }
}

/** One seed's pipeline, as the bench runs it and as tests/main/demoModel/pipeline.test.ts runs it at small scale. */
export interface NanoSeedOptions {
  seed: number;
  /** Where the split's question files are written. */
  dataDir: string;
  /** A built model (card and questions beside it); else one is built through the Api. */
  model?: string;
  buildMinutes?: number;
  buildSteps?: number;
  /** The build's maxDisorders: the split is rebuilt from the knowledge base with it (default 400, the build's). */
  maxDisorders?: number;
  threads?: number;
  stage1Steps: number;
  stage2Steps: number;
  /** At most this many questions of each split (its first ones); all when absent. */
  limit?: number;
  samples?: number;
  generations?: number;
  maxTokens?: number;
  /** Stage 1 keeps pseudo-labels with at least this vote share (default 0.5). */
  minVoteShare?: number;
  train?: Partial<TrainSettings>;
}

/** What the pipeline made, for a caller that recomputes the reported figures from the stored rows. */
export interface NanoSeedTrace {
  benchmarkId: number;
  evalRuns: { base: number; stage1: number | null; stage2: number | null };
  datasets: { heldOut: string; stage1: string };
  trainRunId: number | null;
  trainJobId: string | null;
}

async function evaluate(app: AppRuntime, benchmarkId: number, model: string, adapter: string | null, label: string, o: { generations: number; maxTokens: number; threads: number }): Promise<{ acc: Acc; invalidShare: number; runId: number }> {
  const { jobId } = await app.handlers['evaluation.start'](
    parseInput('evaluation.start', { benchmarkIds: [benchmarkId], modelPath: model, ...(adapter ? { adapterPath: adapter } : {}), generations: o.generations, promptMode: 'base', threads: o.threads, contextSize: 1024, label, sampling: { maxTokens: o.maxTokens } }),
  );
  await waitJob(app, jobId, `evaluation ${label}`);
  const runs: EvalRunSummary[] = await app.handlers['evaluation.runs']({});
  const run = runs.find((r) => r.jobId === jobId);
  const set = run?.results[0];
  if (!run || !set) throw new Error(`evaluation ${label}: no result`);
  // The evaluation reports percentages; this bench works in fractions.
  const perGen = set.perGeneration.map((g) => g.accuracy / 100);
  return { acc: meanStd(perGen), invalidShare: set.invalid / Math.max(1, set.n * o.generations), runId: run.id };
}

export async function runNanoSeed(app: AppRuntime, o: NanoSeedOptions, onPhase: (partial: NanoSeedResult) => void = () => {}): Promise<{ result: NanoSeedResult; trace: NanoSeedTrace }> {
  const { seed, dataDir } = o;
  const threads = o.threads ?? 2;
  const samples = o.samples ?? 8;
  const ev = { generations: o.generations ?? 4, maxTokens: o.maxTokens ?? 64, threads };
  const cut = <T>(xs: readonly T[]): T[] => (o.limit === undefined ? [...xs] : xs.slice(0, o.limit));
  const r: NanoSeedResult = { seed, model: '', buildSteps: 0, heldOutQuestions: 0, stage1Questions: 0, stage2Questions: 0, base: { single: { mean: NaN, std: NaN }, majorityOf8: NaN, invalidShare: NaN }, pseudoLabel: { accuracy: NaN, labelled: 0, noAnswer: 0 }, stage1: null, stage2: null };
  const trace: NanoSeedTrace = { benchmarkId: 0, evalRuns: { base: 0, stage1: null, stage2: null }, datasets: { heldOut: `nano-heldOut-s${seed}`, stage1: `nano-stage1-s${seed}` }, trainRunId: null, trainJobId: null };
  let model: string;
  let card: DemoModelCard | null;
  if (o.model) {
    model = path.resolve(o.model);
    card = readCard(sidecarPaths(model).card);
    if (!card) throw new Error(`${o.model} has no card beside it`);
    if (card.seed !== seed) throw new Error(`${o.model} was built with seed ${card.seed}, not ${seed}`);
  } else {
    const { jobId } = await app.handlers['demoModel.build'](parseInput('demoModel.build', { minutes: o.buildMinutes ?? 20, ...(o.buildSteps ? { steps: o.buildSteps } : {}), seed, threads, register: false }));
    const b = await waitJob<DemoBuildResult>(app, jobId, `build seed ${seed}`);
    model = b.path;
    card = readCard(b.cardPath);
  }
  if (!card) throw new Error('no card');
  r.model = model;
  r.buildSteps = card.steps;
  console.log(`seed ${seed}: model ${model} (${card.steps} steps, final loss ${card.lossCurve.at(-1)?.loss})`);

  // The split's questions, rebuilt from the knowledge base exactly as the build made them (same seed).
  const corpus = buildCorpus(app.context.knowledge.listDisorderFacts(), { seed, maxDisorders: o.maxDisorders ?? 400 });
  if (JSON.stringify(corpus.split.heldOut) !== JSON.stringify(card.split.heldOut)) throw new Error(`the knowledge base's split differs from the one ${path.basename(model)} was built on`);
  const qs = { stage1: cut(corpus.questions.stage1), heldOut: cut(corpus.questions.heldOut), stage2: cut(corpus.questions.stage2) };
  const repo = new SynthesisRepo(app.context.db);
  for (const split of ['stage1', 'heldOut'] as const) {
    const n = qs[split].length;
    const ds = repo.createDataset({ name: `nano-${split}-s${seed}`, generator: 'template', model: null, seed, plan: synthesisPlanSchema.parse({ count: Math.max(1, n) }), params: { bench: 'nanoMethod' }, knowledgeVersion: null, jobId: null });
    repo.insertQuestions(ds.id, qs[split].map((q, k) => ({ ...q.source, status: 'accepted', rejectReason: null, seq: k + 1 })));
    repo.complete(ds.id, { count: n, planned: n, achievable: n, achieved: n, cells: [], dimensions: [], labels: {} });
  }
  r.heldOutQuestions = qs.heldOut.length;
  r.stage1Questions = qs.stage1.length;
  r.stage2Questions = qs.stage2.length;
  const all = JSON.parse(readFileSync(sidecarPaths(model).questions, 'utf8')) as { id: string; name: string }[];
  const keep = (name: string, ids: readonly { id: string }[]) => {
    const want = new Set(ids.map((q) => q.id));
    return all.filter((q) => q.name === name && want.has(q.id));
  };
  const heldFile = path.join(dataDir, `nano-heldout-s${seed}.json`);
  const s2File = path.join(dataDir, `nano-stage2-s${seed}.json`);
  writeFileSync(heldFile, JSON.stringify(keep('nano-heldout', qs.heldOut).map((q) => ({ ...q, name: `nano-heldout-s${seed}` }))));
  writeFileSync(s2File, JSON.stringify(keep('nano-stage2', qs.stage2)));
  const imported = await app.handlers['evaluation.import'](parseInput('evaluation.import', { path: heldFile }));
  const benchId = imported.sets[0]?.id;
  if (!benchId) throw new Error('held-out set not imported');
  trace.benchmarkId = benchId;

  // 1. Base: majority of N (the labelling vote) and single samples (the evaluation protocol).
  for (const split of ['heldOut', 'stage1'] as const) {
    const { jobId } = await app.handlers['labeling.start'](parseInput('labeling.start', { dataset: `nano-${split}-s${seed}`, modelPath: model, threads, sampling: { samples, maxTokens: ev.maxTokens, seed } }));
    await waitJob(app, jobId, `labelling ${split}`);
  }
  const held = await labels(app, trace.datasets.heldOut);
  r.base.majorityOf8 = held.filter((l) => l.agreesWithIntended === true).length / Math.max(1, r.heldOutQuestions);
  const s1 = await labels(app, trace.datasets.stage1);
  const labelled = s1.filter((l) => l.label !== null);
  r.pseudoLabel = { accuracy: labelled.filter((l) => l.agreesWithIntended === true).length / Math.max(1, labelled.length), labelled: labelled.length, noAnswer: s1.length - labelled.length };
  const base = await evaluate(app, benchId, model, null, `base s${seed}`, ev);
  r.base.single = base.acc;
  r.base.invalidShare = base.invalidShare;
  trace.evalRuns.base = base.runId;
  onPhase(r);
  console.log(`seed ${seed}: base single ${fmt(base.acc)}, majority-of-${samples} ${(100 * r.base.majorityOf8).toFixed(1)}%, pseudo-label accuracy ${(100 * r.pseudoLabel.accuracy).toFixed(1)}% of ${r.pseudoLabel.labelled}`);

  // 3-4. Stage 1 (pseudo-labels) then stage 2 (gold), GRPO with LoRA in one run.
  const { jobId } = await app.handlers['training.start'](
    parseInput('training.start', {
      name: `nano s${seed}`,
      modelPath: model,
      stage1: { dataset: trace.datasets.stage1, minVoteShare: o.minVoteShare ?? 0.5 },
      stage2: { files: [s2File] },
      preset: 'cpu-demo',
      settings: { seed, threads, stage1Steps: o.stage1Steps, stage2Steps: o.stage2Steps, groupSize: 8, promptsPerStep: 2, maxCompletionTokens: 32, loraRank: 8, loraAlpha: 16, lr: 2e-3, heldOut: 0, evalEvery: 0, checkpointEvery: 100, ...o.train },
    }),
  );
  trace.trainJobId = jobId;
  const t = await waitJob<TrainResult>(app, jobId, `training s${seed}`);
  trace.trainRunId = t.runId;
  const adapters = await app.handlers['training.adapters']({});
  const end = (stage: 1 | 2) => adapters.filter((a) => a.runId === t.runId && a.stage === stage && a.kind !== 'checkpoint').sort((a, b) => b.step - a.step)[0]?.path ?? null;
  for (const stage of [1, 2] as const) {
    const adapter = end(stage);
    const e = adapter ? await evaluate(app, benchId, model, adapter, `stage ${stage} s${seed}`, ev) : null;
    const rec = { single: e?.acc ?? { mean: NaN, std: NaN }, steps: stage === 1 ? o.stage1Steps : o.stage2Steps, adapter };
    if (stage === 1) {
      r.stage1 = rec;
      trace.evalRuns.stage1 = e?.runId ?? null;
    } else {
      r.stage2 = rec;
      trace.evalRuns.stage2 = e?.runId ?? null;
    }
    onPhase(r);
    console.log(`seed ${seed}: after stage ${stage} ${e ? fmt(e.acc) : 'no adapter'}`);
  }
  return { result: r, trace };
}

export async function runNanoMethodBench(): Promise<{ seeds: NanoSeedResult[]; summary: Record<string, Acc | number | boolean | string> }> {
  const seeds = (process.env.MEDSSR_NANO_SEEDS ?? '1,2,3').split(',').map(Number);
  const minutes = Number(process.env.MEDSSR_NANO_MINUTES ?? 20);
  const s1Steps = Number(process.env.MEDSSR_NANO_STAGE1_STEPS ?? 40);
  const s2Steps = Number(process.env.MEDSSR_NANO_STAGE2_STEPS ?? 20);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'medssr-nano-bench-'));
  const dbPath = process.env.MEDSSR_NANO_DB ?? path.join(dataDir, 'medssr.db');
  const app = await createApp({ dataDir, dbPath, transport: 'ipc', seedDemo: !process.env.MEDSSR_NANO_DB });
  const results: NanoSeedResult[] = [];
  // Written after every phase, so that a run stopped part-way still leaves what it measured (marked partial).
  const savePartial = (r: NanoSeedResult) => writeBenchResult('nanoMethod', { at: new Date().toISOString(), partial: true, seeds: [...results, r] });
  try {
    for (const [i, seed] of seeds.entries()) {
      const given = i === 0 ? process.env.MEDSSR_NANO_MODEL : undefined;
      // What the seed measured before a failure is kept beside the error.
      let last: NanoSeedResult | null = null;
      try {
        const { result } = await runNanoSeed(app, { seed, dataDir, ...(given ? { model: given } : {}), buildMinutes: minutes, threads: 2, stage1Steps: s1Steps, stage2Steps: s2Steps }, (p) => {
          last = p;
          savePartial(p);
        });
        results.push(result);
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        const empty: NanoSeedResult = { seed, model: given ?? '', buildSteps: 0, heldOutQuestions: 0, stage1Questions: 0, stage2Questions: 0, base: { single: { mean: NaN, std: NaN }, majorityOf8: NaN, invalidShare: NaN }, pseudoLabel: { accuracy: NaN, labelled: 0, noAnswer: 0 }, stage1: null, stage2: null };
        results.push({ ...(last ?? empty), error });
        console.log(`seed ${seed}: failed: ${error}`);
      }
    }
  } finally {
    await app.close();
  }
  const summary = summarizeNano(results, seeds.length);
  writeBenchResult('nanoMethod', { at: new Date().toISOString(), partial: false, seeds: results, summary });
  console.log(JSON.stringify(summary));
  return { seeds: results, summary };
}

/**
 * Mean ± std over seeds. With fewer than two seeds there is no spread over seeds: the std is then the one seed's
 * spread over its 4 generations (said in `stdOver`), never 0, so that "beats by more than 2 std" cannot pass on a
 * zero. Accuracies are fractions.
 */
export function summarizeNano(results: readonly NanoSeedResult[], seedsAsked: number): Record<string, Acc | number | boolean | string> {
  const ok = results.filter((r) => !r.error);
  const bySeeds = ok.length >= 2;
  const over = (f: (r: NanoSeedResult) => Acc | number | undefined): Acc => {
    const vals = ok.map(f).filter((v): v is Acc | number => v !== undefined);
    const means = vals.map((v) => (typeof v === 'number' ? v : v.mean));
    const m = meanStd(means);
    if (bySeeds || vals.length === 0) return m;
    const only = vals[0];
    return { mean: m.mean, std: only === undefined || typeof only === 'number' ? NaN : only.std };
  };
  const base = over((r) => r.base.single);
  const maj = over((r) => r.base.majorityOf8);
  const st1 = over((r) => r.stage1?.single);
  const st2 = over((r) => r.stage2?.single);
  return {
    seedsCompleted: ok.length,
    seedsAsked,
    stdOver: bySeeds ? 'seeds' : 'the 4 generations of the one seed (fewer than 2 seeds completed)',
    baseSingle: base,
    baseMajorityOf8: maj,
    pseudoLabelAccuracy: over((r) => r.pseudoLabel.accuracy),
    stage1Single: st1,
    stage2Single: st2,
    majorityBeatsSingle: maj.mean > base.mean,
    stage1BeatsBaseBy2Std: st1.mean - base.mean > 2 * Math.max(base.std, st1.std),
    stage2AtLeastStage1: st2.mean >= st1.mean,
    note: 'accuracies are fractions; single = mean over 4 generations per seed, then mean ± std over seeds',
  };
}

function fmt(a: Acc): string {
  return `${(100 * a.mean).toFixed(1)} ± ${(100 * a.std).toFixed(1)}%`;
}
