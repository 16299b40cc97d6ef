/**
 * Builds the nano demo model: corpus → vocabulary → seeded random-init GGUF → tokenised with node-llama-cpp
 * (loading that GGUF, so training and inference tokenise alike) → full-parameter `sft` steps in the native trainer
 * → the trained GGUF, its card and the split's question sets beside it.
 *
 * Reproducible for (seed, threads, steps): the step count comes from the minutes through a fixed calibration
 * constant, never from this machine's speed. Resumable: a work folder beside the output keeps the init model, a
 * trainer checkpoint and the loss curve; a build with the same settings continues from it.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { DisorderDetail } from '../../api/knowledge.js';
import type { DemoArch, DemoBuildInput, DemoModelCard } from '../../api/demoModel.js';
import { writeFileAtomic } from '../platform/atomicFile.js';
import { createRng } from '../synthesis/index.js';
import type { TrainerInit, TrainerMask } from '../training/index.js';
import { answerText, buildCorpus, questionPrompt, type DemoCorpus, type SplitName } from './corpus.js';
import { defaultArch, parameterCount, writeInitModel } from './initModel.js';
import { BYTE_TOKENS, buildVocab, type Vocab } from './vocab.js';

export const VOCAB_SIZE = 1024;
export const BATCH = 16;

/**
 * Optimizer steps per minute of budget, a constant so that a seed reproduces (the speed of this run would not).
 * Derived from the trainer's measured throughput (native/README.md: about 2,300 tokens per CPU-second at one
 * thread for a 1 M-weight llama of this shape): this 2.2 M-weight model is about twice the work per token, so an
 * idle 2-core machine runs a 16-sequence step (~2,700 tokens) in roughly 1.5 s, about 40 steps a minute; half
 * that is the budget, so 20 minutes are about 10 on such a machine. A busy machine takes longer: on the shared
 * development VM (load average ~13) a step took 11–25 s, so the default build ran far past 20 minutes there.
 */
export const STEPS_PER_MINUTE = 20;
export const CALIBRATION_NOTE = 'default arch (192×4, vocab 1024), batch 16, 2 threads: half the steps an idle 2-core x86-64 core pair runs (from the trainer\'s measured tokens per CPU-second); a busy machine takes longer';

export const optimDefaults = { lr: 3e-3, betas: [0.9, 0.95] as [number, number], eps: 1e-8, weightDecay: 0.01, maxGradNorm: 1, minLrRatio: 0.1 };

/** The tokenizer: node-llama-cpp's, over the init GGUF. */
export interface Tokenizer {
  tokenize(text: string, trimLeadingSpace: boolean): number[];
  close(): Promise<void>;
}

/** What build needs of the trainer client (TrainerProcess implements it; tests may fake it). */
export interface SftTrainer {
  init(opts: TrainerInit): Promise<{ backend: string; device: { description: string }; threads: number; nTrainable: number; nParams: number }>;
  sft(sequences: number[][], masks: TrainerMask[]): Promise<{ loss: number; tokens: number; grad_norm?: number; lr?: number }>;
  loss(sequences: number[][], masks: TrainerMask[]): Promise<{ loss: number; tokens: number }>;
  save(paths: { model?: string; checkpoint?: string }): Promise<unknown>;
  shutdown(): Promise<void>;
  kill(): void;
}

export interface BuildDeps {
  disorders: () => DisorderDetail[];
  knowledgeVersion: () => string | null;
  openTokenizer: (ggufPath: string) => Promise<Tokenizer>;
  startTrainer: () => SftTrainer;
  /** For the card: the command that reproduces the build. */
  command?: string;
  arch?: DemoArch;
  /** Optimizer settings other than optimDefaults (tests that build a smaller model in fewer steps); on the card. */
  optim?: Partial<typeof optimDefaults>;
}

export interface BuildProgress {
  done: number;
  total: number;
  message: string;
}

interface WorkState {
  key: string;
  step: number;
  lossCurve: { step: number; loss: number }[];
  initLoss: { loss: number; tokens: number };
  trainS: number;
}

export interface Sequence {
  tokens: number[];
  mask: TrainerMask;
}

export function stepsFor(input: Pick<DemoBuildInput, 'minutes' | 'steps'>): number {
  return input.steps ?? Math.max(1, Math.round(input.minutes * STEPS_PER_MINUTE));
}

export function sidecarPaths(out: string): { card: string; questions: string; work: string } {
  const base = out.replace(/\.gguf$/i, '');
  return { card: `${base}.card.json`, questions: `${base}.questions.json`, work: `${out}.work` };
}

/** Tokenises the corpus: cards train on every token, questions on the answer only; BOS first, EOS last. */
export function tokenizeCorpus(corpus: DemoCorpus, tok: Tokenizer, vocab: Vocab, maxLen: number): { seqs: Sequence[]; dropped: number; byteRate: number } {
  const seqs: Sequence[] = [];
  let dropped = 0;
  let bytes = 0;
  let total = 0;
  for (const t of corpus.texts) {
    const head = tok.tokenize(t.text, false);
    const tail = t.answer !== undefined ? tok.tokenize(t.answer, true) : [];
    for (const id of [...head, ...tail]) if (id >= BYTE_TOKENS.from && id < BYTE_TOKENS.to) bytes++;
    total += head.length + tail.length;
    let tokens = [vocab.bos, ...head, ...tail, vocab.eos];
    let mask: TrainerMask = t.answer !== undefined ? [0, ...head.map((): 0 => 0), ...tail.map((): 1 => 1), 1] : tokens.map((): 1 => 1);
    if (tokens.length > maxLen) {
      // A question cut short would lose its answer: drop it. A card keeps its beginning (name, definition).
      if (t.answer !== undefined) {
        dropped++;
        continue;
      }
      tokens = tokens.slice(0, maxLen);
      mask = mask.slice(0, maxLen);
    }
    seqs.push({ tokens, mask });
  }
  return { seqs, dropped, byteRate: total ? bytes / total : 0 };
}

/** The sequences of step `step` (0-based): epochs of seeded shuffles of the corpus, cut into batches. */
export function batchAt(seqs: readonly Sequence[], seed: number, step: number, batch = BATCH): Sequence[] {
  const out: Sequence[] = [];
  let pos = step * batch;
  while (out.length < batch) {
    const epoch = Math.floor(pos / seqs.length);
    const order = epochOrder(seqs.length, seed, epoch);
    const at = pos % seqs.length;
    const take = Math.min(batch - out.length, seqs.length - at);
    for (let i = 0; i < take; i++) out.push(seqs[order[at + i] as number] as Sequence);
    pos += take;
  }
  return out;
}

const orderCache = new Map<string, number[]>();
function epochOrder(n: number, seed: number, epoch: number): number[] {
  const key = `${n}:${seed}:${epoch}`;
  let o = orderCache.get(key);
  if (!o) {
    if (orderCache.size > 8) orderCache.clear();
    o = createRng(`demo-epoch:${seed}:${epoch}`).shuffle(Array.from({ length: n }, (_, i) => i));
    orderCache.set(key, o);
  }
  return o;
}

/** Held-out questions with their intended answers: the loss on the answer tokens says what the model generalised. */
function heldOutAnswerSequences(corpus: DemoCorpus, tok: Tokenizer, vocab: Vocab, maxLen: number): Sequence[] {
  const out: Sequence[] = [];
  for (const q of corpus.questions.heldOut) {
    const head = tok.tokenize(questionPrompt(q), false);
    const tail = tok.tokenize(answerText({ options: q.options, intendedAnswer: q.gold }), true);
    const tokens = [vocab.bos, ...head, ...tail, vocab.eos];
    if (tokens.length > maxLen) continue;
    out.push({ tokens, mask: [0, ...head.map((): 0 => 0), ...tail.map((): 1 => 1), 1] });
  }
  return out;
}

export interface BuildHooks {
  signal?: AbortSignal;
  progress?: (p: BuildProgress) => void;
  /** Called after each saved checkpoint (the job records the step). */
  checkpointed?: (step: number) => void;
}

export interface BuildOutcome {
  card: DemoModelCard;
  path: string;
  cardPath: string;
  questionsPath: string;
}

function medssrQuestionFile(corpus: DemoCorpus): { id: string; question: string; gold: string; name: string; orphaCode: string; questionType: string }[] {
  const names: Record<SplitName, string> = { train: 'nano-train', stage1: 'nano-stage1', stage2: 'nano-stage2', heldOut: 'nano-heldout' };
  return (['heldOut', 'stage1', 'stage2', 'train'] as const).flatMap((s) => corpus.questions[s].map((q) => ({ id: q.id, question: q.question, gold: q.gold, name: names[s], orphaCode: q.orphaCode, questionType: q.questionType })));
}

export async function buildDemoModel(input: DemoBuildInput & { out: string }, deps: BuildDeps, hooks: BuildHooks = {}): Promise<BuildOutcome> {
  const t0 = Date.now();
  const arch = deps.arch ?? defaultArch;
  const optim = { ...optimDefaults, ...deps.optim };
  const steps = stepsFor(input);
  const out = path.resolve(input.out);
  const side = sidecarPaths(out);
  mkdirSync(path.dirname(out), { recursive: true });
  const report = (done: number, message: string) => hooks.progress?.({ done, total: steps, message });
  report(0, 'Building the corpus');

  const corpus = buildCorpus(deps.disorders(), { seed: input.seed, maxDisorders: input.maxDisorders });
  const allTexts = corpus.texts.flatMap((t) => (t.answer !== undefined ? [t.text, t.answer] : [t.text]));
  const vocab = buildVocab(allTexts, { size: VOCAB_SIZE });
  const name = `nano-demo-s${input.seed}`;
  const key = createHash('sha256')
    .update(JSON.stringify({ seed: input.seed, threads: input.threads, steps, arch, maxDisorders: input.maxDisorders, vocab: vocab.tokens, texts: allTexts, optim, batch: BATCH }))
    .digest('hex');

  mkdirSync(side.work, { recursive: true });
  const initPath = path.join(side.work, 'init.gguf');
  const ckptPath = path.join(side.work, 'trainer.ckpt');
  const statePath = path.join(side.work, 'state.json');
  let state: WorkState | null = null;
  if (existsSync(statePath) && existsSync(ckptPath) && existsSync(initPath)) {
    const s = JSON.parse(readFileSync(statePath, 'utf8')) as WorkState;
    // A work folder left by a build with other settings (or other data) is not this build's: start over.
    if (s.key === key) state = s;
  }
  if (!state) writeInitModel(initPath, { arch, vocab, seed: input.seed, name, extra: [['medssr.demo.seed', { type: 'u32', value: input.seed }]] });

  const tok = await deps.openTokenizer(initPath);
  let tokenized: ReturnType<typeof tokenizeCorpus>;
  let heldOut: Sequence[];
  try {
    tokenized = tokenizeCorpus(corpus, tok, vocab, arch.contextLength);
    heldOut = heldOutAnswerSequences(corpus, tok, vocab, arch.contextLength);
  } finally {
    await tok.close();
  }
  const { seqs } = tokenized;
  if (seqs.length === 0) throw new Error('the corpus is empty: import a knowledge base first');
  const corpusS = (Date.now() - t0) / 1000;

  const warmupSteps = Math.max(1, Math.round(steps * 0.05));
  const trainer = deps.startTrainer();
  let trainStart = Date.now();
  let trainSBefore = state?.trainS ?? 0;
  try {
    const ready = await trainer.init({
      model: initPath,
      mode: 'full',
      threads: input.threads,
      seed: input.seed,
      backend: 'cpu',
      optim: { lr: optim.lr, betas: optim.betas, eps: optim.eps, weightDecay: optim.weightDecay, maxGradNorm: optim.maxGradNorm, schedule: 'cosine', totalSteps: steps, warmupSteps, minLrRatio: optim.minLrRatio },
      sft: { microBatch: BATCH },
      ...(state ? { resume: ckptPath } : {}),
    });
    const resumedFrom = state ? state.step : null;
    const lossCurve = state?.lossCurve ?? [];
    const initLoss = state?.initLoss ?? (heldOut.length ? await trainer.loss(heldOut.map((s) => s.tokens), heldOut.map((s) => s.mask)) : { loss: NaN, tokens: 0 });
    let step = state?.step ?? 0;
    let lastSave = Date.now();
    const save = async () => {
      await trainer.save({ checkpoint: ckptPath });
      const s: WorkState = { key, step, lossCurve, initLoss, trainS: trainSBefore + (Date.now() - trainStart) / 1000 };
      writeFileAtomic(statePath, JSON.stringify(s));
      lastSave = Date.now();
      hooks.checkpointed?.(step);
    };
    report(step, step ? `Resuming at step ${step} of ${steps}` : `Training ${steps} steps`);
    while (step < steps) {
      if (hooks.signal?.aborted) {
        await save();
        throw new Error('Cancelled');
      }
      const batch = batchAt(seqs, input.seed, step);
      const m = await trainer.sft(
        batch.map((s) => s.tokens),
        batch.map((s) => s.mask),
      );
      step++;
      lossCurve.push({ step, loss: Math.round(m.loss * 10000) / 10000 });
      report(step, `Step ${step} of ${steps}: loss ${m.loss.toFixed(3)}`);
      if (Date.now() - lastSave > 60_000 && step < steps) await save();
    }
    const finalLoss = heldOut.length ? await trainer.loss(heldOut.map((s) => s.tokens), heldOut.map((s) => s.mask)) : { loss: NaN, tokens: 0 };
    report(step, 'Writing the model');
    await trainer.save({ model: out });
    const trainS = trainSBefore + (Date.now() - trainStart) / 1000;
    trainStart = Date.now();
    trainSBefore = trainS;
    const card: DemoModelCard = {
      format: 'medssr-nano-card/1',
      model: path.basename(out),
      command: deps.command ?? `npx medssr demo-model build --minutes ${input.minutes} --seed ${input.seed} --out ${path.basename(out)}`,
      seed: input.seed,
      threads: input.threads,
      minutes: input.minutes,
      steps,
      calibration: { stepsPerMinute: STEPS_PER_MINUTE, measuredOn: CALIBRATION_NOTE, stepsOverride: input.steps !== undefined },
      arch,
      parameters: parameterCount(arch, vocab.tokens.length),
      vocab: { size: vocab.tokens.length, chars: vocab.chars, merges: vocab.merges, byteFallbackRate: Math.round(tokenized.byteRate * 1e6) / 1e6 },
      data: {
        knowledgeVersion: deps.knowledgeVersion(),
        disorders: corpus.stats.disorders,
        cards: corpus.stats.cards,
        trainQuestions: corpus.stats.trainQuestions,
        sequences: seqs.length,
        tokens: seqs.reduce((a, s) => a + s.tokens.length, 0),
        trainedTokensPerEpoch: seqs.reduce((a, s) => a + s.mask.reduce<number>((x, y) => x + y, 0), 0),
        droppedTooLong: tokenized.dropped,
        questionFile: path.basename(side.questions),
      },
      split: { ...corpus.split, cardOnly: corpus.cardOnly },
      optim: { lr: optim.lr, betas: optim.betas, weightDecay: optim.weightDecay, maxGradNorm: optim.maxGradNorm, schedule: 'cosine', warmupSteps, minLrRatio: optim.minLrRatio, batch: BATCH },
      lossCurve,
      heldOutAnswerLoss: { init: round4(initLoss.loss), final: round4(finalLoss.loss), tokens: finalLoss.tokens },
      trainer: { backend: ready.backend, device: ready.device.description, threads: ready.threads, nParams: ready.nParams },
      time: { corpusS: round4(corpusS), trainS: round4(trainS), totalS: round4((Date.now() - t0) / 1000), resumedFromStep: resumedFrom },
    };
    writeFileAtomic(side.questions, `${JSON.stringify(medssrQuestionFile(corpus), null, 1)}\n`);
    writeFileAtomic(side.card, `${JSON.stringify(card, null, 1)}\n`);
    await trainer.shutdown();
    rmSync(side.work, { recursive: true, force: true });
    return { card, path: out, cardPath: side.card, questionsPath: side.questions };
  } catch (err) {
    trainer.kill();
    throw err;
  }
}

function round4(x: number): number {
  return Number.isFinite(x) ? Math.round(x * 10000) / 10000 : x;
}

/** Reads a card, or null when absent or not one. */
export function readCard(file: string): DemoModelCard | null {
  try {
    const c = JSON.parse(readFileSync(file, 'utf8')) as DemoModelCard;
    return c.format === 'medssr-nano-card/1' ? c : null;
  } catch {
    return null;
  }
}
