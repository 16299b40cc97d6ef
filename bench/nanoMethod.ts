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
 * MEDSSR_NANO_STAGE1_STEPS / _STAGE2_STEPS (default 12 / 8), MEDSSR_NANO_DB (a database with an imported
 * knowledge base; default the bundled demo set).
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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

async function evaluate(app: AppRuntime, benchmarkId: number, model: string, adapter: string | null, label: string): Promise<{ acc: Acc; invalidShare: number }> {
  const { jobId } = await app.handlers['evaluation.start'](
    parseInput('evaluation.start', { benchmarkIds: [benchmarkId], modelPath: model, ...(adapter ? { adapterPath: adapter } : {}), generations: 4, promptMode: 'base', threads: 2, contextSize: 1024, label, sampling: { maxTokens: 64 } }),
  );
  await waitJob(app, jobId, `evaluation ${label}`);
  const runs: EvalRunSummary[] = await app.handlers['evaluation.runs']({});
  const run = runs.find((r) => r.jobId === jobId);
  const set = run?.results[0];
  if (!set) throw new Error(`evaluation ${label}: no result`);
  // The evaluation reports percentages; this bench works in fractions.
  const perGen = set.perGeneration.map((g) => g.accuracy / 100);
  return { acc: meanStd(perGen), invalidShare: set.invalid / Math.max(1, set.n * 4) };
}

export async function runNanoMethodBench(): Promise<{ seeds: NanoSeedResult[]; summary: Record<string, Acc | number | boolean | string> }> {
  const seeds = (process.env.MEDSSR_NANO_SEEDS ?? '1,2,3').split(',').map(Number);
  const minutes = Number(process.env.MEDSSR_NANO_MINUTES ?? 20);
  const s1Steps = Number(process.env.MEDSSR_NANO_STAGE1_STEPS ?? 12);
  const s2Steps = Number(process.env.MEDSSR_NANO_STAGE2_STEPS ?? 8);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'medssr-nano-bench-'));
  const dbPath = process.env.MEDSSR_NANO_DB ?? path.join(dataDir, 'medssr.db');
  const app = await createApp({ dataDir, dbPath, transport: 'ipc', seedDemo: !process.env.MEDSSR_NANO_DB });
  const results: NanoSeedResult[] = [];
  // Written after every phase, so that a run stopped part-way still leaves what it measured (marked partial).
  const savePartial = () => writeBenchResult('nanoMethod', { at: new Date().toISOString(), partial: true, seeds: results });
  try {
    for (const [i, seed] of seeds.entries()) {
      const r: NanoSeedResult = { seed, model: '', buildSteps: 0, heldOutQuestions: 0, stage1Questions: 0, stage2Questions: 0, base: { single: { mean: NaN, std: NaN }, majorityOf8: NaN, invalidShare: NaN }, pseudoLabel: { accuracy: NaN, labelled: 0, noAnswer: 0 }, stage1: null, stage2: null };
      results.push(r);
      try {
        let model: string;
        let card: DemoModelCard | null;
        const given = i === 0 ? process.env.MEDSSR_NANO_MODEL : undefined;
        if (given) {
          model = path.resolve(given);
          card = readCard(sidecarPaths(model).card);
          if (!card) throw new Error(`${given} has no card beside it`);
          if (card.seed !== seed) throw new Error(`${given} was built with seed ${card.seed}, not ${seed}`);
        } else {
          const { jobId } = await app.handlers['demoModel.build'](parseInput('demoModel.build', { minutes, seed, register: false }));
          const b = await waitJob<DemoBuildResult>(app, jobId, `build seed ${seed}`);
          model = b.path;
          card = readCard(b.cardPath);
        }
        if (!card) throw new Error('no card');
        r.model = model;
        r.buildSteps = card.steps;
        console.log(`seed ${seed}: model ${model} (${card.steps} steps, final loss ${card.lossCurve.at(-1)?.loss})`);

        // The split's questions, rebuilt from the knowledge base exactly as the build made them (same seed).
        const corpus = buildCorpus(app.context.knowledge.listDisorderFacts(), { seed, maxDisorders: 400 });
        const repo = new SynthesisRepo(app.context.db);
        for (const split of ['stage1', 'heldOut'] as const) {
          const n = corpus.questions[split].length;
          const ds = repo.createDataset({ name: `nano-${split}-s${seed}`, generator: 'template', model: null, seed, plan: synthesisPlanSchema.parse({ count: Math.max(1, n) }), params: { bench: 'nanoMethod' }, knowledgeVersion: null, jobId: null });
          repo.insertQuestions(ds.id, corpus.questions[split].map((q, k) => ({ ...q.source, status: 'accepted', rejectReason: null, seq: k + 1 })));
          repo.complete(ds.id, { count: n, planned: n, achievable: n, achieved: n, cells: [], dimensions: [], labels: {} });
        }
        r.heldOutQuestions = corpus.questions.heldOut.length;
        r.stage1Questions = corpus.questions.stage1.length;
        r.stage2Questions = corpus.questions.stage2.length;
        const qFile = path.join(dataDir, `nano-s${seed}.questions.json`);
        copyFileSync(sidecarPaths(model).questions, qFile);
        const all = JSON.parse(readFileSync(qFile, 'utf8')) as { name: string }[];
        const heldFile = path.join(dataDir, `nano-heldout-s${seed}.json`);
        const s2File = path.join(dataDir, `nano-stage2-s${seed}.json`);
        writeFileSync(heldFile, JSON.stringify(all.filter((q) => q.name === 'nano-heldout').map((q) => ({ ...q, name: `nano-heldout-s${seed}` }))));
        writeFileSync(s2File, JSON.stringify(all.filter((q) => q.name === 'nano-stage2')));
        const imported = await app.handlers['evaluation.import'](parseInput('evaluation.import', { path: heldFile }));
        const benchId = imported.sets[0]?.id;
        if (!benchId) throw new Error('held-out set not imported');

        // 1. Base: majority of 8 (the labelling vote) and single samples (the evaluation protocol).
        for (const split of ['heldOut', 'stage1'] as const) {
          const { jobId } = await app.handlers['labeling.start'](parseInput('labeling.start', { dataset: `nano-${split}-s${seed}`, modelPath: model, threads: 2, sampling: { samples: 8, maxTokens: 64, seed } }));
          await waitJob(app, jobId, `labelling ${split}`);
        }
        const held = await labels(app, `nano-heldOut-s${seed}`);
        r.base.majorityOf8 = held.filter((l) => l.agreesWithIntended === true).length / Math.max(1, r.heldOutQuestions);
        const s1 = await labels(app, `nano-stage1-s${seed}`);
        r.pseudoLabel = { accuracy: s1.filter((l) => l.agreesWithIntended === true).length / Math.max(1, s1.filter((l) => l.label !== null).length), labelled: s1.filter((l) => l.label !== null).length, noAnswer: s1.filter((l) => l.label === null).length };
        const base = await evaluate(app, benchId, model, null, `base s${seed}`);
        r.base.single = base.acc;
        r.base.invalidShare = base.invalidShare;
        savePartial();
        console.log(`seed ${seed}: base single ${fmt(base.acc)}, majority-of-8 ${(100 * r.base.majorityOf8).toFixed(1)}%, pseudo-label accuracy ${(100 * r.pseudoLabel.accuracy).toFixed(1)}% of ${r.pseudoLabel.labelled}`);

        // 3-4. Stage 1 (pseudo-labels) then stage 2 (gold), GRPO with LoRA in one run.
        const { jobId } = await app.handlers['training.start'](
          parseInput('training.start', {
            name: `nano s${seed}`,
            modelPath: model,
            stage1: { dataset: `nano-stage1-s${seed}`, minVoteShare: 0.5 },
            stage2: { files: [s2File] },
            preset: 'cpu-demo',
            settings: { seed, threads: 2, stage1Steps: s1Steps, stage2Steps: s2Steps, groupSize: 8, promptsPerStep: 2, maxCompletionTokens: 32, loraRank: 8, loraAlpha: 16, lr: 2e-3, heldOut: 0, evalEvery: 0, checkpointEvery: 100 },
          }),
        );
        const t = await waitJob<TrainResult>(app, jobId, `training s${seed}`);
        const adapters = await app.handlers['training.adapters']({});
        const end = (stage: 1 | 2) => adapters.filter((a) => a.runId === t.runId && a.stage === stage && a.kind !== 'checkpoint').sort((a, b) => b.step - a.step)[0]?.path ?? null;
        for (const stage of [1, 2] as const) {
          const adapter = end(stage);
          const e = adapter ? await evaluate(app, benchId, model, adapter, `stage ${stage} s${seed}`) : null;
          const rec = { single: e?.acc ?? { mean: NaN, std: NaN }, steps: stage === 1 ? s1Steps : s2Steps, adapter };
          if (stage === 1) r.stage1 = rec;
          else r.stage2 = rec;
          savePartial();
          console.log(`seed ${seed}: after stage ${stage} ${e ? fmt(e.acc) : 'no adapter'}`);
        }
      } catch (err) {
        r.error = err instanceof Error ? err.message : String(err);
        console.log(`seed ${seed}: failed: ${r.error}`);
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
