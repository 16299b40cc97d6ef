/**
 * Seeded, knowledge-enhanced synthesis (MedSSR, Figure 1): a generator model rewrites each seed question into a
 * new one in its style; for an exact share α of the questions (`rareRatio`, by largest remainder rather than a
 * coin flip per question, so 0.3 of 200 is 60) it is handed a knowledge card about a rare disorder the plan's
 * dimensions select, and must ground the question in it. Every question passes named checks; a rejected one
 * keeps them, and its slot is tried again so the achieved α stays at the plan's.
 */
import type { CheckResult, Difficulty, QuestionOption, QuestionType, SynthQuestion, SynthesisPlan } from '../../api/synthesis.js';
import type { PromptSpec } from '../llm/index.js';
import { checkQuestion, type CheckFacts } from './checker/rules.js';
import type { SynthDisorder } from './disorderFacts.js';
import { buildKnowledgeCard, cardText, type KnowledgeCard } from './knowledgeCard.js';
import type { KnowledgeIndex } from './knowledgeIndex.js';
import { exactJaccard, wordShingles } from './minhash.js';
import { largestRemainder, PER_DISORDER_CAP, planCells, buildPlanReport } from './planner.js';
import type { QuestionWriter } from './questionWriter.js';
import { createRng, type Rng } from './rng.js';
import type { SeedQuestion } from './seedStore.js';
import type { SynthesisHooks, SynthesisOutcome } from './synthesize.js';
import { LETTERS } from './templateGenerator.js';
import { containsPhrase, validityProblem } from './validity.js';

export const SEEDED_PROMPT_VERSION = 'seeded-v1';
/** A rewrite sharing this much of its seed's word 3-shingles is a near-copy, not a new question. */
export const SEED_COPY_THRESHOLD = 0.5;
export const ATTEMPTS_PER_SLOT = 3;

/** Rules that read only the patient and findings a stem states: they apply whatever the question asks. */
const textRules = new Set(['sex-specific-finding', 'self-report-in-young-child', 'finding-too-early', 'age-outside-onset', 'exclusive-findings', 'redundant-findings', 'clinical-prose']);

export function seededSchema(optionCount: number): Record<string, unknown> {
  return {
    type: 'object',
    properties: {
      question: { type: 'string' },
      options: { type: 'array', items: { type: 'string' }, minItems: optionCount, maxItems: optionCount },
      answer: { type: 'string', enum: LETTERS.slice(0, optionCount).split('') },
      factsUsed: { type: 'array', items: { type: 'string' } },
    },
    required: ['question', 'options', 'answer', 'factsUsed'],
    additionalProperties: false,
  };
}

function seedText(seed: SeedQuestion): string {
  return seed.question;
}

export function seededPrompt(seed: SeedQuestion, card: KnowledgeCard | null, optionCount: number): PromptSpec {
  const text =
    'Seed question. Write ONE NEW multiple-choice question in the same style (a clinical vignette asking what the seed asks: ' +
    'diagnosis, next step, mechanism or management). Do not copy its sentences.\n' +
    `${seedText(seed)}\n\n` +
    (card
      ? 'Make this rare disease the subject. State only facts from this card about it, and list the ids of the facts you used in factsUsed.\n' +
        `${cardText(card)}\n\n`
      : 'Keep to the seed\'s field of medicine; use no rare-disease card (factsUsed is []).\n\n') +
    `Reply as JSON: {"question": "<vignette ending with the question>", "options": [${optionCount} answer texts without letters], ` +
    '"answer": "<letter of the one correct option>", "factsUsed": [<card fact ids>]}.';
  return {
    turns: [
      { role: 'system', text: 'You write board-style medical multiple-choice questions with exactly one correct answer. You never invent facts about a disease beyond what you are given.' },
      { role: 'user', text },
    ],
    baseText: `${text}\nJSON: `,
  };
}

interface ParsedReply {
  stem: string;
  options: string[];
  answer: string;
  factsUsed: string[];
}

export function parseReply(text: string): ParsedReply | string {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return `the reply is not JSON: ${JSON.stringify(text.slice(0, 60))}`;
  }
  if (typeof v !== 'object' || v === null) return 'the reply is not a JSON object';
  const o = v as Record<string, unknown>;
  if (typeof o.question !== 'string') return 'the reply has no "question" text';
  if (!Array.isArray(o.options) || !o.options.every((x) => typeof x === 'string')) return 'the reply has no "options" list of texts';
  if (typeof o.answer !== 'string') return 'the reply has no "answer" letter';
  const facts = Array.isArray(o.factsUsed) ? o.factsUsed.filter((x): x is string => typeof x === 'string') : [];
  return { stem: o.question.trim(), options: (o.options as string[]).map((t) => t.replace(/^[A-J][.)]\s*/, '').trim()), answer: o.answer.trim().toUpperCase(), factsUsed: facts };
}

/** What a seeded question asks, read from its key, so the checker applies the rules of that kind. */
function classify(answerText: string, d: SynthDisorder): QuestionType | null {
  const a = answerText.trim().toLowerCase();
  if (a === d.name.toLowerCase() || d.namesLower.includes(a)) return 'diagnosis';
  if (d.causalGenes.some((g) => g.symbol.toLowerCase() === a || containsPhrase(answerText, g.symbol))) return 'gene';
  if ((d.inheritance as string[]).some((m) => m.toLowerCase() === a)) return 'inheritance';
  return null;
}

export interface SeededJudgement {
  draft: Omit<SynthQuestion, 'id' | 'status' | 'rejectReason'>;
  checks: CheckResult[];
}

/** Every check on one reply; the draft is what gets stored (accepted or rejected). */
export function judgeSeeded(
  index: KnowledgeIndex,
  reply: string,
  ctx: { seed: SeedQuestion; card: KnowledgeCard | null; disorder: SynthDisorder | null; optionCount: number; difficulty: Difficulty; planSeed: number; writer: string; cell: Record<string, string> },
): SeededJudgement {
  const parsed = parseReply(reply);
  const checks: CheckResult[] = [];
  const push = (rule: string, problem: string | null) => checks.push(problem ? { rule, passed: false, detail: problem } : { rule, passed: true });
  const shape = typeof parsed === 'string' ? parsed : null;
  push('output-shape', shape);
  const p: ParsedReply = typeof parsed === 'string' ? { stem: '', options: [], answer: '', factsUsed: [] } : parsed;
  const options: QuestionOption[] = p.options.map((text, i) => ({ letter: LETTERS[i] as string, text }));
  const keyed = options.find((o) => o.letter === p.answer);
  const answerText = keyed?.text ?? '';
  const d = ctx.disorder;
  const type = d && keyed ? classify(answerText, d) : null;
  if (!shape) {
    push(
      'validity',
      keyed
        ? validityProblem({ stem: p.stem, options, intendedAnswer: p.answer, answerText, forbiddenInStem: [answerText, ...(type === 'diagnosis' && d ? [d.name] : [])], optionCount: ctx.optionCount })
        : `the answer "${p.answer}" is not one of the options`,
    );
    const words = p.stem.split(/\s+/).filter(Boolean).length;
    const longOption = options.find((o) => o.text.split(/\s+/).length > 30);
    push(
      'exam-question',
      !/\?\s*$/.test(p.stem)
        ? 'the stem does not end with a question'
        : words < 15
          ? `the stem has ${words} words; an exam vignette needs at least 15`
          : longOption
            ? `option ${longOption.letter} runs over 30 words`
            : null,
    );
    const cardIds = new Set(ctx.card?.facts.map((f) => f.id) ?? []);
    const foreign = p.factsUsed.filter((id) => !cardIds.has(id));
    push(
      'facts-in-card',
      foreign.length > 0
        ? `cites ${foreign.slice(0, 3).join(', ')}, not on the card`
        : ctx.card && p.factsUsed.length === 0
          ? 'a knowledge card was injected but the question cites none of its facts'
          : ctx.card && d && !options.some((o) => o.text.toLowerCase() === d.name.toLowerCase()) && !d.phenotypes.some((ph) => containsPhrase(p.stem, ph.term))
            ? `the question is not about ${d.name}`
            : null,
    );
    const copy = exactJaccard(wordShingles(`${p.stem}\n${p.options.join('\n')}`), wordShingles(ctx.seed.question));
    push('seed-copy', copy >= SEED_COPY_THRESHOLD ? `shares ${(copy * 100).toFixed(0)}% of its seed's word 3-grams (≥ ${SEED_COPY_THRESHOLD * 100}%)` : null);
    if (d && keyed) {
      const findings = d.phenotypes.filter((ph) => containsPhrase(p.stem, ph.term)).map((ph) => ({ hpoId: ph.hpoId, term: ph.term }));
      const facts: CheckFacts = {
        findings,
        familyPattern: null,
        keyedGene: type === 'gene' ? (d.causalGenes.find((g) => containsPhrase(answerText, g.symbol))?.symbol ?? null) : null,
        askedFinding: null,
        distractors: options.filter((o) => o !== keyed).map((o) => ({ text: o.text, orphaCode: index.byCode.get(nameToCode(index, o.text) ?? '')?.orphaCode ?? null })),
        namesNotInStem: [],
      };
      const draftForCheck = { questionType: type ?? 'diagnosis', difficulty: ctx.difficulty, stem: p.stem, options, intendedAnswer: p.answer, provenance: emptyProvenance() };
      for (const r of checkQuestion({ draft: draftForCheck, answerText, answer: d, facts, index })) {
        // A seeded question has no designed difficulty and its wrong options need not be disorders.
        if (r.rule === 'difficulty-by-design' || r.rule === 'findings-by-frequency' || r.rule === 'distractor-fits-worse') continue;
        if (type === null && !textRules.has(r.rule)) continue;
        checks.push(r);
      }
    }
  }
  const factsUsed = p.factsUsed.filter((id) => ctx.card?.facts.some((f) => f.id === id));
  return {
    checks,
    draft: {
      questionType: type ?? 'diagnosis',
      difficulty: ctx.difficulty,
      stem: p.stem || '(no question)',
      options,
      intendedAnswer: keyed ? p.answer : 'A',
      provenance: {
        orphaCodes: d ? [d.orphaCode] : [],
        facts: ctx.card ? ctx.card.facts.map(({ text: _text, ...f }) => f) : [],
        cell: ctx.cell,
        generator: { kind: 'model', version: SEEDED_PROMPT_VERSION, model: ctx.writer },
        seed: ctx.planSeed,
        filters: { seedJaccard: shape ? null : Math.round(exactJaccard(wordShingles(`${p.stem}\n${p.options.join('\n')}`), wordShingles(ctx.seed.question)) * 1000) / 1000 },
        checks,
        seedId: ctx.seed.id,
        knowledge: ctx.card !== null,
        factsUsed,
      },
    },
  };
}

function emptyProvenance() {
  return { orphaCodes: [], facts: [], cell: {}, generator: { kind: 'model' as const, version: SEEDED_PROMPT_VERSION }, seed: 0, filters: {} };
}

let nameIndex: { index: KnowledgeIndex; byName: Map<string, string> } | null = null;
function nameToCode(index: KnowledgeIndex, name: string): string | undefined {
  if (!nameIndex || nameIndex.index !== index) nameIndex = { index, byName: new Map(index.disorders.map((d) => [d.name.toLowerCase(), d.orphaCode])) };
  return nameIndex.byName.get(name.trim().toLowerCase());
}

/** The disorders the card slots inject, by the plan's cells (largest remainder over the card slots). */
function cardDisorders(index: KnowledgeIndex, plan: SynthesisPlan, slots: number, rng: Rng): { disorder: SynthDisorder; cell: Record<string, string>; difficulty: Difficulty }[] {
  const cells = planCells({ ...plan, count: Math.max(1, slots) }, index).filter((c) => c.eligible.length > 0);
  const quotas = largestRemainder(
    cells.map((c) => c.share),
    slots,
  );
  const out: { disorder: SynthDisorder; cell: Record<string, string>; difficulty: Difficulty }[] = [];
  cells.forEach((c, i) => {
    const order = rng.shuffle([...c.eligible]);
    for (let k = 0; k < (quotas[i] ?? 0); k++) {
      const disorder = order[k % order.length] as SynthDisorder;
      if (Math.floor(k / order.length) >= PER_DISORDER_CAP) break;
      out.push({ disorder, cell: c.cell as Record<string, string>, difficulty: (c.cell.difficulty as Difficulty | undefined) ?? 'medium' });
    }
  });
  return rng.shuffle(out);
}

export interface SeededOptions {
  seed: number;
  idPrefix: string;
}

export async function runSeededSynthesis(
  index: KnowledgeIndex,
  plan: SynthesisPlan,
  seeds: readonly SeedQuestion[],
  writer: QuestionWriter,
  opts: SeededOptions,
  hooks: Pick<SynthesisHooks, 'onQuestion' | 'onProgress' | 'signal' | 'isCancelled'> = {},
): Promise<SynthesisOutcome> {
  if (seeds.length === 0) throw new Error('The plan\'s seed sets hold no questions');
  const rng = createRng(opts.seed);
  const perSeed = plan.seeds?.perSeed ?? 1;
  const alpha = plan.rareRatio ?? 0;
  const count = plan.count;
  const order = rng.shuffle([...seeds]);
  const [withCard = 0] = largestRemainder([alpha, 1 - alpha], count);
  const cards = cardDisorders(index, plan, withCard, rng.fork('cards'));
  // Which slots carry a card: an exact count, spread at random over the run.
  const slotHasCard = rng.shuffle(Array.from({ length: count }, (_, i) => i < cards.length));
  const questions: SynthQuestion[] = [];
  const rejections: Record<string, number> = {};
  let accepted = 0;
  let serial = 0;
  let cardAt = 0;
  let cardAccepted = 0;
  let cancelled = false;
  const schema = seededSchema(plan.optionCount);
  for (let slot = 0; slot < count; slot++) {
    const seed = order[Math.floor(slot / perSeed) % order.length] as SeedQuestion;
    const inject = slotHasCard[slot] ? cards[cardAt++] : undefined;
    const card = inject ? buildKnowledgeCard(index, inject.disorder) : null;
    for (let attempt = 0; attempt < ATTEMPTS_PER_SLOT; attempt++) {
      if (hooks.signal?.aborted || hooks.isCancelled?.()) {
        cancelled = true;
        break;
      }
      const written = await writer.write(seededPrompt(seed, card, plan.optionCount), schema, rng.int(2 ** 31), hooks.signal);
      const j = judgeSeeded(index, written.text, {
        seed,
        card,
        disorder: inject?.disorder ?? null,
        optionCount: plan.optionCount,
        difficulty: inject?.difficulty ?? 'medium',
        planSeed: opts.seed,
        writer: writer.name,
        cell: inject?.cell ?? {},
      });
      const id = `${opts.idPrefix}-${String(++serial).padStart(6, '0')}`;
      const failed = j.checks.find((c) => !c.passed);
      if (failed) {
        for (const c of j.checks) if (!c.passed) rejections[c.rule] = (rejections[c.rule] ?? 0) + 1;
        const q: SynthQuestion = { ...j.draft, id, status: 'rejected', rejectReason: `${failed.rule}: ${failed.detail ?? 'failed'}` };
        questions.push(q);
        await hooks.onQuestion?.(q);
        continue;
      }
      const q: SynthQuestion = { ...j.draft, id, status: 'accepted', rejectReason: null };
      questions.push(q);
      await hooks.onQuestion?.(q);
      accepted++;
      if (card) cardAccepted++;
      hooks.onProgress?.(accepted, count);
      break;
    }
    if (cancelled) break;
  }
  const report = buildPlanReport({ ...plan, weights: {} }, [], new Map([['*', accepted]]), {}, {});
  report.count = count;
  report.planned = count;
  report.achievable = count;
  report.achieved = accepted;
  report.rejections = rejections;
  report.rareRatio = { planned: alpha, plannedCards: withCard, achieved: accepted > 0 ? cardAccepted / accepted : 0, achievedCards: cardAccepted };
  return { questions, report, failures: {}, cancelled };
}
