/**
 * The nano model's corpus, from the imported knowledge base. Disorders that can be the answer of a template
 * question are split (seeded) four ways:
 * - `train`: cards, and questions answered in MedSSR's format, are in the pre-training corpus;
 * - `stage1`, `stage2`: cards only; their questions are for stage 1 (pseudo-labels) and stage 2 (gold) GRPO;
 * - `heldOut`: cards only; their questions are the evaluation set: the model saw the knowledge, never the questions.
 * Disorders no question can be about contribute cards. A card is prose (definition, findings, genes, inheritance,
 * onset) and trains on every token; a question trains on its answer only (the prompt is masked), and its prompt
 * is the COT template the evaluation gives base models, so the model learns to answer the prompt it is scored on.
 */
import type { DisorderDetail } from '../../api/knowledge.js';
import { cotTemplate, formatQuestion } from '../llm/index.js';
import { createQuestionBank, createRng, type BankQuestion } from '../synthesis/index.js';

export type SplitName = 'train' | 'stage1' | 'stage2' | 'heldOut';
export const splitNames: readonly SplitName[] = ['train', 'stage1', 'stage2', 'heldOut'];

export interface CorpusOptions {
  seed: number;
  /** Shares of the answerable disorders; the rest of 1 goes to `train`. */
  shares?: { stage1: number; stage2: number; heldOut: number };
  /** Template questions per `train` disorder (in the corpus) and per other disorder (the stage and eval sets). */
  trainQuestionsPerDisorder?: number;
  evalQuestionsPerDisorder?: number;
  /** Card variants per disorder (facts reordered and rephrased). */
  cardVariants?: number;
  /** Use at most this many disorders (a seeded sample), 0 = all. */
  maxDisorders?: number;
}

export interface CorpusText {
  kind: 'card' | 'question';
  orphaCode: string;
  /** Trained on every token. For a question: the prompt (masked) … */
  text: string;
  /** … and the answer (trained), for questions only. */
  answer?: string;
}

export interface SplitQuestion {
  id: string;
  orphaCode: string;
  questionType: string;
  /** MedSSR's `question`: stem and option lines. */
  question: string;
  gold: string;
  stem: string;
  options: BankQuestion['options'];
  /** The generated question whole (provenance included), for storing it as a synthetic dataset. */
  source: BankQuestion;
}

export interface DemoCorpus {
  texts: CorpusText[];
  split: Record<SplitName, string[]>;
  /** Disorders with cards but no question (no template fits them). */
  cardOnly: string[];
  questions: Record<SplitName, SplitQuestion[]>;
  stats: { disorders: number; cards: number; trainQuestions: number; rejectedDrafts: number };
}

export const defaultShares = { stage1: 0.25, stage2: 0.2, heldOut: 0.2 } as const;

/** "The answer is B." preceded by the one sentence that justifies it, in the words of the option. */
export function answerText(q: Pick<BankQuestion, 'options' | 'intendedAnswer'>): string {
  const correct = q.options.find((o) => o.letter === q.intendedAnswer);
  if (!correct) throw new Error(`question has no option ${q.intendedAnswer}`);
  return `The best fit is ${correct.text}. The answer is ${q.intendedAnswer}.`;
}

export function questionPrompt(q: Pick<BankQuestion, 'stem' | 'options'>): string {
  return cotTemplate(formatQuestion(q.stem, q.options));
}

function list(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1] as string}`;
}

/** One prose card; `variant` reorders and rephrases so that two cards of a disorder are not the same text. */
export function cardText(d: DisorderDetail, variant: number, rng: ReturnType<typeof createRng>): string {
  const parts: string[] = [];
  const def = d.definition?.trim();
  parts.push(variant % 2 === 0 ? `${d.name} (ORPHA:${d.orphaCode}) is a rare disorder.` : `ORPHA:${d.orphaCode} is ${d.name}.`);
  if (def) parts.push(def.length > 700 ? `${def.slice(0, 700).replace(/\s+\S*$/, '')}.` : def);
  const phen = [...d.phenotypes].filter((p) => !/^excluded/i.test(p.frequency));
  if (phen.length) {
    const rank = (f: string): number => (/^obligate/i.test(f) ? 0 : /^very frequent/i.test(f) ? 1 : /^frequent/i.test(f) ? 2 : /^occasional/i.test(f) ? 3 : 4);
    const sorted = phen.sort((a, b) => rank(a.frequency) - rank(b.frequency) || (a.term < b.term ? -1 : 1)).slice(0, 14);
    const shown = variant === 0 ? sorted : rng.shuffle([...sorted]);
    parts.push(variant % 2 === 0 ? `Key findings of ${d.name} are ${list(shown.map((p) => p.term.toLowerCase()))}.` : `Patients with ${d.name} present with ${list(shown.map((p) => p.term.toLowerCase()))}.`);
  }
  const genes = d.genes.filter((g) => !/susceptib|modif/i.test(g.associationType)).map((g) => g.symbol);
  if (genes.length) parts.push(`${d.name} is caused by variants in ${list([...new Set(genes)].slice(0, 8))}.`);
  const inh = d.inheritance.filter((i) => !/^(unknown|not applicable)$/i.test(i));
  if (inh.length) parts.push(`Inheritance of ${d.name}: ${list(inh.map((i) => i.toLowerCase()))}.`);
  if (d.onsets.length) parts.push(`Onset: ${list(d.onsets.map((o) => o.toLowerCase()))}.`);
  return parts.join(' ');
}

export function buildCorpus(disorders: readonly DisorderDetail[], opts: CorpusOptions): DemoCorpus {
  const shares = opts.shares ?? defaultShares;
  const perTrain = opts.trainQuestionsPerDisorder ?? 6;
  const perEval = opts.evalQuestionsPerDisorder ?? 2;
  const variants = opts.cardVariants ?? 2;
  const rng = createRng(`demo-corpus:${opts.seed}`);
  const byCode = [...disorders].sort((a, b) => Number(a.orphaCode) - Number(b.orphaCode));
  let pool = byCode;
  if (opts.maxDisorders && opts.maxDisorders > 0 && pool.length > opts.maxDisorders) pool = rng.fork('sample').shuffle([...pool]).slice(0, opts.maxDisorders).sort((a, b) => Number(a.orphaCode) - Number(b.orphaCode));
  // The bank sees every disorder (distractors come from the whole knowledge base); answers come from the pool.
  const bank = createQuestionBank(byCode);
  const inPool = new Set(pool.map((d) => d.orphaCode));
  const answerable = bank.answerable.filter((c) => inPool.has(c)).sort((a, b) => Number(a) - Number(b));
  const answerableSet = new Set(answerable);
  const order = rng.fork('split').shuffle([...answerable]);
  const n = order.length;
  const nHeld = Math.round(n * shares.heldOut);
  const n2 = Math.round(n * shares.stage2);
  const n1 = Math.round(n * shares.stage1);
  if (n - nHeld - n1 - n2 < 1 || nHeld < 1) throw new Error(`only ${n} disorders can be the answer of a template question: too few to split into training, stage 1, stage 2 and held-out disorders`);
  const sorted = (a: string[]) => a.sort((x, y) => Number(x) - Number(y));
  const split: Record<SplitName, string[]> = {
    heldOut: sorted(order.slice(0, nHeld)),
    stage2: sorted(order.slice(nHeld, nHeld + n2)),
    stage1: sorted(order.slice(nHeld + n2, nHeld + n2 + n1)),
    train: sorted(order.slice(nHeld + n2 + n1)),
  };
  const texts: CorpusText[] = [];
  const cardRng = rng.fork('cards');
  for (const d of pool) for (let v = 0; v < variants; v++) texts.push({ kind: 'card', orphaCode: d.orphaCode, text: cardText(d, v, cardRng) });
  const questions: Record<SplitName, SplitQuestion[]> = { train: [], stage1: [], stage2: [], heldOut: [] };
  let rejectedDrafts = 0;
  for (const name of splitNames) {
    const positions = [0, 0, 0, 0];
    for (const code of split[name]) {
      const { questions: qs, rejected } = bank.questionsFor(code, name === 'train' ? perTrain : perEval, opts.seed + (name === 'train' ? 0 : 1000), positions);
      rejectedDrafts += rejected;
      for (const q of qs) {
        questions[name].push({ id: `nano-${name}-${q.id}`, orphaCode: code, questionType: q.questionType, question: formatQuestion(q.stem, q.options), gold: q.intendedAnswer, stem: q.stem, options: q.options, source: q });
        if (name === 'train') texts.push({ kind: 'question', orphaCode: code, text: questionPrompt(q), answer: answerText(q) });
      }
    }
  }
  // Questions interleaved with cards in a seeded order: the trainer takes batches off the front.
  rng.fork('order').shuffle(texts);
  return {
    texts,
    split,
    cardOnly: pool.map((d) => d.orphaCode).filter((c) => !answerableSet.has(c)),
    questions,
    stats: { disorders: pool.length, cards: pool.length * variants, trainQuestions: questions.train.length, rejectedDrafts },
  };
}
