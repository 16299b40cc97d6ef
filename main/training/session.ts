/**
 * The training loop of one run. Each step: a batch of prompts → G rollouts per prompt from the current policy →
 * rewards → one trainer update → the adapter the next rollouts use → metrics and timings stored. By default the
 * two stages are two trainings (stage 2: stage 1's adapter, a fresh optimizer, its own schedule and warm-up). Checkpoints
 * (adapter + optimizer state) are written periodically and at stage ends; a run always restarts from its last
 * checkpoint and first forgets what was recorded after it, so the metric series never has a gap or a duplicate,
 * whether the restart follows a trainer crash (handled here, automatically) or an app restart (the job resumes).
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { StepTimings, TrainSettings } from '../../api/training.js';
import { metricNumber, type SessionMetrics, type TrainingMetricName } from '../../api/trainingMetrics.js';
import type { Db } from '../platform/db/open.js';
import { TrainingRepo, type RunRow, type TrainItem } from './store.js';
import { chooseThreads } from '../llm/index.js';
import { batchFor } from './data.js';
import { scoreCompletion } from './rewards.js';
import type { Rollout, RolloutEngine } from './rollouts.js';
import { TrainerError, type TrainerGroup, type TrainerProcess, type TrainerReady } from './trainerProcess.js';
import type { TrainResult } from '../../api/training.js';

// Declared in api/ with the job kinds (api/jobs.ts JobResults); re-exported for the domain's own modules.
export type { TrainResult };

export interface SessionDeps {
  db: Db;
  /** The sampler for this run's model; created once per job run. */
  createEngine(run: RunRow): Promise<RolloutEngine>;
  startTrainer(onLog: (line: string) => void): TrainerProcess;
  /** Tests hook in here to kill the trainer mid-run. */
  onTrainerStarted?(trainer: TrainerProcess): void;
  /** Restarts from the last checkpoint after a trainer crash within one job run. */
  maxTrainerRestarts?: number;
  cpuCores?: number;
}

export interface SessionContext {
  signal: AbortSignal;
  progress(u: { done: number; total: number; message: string }): void;
}


const now = (): number => performance.now() / 1000;

function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
}

export function stageLayout(run: Pick<RunRow, 'data' | 'settings'>): { steps1: number; steps2: number; total: number } {
  const steps1 = run.data.stage1 ? run.settings.stage1Steps : 0;
  const steps2 = run.data.stage2 ? run.settings.stage2Steps : 0;
  return { steps1, steps2, total: steps1 + steps2 };
}

export class TrainingSession {
  private readonly repo: TrainingRepo;
  private readonly items: Record<1 | 2, { train: TrainItem[]; heldout: TrainItem[] }>;
  private readonly promptCache = new Map<string, number[]>();
  private readonly layout: { steps1: number; steps2: number; total: number };
  private engine: RolloutEngine | null = null;
  private restarts = 0;
  private policyAdapter: string | null = null;
  private readonly dirs: { policy: string; checkpoints: string; adapters: string };

  constructor(
    private readonly run: RunRow,
    private readonly deps: SessionDeps,
  ) {
    this.repo = new TrainingRepo(deps.db);
    this.items = {
      1: { train: this.repo.items(run.id, 1, 'train'), heldout: this.repo.items(run.id, 1, 'heldout') },
      2: { train: this.repo.items(run.id, 2, 'train'), heldout: this.repo.items(run.id, 2, 'heldout') },
    };
    this.layout = stageLayout(run);
    this.dirs = {
      policy: path.join(run.outDir, 'policy'),
      checkpoints: path.join(run.outDir, 'checkpoints'),
      adapters: path.join(run.outDir, 'adapters'),
    };
    for (const d of Object.values(this.dirs)) mkdirSync(d, { recursive: true });
  }

  private get settings(): TrainSettings {
    return this.run.settings;
  }

  private log(level: 'info' | 'warn' | 'error', message: string): void {
    this.repo.log(this.run.id, level, message);
  }

  private stageOf(step: number): { stage: 1 | 2; stageStep: number } {
    return step <= this.layout.steps1 ? { stage: 1, stageStep: step } : { stage: 2, stageStep: step - this.layout.steps1 };
  }

  private tokens(item: TrainItem): number[] {
    const key = `${item.stage}:${item.split}:${item.idx}`;
    let t = this.promptCache.get(key);
    if (!t) {
      t = (this.engine as RolloutEngine).promptTokens(item.question);
      this.promptCache.set(key, t);
    }
    return t;
  }

  async execute(ctx: SessionContext): Promise<TrainResult> {
    const { total } = this.layout;
    if (total === 0) throw new Error('Nothing to train: both stages have 0 steps');
    for (const stage of [1, 2] as const) {
      const wanted = stage === 1 ? this.layout.steps1 : this.layout.steps2;
      if (wanted > 0 && this.items[stage].train.length === 0) throw new Error(`Stage ${stage} has ${wanted} steps but no training questions`);
    }
    this.repo.setState(this.run.id, 'running');
    this.log('info', `Loading ${path.basename(this.run.modelPath)} for rollouts`);
    this.engine = await this.deps.createEngine(this.run);
    try {
      for (;;) {
        try {
          await this.trainFromLastCheckpoint(ctx);
          break;
        } catch (err) {
          if (ctx.signal.aborted) break;
          const crashed = err instanceof TrainerError && err.fatal;
          if (!crashed || this.restarts >= (this.deps.maxTrainerRestarts ?? 3)) throw err;
          this.restarts++;
          this.log('warn', `The trainer stopped (${err.message}); restarting from the last checkpoint (restart ${this.restarts})`);
        }
      }
    } finally {
      await this.engine.dispose();
      this.engine = null;
    }
    const steps = this.repo.steps(this.run.id);
    const last = this.repo.lastCheckpoint(this.run.id);
    const timings = steps.map((s) => s.timings);
    const meanTimings: StepTimings | null = timings.length
      ? {
          rolloutS: mean(timings.map((t) => t.rolloutS)),
          policyReloadS: mean(timings.map((t) => t.policyReloadS)),
          rewardS: mean(timings.map((t) => t.rewardS)),
          trainerS: mean(timings.map((t) => t.trainerS)),
          adapterSaveS: mean(timings.map((t) => t.adapterSaveS)),
          overheadS: mean(timings.map((t) => t.overheadS)),
          totalS: mean(timings.map((t) => t.totalS)),
        }
      : null;
    return {
      runId: this.run.id,
      steps: steps.length,
      restarts: this.restarts,
      finalAdapter: last?.adapterPath ?? null,
      lastEval: this.repo.evals(this.run.id).at(-1) ?? null,
      meanTimings,
    };
  }

  private trainerThreads(): number {
    return chooseThreads(this.engine?.parameters ?? null, this.settings.threads || undefined, this.deps.cpuCores ?? 1);
  }

  /**
   * The trainings a run consists of: one over both stages, or (stage 2 'fresh', the default) one per stage, each
   * with its own optimizer state and a schedule over its own steps, stage 2 starting from stage 1's adapter.
   */
  private segments(): { first: number; last: number; freshFromStage1: boolean }[] {
    const { steps1, steps2, total } = this.layout;
    if (this.settings.stage2Optimizer === 'fresh' && steps1 > 0 && steps2 > 0) {
      return [
        { first: 1, last: steps1, freshFromStage1: false },
        { first: steps1 + 1, last: total, freshFromStage1: true },
      ];
    }
    return [{ first: 1, last: total, freshFromStage1: false }];
  }

  private async trainFromLastCheckpoint(ctx: SessionContext): Promise<void> {
    const { total } = this.layout;
    const ckpt = this.repo.lastCheckpoint(this.run.id);
    const startStep = ckpt?.step ?? 0;
    const dropped = this.repo.rollbackAfter(this.run.id, startStep);
    if (dropped > 0) this.log('warn', `Dropped ${dropped} step(s) recorded after checkpoint ${startStep}; they are trained again`);
    if (startStep >= total) return;
    this.policyAdapter = ckpt?.adapterPath ?? null;
    for (const seg of this.segments()) {
      if (seg.last <= startStep) continue;
      if (ctx.signal.aborted) break;
      // A checkpoint inside this segment resumes it; at its start, a fresh stage 2 begins from the stage-1 adapter.
      const resume = ckpt && ckpt.step >= seg.first ? ckpt : null;
      const initFrom = !resume && seg.freshFromStage1 ? this.policyAdapter : null;
      if (seg.freshFromStage1 && !resume && !initFrom) throw new Error('Stage 2 should start from stage 1\'s adapter, but no stage-1 adapter was recorded');
      await this.trainSegment(ctx, seg, Math.max(startStep, seg.first - 1), resume?.checkpointPath ?? null, initFrom);
    }
  }

  private async trainSegment(
    ctx: SessionContext,
    seg: { first: number; last: number; freshFromStage1: boolean },
    fromStep: number,
    resume: string | null,
    initFrom: string | null,
  ): Promise<void> {
    const s = this.settings;
    const { steps1, total } = this.layout;
    const trainer = this.deps.startTrainer((line) => this.log('info', `[trainer] ${line}`));
    this.deps.onTrainerStarted?.(trainer);
    let lastSavedStep = fromStep;
    let step = fromStep;
    try {
      const ready: TrainerReady = await trainer.init({
        model: this.run.modelPath,
        backend: s.backend,
        threads: this.trainerThreads(),
        seed: s.seed,
        lora: { rank: s.loraRank, alpha: s.loraAlpha, targets: s.loraTargets, ...(initFrom ? { initFrom } : {}) },
        optim: { lr: s.lr, weightDecay: s.weightDecay, maxGradNorm: s.maxGradNorm, schedule: s.schedule, warmupSteps: s.warmupSteps, totalSteps: seg.last - seg.first + 1 },
        grpo: {
          epsilonLow: s.epsilonLow,
          epsilonHigh: s.epsilonHigh,
          beta: s.beta,
          scaleRewards: s.scaleRewards,
          lossAggregation: s.lossAggregation,
          maxCompletionLength: s.maxCompletionTokens,
          skipZeroStdGroups: s.skipZeroStdGroups,
          ppoEpochs: s.ppoEpochs,
        },
        ...(resume ? { resume } : {}),
      });
      // A trainer that ignores lora.initFrom would start stage 2 from the base model while the run claims stage 1's.
      if (initFrom && (ready as TrainerReady & { initFrom?: string }).initFrom !== initFrom) {
        throw new Error(`This trainer build does not support lora.initFrom (stage 2 from stage 1's adapter); rebuild native/ or set stage2Optimizer to "continue"`);
      }
      this.repo.setTrainer(this.run.id, { ...ready, threads: this.trainerThreads(), rolloutThreads: this.engine?.threads ?? null });
      if (resume) this.log('info', `Resumed from checkpoint at step ${fromStep} (${ready.updates} updates)`);
      else if (initFrom) this.log('info', `Stage 2 starts as a new training from stage 1's adapter ${path.basename(initFrom)}: fresh optimizer, schedule and warm-up over ${seg.last - seg.first + 1} steps`);
      else this.log('info', `Trainer ready: ${ready.arch}, ${ready.nTrainable} trainable of ${ready.nParams} parameters`);
      if (fromStep === 0 && this.items[this.stageOf(1).stage].heldout.length > 0) await this.quickEval(0, this.stageOf(1).stage, ctx.signal);

      for (step = fromStep + 1; step <= seg.last; step++) {
        if (ctx.signal.aborted) break;
        const { stage, stageStep } = this.stageOf(step);
        if (stage === 2 && stageStep === 1) this.log('info', steps1 > 0 ? `Stage 1 done after ${steps1} steps; switching to stage 2 (human-labelled data)` : 'Stage 2 (human-labelled data)');
        const stageEnd = step === steps1 || step === total;
        const checkpointKind = step % s.checkpointEvery === 0 || stageEnd ? (stageEnd ? (step === total ? 'final' : 'stage-end') : 'checkpoint') : null;
        const done = await this.oneStep(trainer, step, stage, stageStep, checkpointKind, ctx);
        if (!done) break;
        if (checkpointKind) lastSavedStep = step;
        if ((s.evalEvery > 0 && step % s.evalEvery === 0) || stageEnd) {
          await this.quickEval(step, stage, ctx.signal);
          // Once stage 1 ends, show where stage 2 starts from on its own held-out data as well.
          if (step === steps1 && step < total) await this.quickEval(step, 2, ctx.signal);
        }
        ctx.progress({ done: step, total, message: this.progressMessage(step, stage, stageStep) });
      }
      // A cancel (or app shutdown) keeps the finished steps: checkpoint them so a resume continues from here.
      const done = Math.min(step - 1, seg.last);
      if (ctx.signal.aborted && done > lastSavedStep && trainer.running) {
        await this.checkpoint(trainer, done, this.stageOf(done).stage, 'checkpoint');
        this.log('info', `Stopped after step ${done}; checkpoint written`);
      }
    } finally {
      await trainer.shutdown(3000).catch(() => trainer.kill());
    }
  }

  private progressMessage(step: number, stage: 1 | 2, stageStep: number): string {
    const last = this.repo.steps(this.run.id, step - 1)[0];
    const shown = (name: TrainingMetricName): string => (last ? (metricNumber(last.metrics, name) ?? 0).toFixed(2) : '–');
    const r = shown('reward_mean');
    const a = shown('accuracy');
    const stageSteps = stage === 1 ? this.layout.steps1 : this.layout.steps2;
    return `Stage ${stage} step ${stageStep}/${stageSteps}: reward ${r}, accuracy ${a}`;
  }

  /**
   * One GRPO step; false when cancelled before the update. The adapter the next rollouts use is written after the
   * update; on checkpoint steps the same save also writes the checkpoint, recorded once the step's row is stored.
   */
  private async oneStep(
    trainer: TrainerProcess,
    step: number,
    stage: 1 | 2,
    stageStep: number,
    checkpointKind: 'checkpoint' | 'stage-end' | 'final' | null,
    ctx: SessionContext,
  ): Promise<boolean> {
    const s = this.settings;
    const engine = this.engine as RolloutEngine;
    const t0 = now();
    const batch = batchFor(this.items[stage].train, s.promptsPerStep, stageStep, s.seed, stage);
    const prompts = batch.map((it) => this.tokens(it));

    const tReload = now();
    await engine.setAdapter(this.policyAdapter);
    const policyReloadS = now() - tReload;

    const tRoll = now();
    const rollouts = await engine.sample(prompts, s.groupSize, { temperature: s.temperature, topP: s.topP, topK: s.topK, maxTokens: s.maxCompletionTokens, seed: s.seed * 7919 + step * 104729 }, ctx.signal);
    const rolloutS = now() - tRoll;
    if (ctx.signal.aborted) return false;

    const tReward = now();
    const groups: TrainerGroup[] = [];
    let correct = 0;
    let formatted = 0;
    let n = 0;
    let clipped = 0;
    let sampledTokens = 0;
    batch.forEach((item, i) => {
      const kept: Rollout[] = (rollouts[i] ?? []).filter((r) => r.tokens.length > 0);
      const scores = kept.map((r) => scoreCompletion(r.text, item.label, item.letters, s.formatReward, engine.modelName));
      for (const [k, sc] of scores.entries()) {
        n++;
        if (sc.correct) correct++;
        if (sc.formatted) formatted++;
        const r = kept[k] as Rollout;
        sampledTokens += r.tokens.length;
        if (r.stop !== 'eog') clipped++;
      }
      if (kept.length >= 2) groups.push({ prompt: prompts[i] as number[], completions: kept.map((r) => r.tokens), rewards: scores.map((sc) => sc.reward) });
    });
    const rewardS = now() - tReward;
    if (groups.length === 0) throw new Error(`Step ${step}: every rollout came back empty (are the prompts longer than the context?)`);

    const tTrain = now();
    const metrics = await trainer.step(groups);
    const trainerS = now() - tTrain;

    const tSave = now();
    const checkpoint = checkpointKind ? path.join(this.dirs.checkpoints, `step-${step}.ckpt`) : undefined;
    const adapter = path.join(checkpointKind ? this.dirs.adapters : this.dirs.policy, `step-${step}.gguf`);
    await trainer.save({ adapter, ...(checkpoint ? { checkpoint } : {}) });
    const adapterSaveS = now() - tSave;
    const previous = this.policyAdapter;
    this.policyAdapter = adapter;
    if (previous && previous.startsWith(this.dirs.policy)) rmSync(previous, { force: true });

    const totalS = now() - t0;
    const timings: StepTimings = {
      rolloutS,
      policyReloadS,
      rewardS,
      trainerS,
      adapterSaveS,
      overheadS: Math.max(0, totalS - rolloutS - policyReloadS - rewardS - trainerS - adapterSaveS),
      totalS,
    };
    // Every number or boolean the trainer reported is kept, catalogued or not: the bag stays open.
    const flat: Record<string, number | boolean> = {};
    for (const [k, v] of Object.entries(metrics)) if (typeof v === 'number' || typeof v === 'boolean') flat[k] = v;
    const own: SessionMetrics = {
      accuracy: n ? correct / n : 0,
      format_rate: n ? formatted / n : 0,
      completion_clipped_ratio: n ? clipped / n : 0,
      rollout_tokens: sampledTokens,
      rollout_tokens_per_s: rolloutS > 0 ? sampledTokens / rolloutS : 0,
    };
    this.repo.insertStep(this.run.id, { step, stage, stageStep, metrics: { ...flat, ...own }, timings });
    if (checkpointKind && checkpoint) this.recordCheckpoint(step, stage, checkpointKind, adapter, checkpoint);
    return true;
  }

  private recordCheckpoint(step: number, stage: 1 | 2, kind: 'checkpoint' | 'stage-end' | 'final', adapter: string, checkpoint: string): void {
    this.repo.insertCheckpoint(this.run.id, { step, stage, checkpointPath: checkpoint, adapterPath: adapter });
    this.repo.insertAdapter(this.run.id, { step, stage, kind, path: adapter });
    this.log('info', `Checkpoint at step ${step} (stage ${stage}${kind === 'checkpoint' ? '' : `, ${kind}`})`);
  }

  private async checkpoint(trainer: TrainerProcess, step: number, stage: 1 | 2, kind: 'checkpoint' | 'stage-end' | 'final'): Promise<void> {
    const adapter = path.join(this.dirs.adapters, `step-${step}.gguf`);
    const checkpoint = path.join(this.dirs.checkpoints, `step-${step}.ckpt`);
    await trainer.save({ adapter, checkpoint });
    this.recordCheckpoint(step, stage, kind, adapter, checkpoint);
  }

  /** Greedy answers to the stage's held-out questions with the current policy: accuracy against the label. */
  private async quickEval(step: number, stage: 1 | 2, signal: AbortSignal): Promise<void> {
    const held = this.items[stage].heldout;
    if (held.length === 0 || signal.aborted) return;
    const engine = this.engine as RolloutEngine;
    await engine.setAdapter(this.policyAdapter);
    const out = await engine.sample(
      held.map((it) => this.tokens(it)),
      1,
      { temperature: 0, topP: 1, topK: 0, maxTokens: this.settings.maxCompletionTokens, seed: this.settings.seed },
      signal,
    );
    if (signal.aborted) return;
    let correct = 0;
    let invalid = 0;
    held.forEach((it, i) => {
      const r = out[i]?.[0];
      const sc = scoreCompletion(r?.text ?? '', it.label, it.letters, 0, engine.modelName);
      if (sc.correct) correct++;
      if (!sc.formatted) invalid++;
    });
    this.repo.insertEval(this.run.id, { step, stage, n: held.length, correct, invalid });
    this.log('info', `Quick evaluation at step ${step} on ${held.length} held-out stage ${stage} questions: ${correct}/${held.length} correct, ${invalid} without an answer`);
  }
}
