/**
 * Runs a plan: fills every cell's quota from its eligible disorders with a generator, passes each question
 * through the validity, near-duplicate and (optional) reasoning filters, and reports planned vs achievable vs
 * achieved. Deterministic for a given seed; DB-free (the job layer stores what comes out).
 */
import type { Difficulty, PlanCell, PlanDimension, QuestionType, SynthQuestion, SynthesisPlan } from '../../api/synthesis.js';
import type { SynthDisorder } from './disorderFacts.js';
import type { KnowledgeIndex } from './knowledgeIndex.js';
import { NearDuplicateIndex } from './minhash.js';
import { freeDifficulties, freeQuestionTypes, PER_DISORDER_CAP, planCells, buildPlanReport, type PlannedCell } from './planner.js';
import { createRng, type Rng } from './rng.js';
import { generateTemplateQuestion, type Draft, type GenerateResult, type TemplateRequest } from './templateGenerator.js';
import { validityProblem } from './validity.js';
import { questionTypeModule } from './questionTypes/index.js';
import { checkQuestion, checkRules } from './checker/rules.js';
import type { PlanReport } from '../../api/synthesis.js';

export interface SynthesisOptions {
  seed: number;
  idPrefix: string;
  nearDuplicateThreshold?: number;
  reasoningThreshold?: number;
}

export interface SynthesisHooks {
  /** Replaces the template generator (the model generator). */
  generate?: (req: TemplateRequest, rng: Rng) => Promise<GenerateResult> | GenerateResult;
  /** Returns reasoning_prob for a draft (the classifier); questions under the threshold are rejected. */
  reasoningProb?: (draft: Draft) => Promise<number>;
  /** Called for every question (accepted or rejected) in order. */
  onQuestion?: (q: SynthQuestion) => void | Promise<void>;
  onProgress?: (accepted: number, planned: number) => void;
  signal?: AbortSignal;
  /** Polled between questions (a worker thread's shared cancel flag). */
  isCancelled?: () => boolean;
}

export interface SynthesisOutcome {
  questions: SynthQuestion[];
  report: PlanReport;
  /** Generation attempts that produced no question, by reason. */
  failures: Record<string, number>;
  cancelled: boolean;
}

/** The names a question's stem must not contain: its type's module says which. */
export function forbiddenNames(d: SynthDisorder, draft: Draft, correct: string): string[] {
  return questionTypeModule(draft.questionType).namesNotInStem(d, correct);
}

/** Position with the fewest uses so far (random among ties): uniform over letters and balanced at any prefix. */
export function balancedPosition(rng: Rng, counts: number[]): number {
  const min = Math.min(...counts);
  const candidates = counts.map((c, i) => (c === min ? i : -1)).filter((i) => i >= 0);
  return rng.pick(candidates);
}

export async function runSynthesis(index: KnowledgeIndex, plan: SynthesisPlan, opts: SynthesisOptions, hooks: SynthesisHooks = {}): Promise<SynthesisOutcome> {
  const rng = createRng(opts.seed);
  const cells = planCells(plan, index);
  const dedup = new NearDuplicateIndex(opts.nearDuplicateThreshold ?? 0.8);
  const reasoningThreshold = opts.reasoningThreshold ?? 0.75;
  const generate = hooks.generate ?? ((req: TemplateRequest, r: Rng) => generateTemplateQuestion(index, req, r));
  const positionCounts = new Array<number>(plan.optionCount).fill(0);
  const questions: SynthQuestion[] = [];
  const failures: Record<string, number> = {};
  const rejections: Record<string, number> = {};
  const achievedCells = new Map<string, number>();
  const achievedByDim: Partial<Record<PlanDimension, Map<string, number>>> = {};
  const bump = (dim: PlanDimension, value: string) => {
    const m = (achievedByDim[dim] ??= new Map());
    m.set(value, (m.get(value) ?? 0) + 1);
  };
  const planned = cells.reduce((s, c) => s + c.planned, 0);
  let accepted = 0;
  let serial = 0;
  let cancelled = false;

  const emit = async (q: SynthQuestion) => {
    questions.push(q);
    await hooks.onQuestion?.(q);
  };

  outer: for (const cell of cells) {
    if (cell.planned === 0 || cell.eligible.length === 0) continue;
    const cellRng = rng.fork(cell.key);
    const order = cellRng.shuffle([...cell.eligible]);
    const uses = new Map<string, number>();
    const failed = new Set<string>();
    let filled = 0;
    let cursor = 0;
    let attempts = 0;
    const maxAttempts = cell.planned * 6 + 20;
    while (filled < cell.planned && attempts < maxAttempts) {
      if (hooks.signal?.aborted || hooks.isCancelled?.()) {
        cancelled = true;
        break outer;
      }
      const at = nextDisorder(order, cursor, uses, failed);
      if (at < 0) break;
      const answer = order[at] as SynthDisorder;
      cursor = (at + 1) % order.length;
      attempts++;
      const questionType = (cell.cell.questionType as QuestionType | undefined) ?? pickFree(cellRng, freeQuestionTypes(answer));
      const difficulty = (cell.cell.difficulty as Difficulty | undefined) ?? pickFree(cellRng, freeDifficulties(index, answer, plan.optionCount));
      if (!questionType || !difficulty) {
        failed.add(answer.orphaCode);
        continue;
      }
      const correctIndex = balancedPosition(cellRng, positionCounts);
      const req: TemplateRequest = { answer, questionType, difficulty, optionCount: plan.optionCount, correctIndex, cell: cell.cell, seed: opts.seed };
      const result = await generate(req, cellRng);
      if (!result.ok) {
        failures[result.reason.replace(/\d+/g, 'N')] = (failures[result.reason.replace(/\d+/g, 'N')] ?? 0) + 1;
        failed.add(`${answer.orphaCode}`);
        continue;
      }
      const draft = result.draft;
      const id = `${opts.idPrefix}-${String(++serial).padStart(6, '0')}`;
      const reject = async (reason: string) => emit({ ...draft, id, status: 'rejected', rejectReason: reason });

      const correctText = result.answerText;
      const problem = validityProblem({
        stem: draft.stem,
        options: draft.options,
        intendedAnswer: draft.intendedAnswer,
        answerText: correctText,
        forbiddenInStem: forbiddenNames(answer, draft, correctText),
        optionCount: plan.optionCount,
      });
      draft.provenance.filters.validity = problem ? 'fail' : 'pass';
      const checks = [
        { rule: 'validity', passed: problem === null, ...(problem ? { detail: problem } : {}) },
        ...checkQuestion({ draft, answerText: correctText, answer, facts: result.check, index }),
      ];
      draft.provenance.checks = checks;
      const failedCheck = checks.find((c) => !c.passed);
      if (failedCheck) {
        for (const c of checks) if (!c.passed) rejections[c.rule] = (rejections[c.rule] ?? 0) + 1;
        await reject(`${failedCheck.rule}: ${failedCheck.detail ?? 'failed'}`);
        continue;
      }
      const fullText = `${draft.stem}\n${draft.options.map((o) => `${o.letter}. ${o.text}`).join('\n')}`;
      const dup = dedup.addIfNew(id, fullText);
      draft.provenance.filters.nearDuplicateJaccard = dup ? Math.round(dup.jaccard * 1000) / 1000 : null;
      if (dup) {
        rejections['near-duplicate'] = (rejections['near-duplicate'] ?? 0) + 1;
        await reject(`near-duplicate of ${dup.id} (Jaccard ${dup.jaccard.toFixed(2)} ≥ ${dedup.threshold})`);
        uses.set(answer.orphaCode, (uses.get(answer.orphaCode) ?? 0) + 1);
        continue;
      }
      if (hooks.reasoningProb) {
        const p = await hooks.reasoningProb(draft);
        draft.provenance.filters.reasoningProb = Math.round(p * 10000) / 10000;
        if (p < reasoningThreshold) {
          rejections.memorization = (rejections.memorization ?? 0) + 1;
          await reject(`memorization: reasoning_prob ${p.toFixed(3)} < ${reasoningThreshold}`);
          continue;
        }
      }
      uses.set(answer.orphaCode, (uses.get(answer.orphaCode) ?? 0) + 1);
      positionCounts[correctIndex] = (positionCounts[correctIndex] ?? 0) + 1;
      filled++;
      accepted++;
      achievedCells.set(cell.key, (achievedCells.get(cell.key) ?? 0) + 1);
      bump('questionType', questionType);
      bump('difficulty', difficulty);
      bump('prevalenceClass', answer.prevalenceClass);
      bump('disorderType', answer.disorderType);
      if (cell.cell.branch) bump('branch', cell.cell.branch);
      await emit({ ...draft, id, status: 'accepted', rejectReason: null });
      hooks.onProgress?.(accepted, planned);
    }
  }
  const labels: Record<string, string> = {};
  for (const [code, name] of index.branchNames) labels[code] = name;
  const report = buildPlanReport(plan, cells, achievedCells, achievedByDim, labels);
  report.rejections = rejections;
  report.rules = [{ name: 'validity', title: 'Options well formed and distinct, one keyed answer, the answer not named in the stem' }, ...checkRules.map((r) => ({ name: r.name, title: r.title }))];
  return { questions, report, failures, cancelled };
}

function pickFree<T>(rng: Rng, values: T[]): T | undefined {
  return values.length > 0 ? rng.pick(values) : undefined;
}

/** Next disorder in the shuffled cycle that is under its cap and has not failed in this cell. */
function nextDisorder(order: SynthDisorder[], start: number, uses: Map<string, number>, failed: Set<string>): number {
  for (let i = 0; i < order.length; i++) {
    const at = (start + i) % order.length;
    const d = order[at] as SynthDisorder;
    if (failed.has(d.orphaCode)) continue;
    if ((uses.get(d.orphaCode) ?? 0) >= PER_DISORDER_CAP) continue;
    return at;
  }
  return -1;
}

export type { PlannedCell, PlanCell };
