/**
 * Plan → exact quotas. The target share of a cell is the product of its dimensions' shares (dimensions are
 * independent unless the user says otherwise); largest remainder turns count × share into integers that sum to
 * count exactly. Eligibility says which disorders can fill a cell, so "planned vs achievable" is known up front.
 */
import {
  difficulties,
  planDimensions,
  questionTypes,
  type CellReport,
  type Difficulty,
  type DimensionReport,
  type PlanCell,
  type PlanDimension,
  type PlanReport,
  type QuestionType,
  type SynthesisPlan,
} from '../../api/synthesis.js';
import type { SynthDisorder } from './disorderFacts.js';
import type { KnowledgeIndex } from './knowledgeIndex.js';
import { questionTypeModule } from './questionTypes/index.js';

/** A disorder can answer at most this many questions in one cell before the cell counts as exhausted. */
export const PER_DISORDER_CAP = 4;

export type NormalisedWeights = Partial<Record<PlanDimension, [string, number][]>>;

/** Drops zero weights and scales each constrained dimension to sum to 1; values keep their given order. */
export function normaliseWeights(plan: Pick<SynthesisPlan, 'weights'>): NormalisedWeights {
  const out: NormalisedWeights = {};
  for (const dim of planDimensions) {
    const w = plan.weights[dim] as Record<string, number> | undefined;
    if (!w) continue;
    const entries = Object.entries(w).filter(([, v]) => v > 0);
    const total = entries.reduce((s, [, v]) => s + v, 0);
    if (entries.length === 0 || total <= 0) continue;
    out[dim] = entries.map(([k, v]) => [k, v / total]);
  }
  return out;
}

/** Integers proportional to targets that sum to `total`; ties go to the earlier index (deterministic). */
export function largestRemainder(shares: readonly number[], total: number): number[] {
  const sum = shares.reduce((s, v) => s + v, 0);
  if (sum <= 0) return shares.map(() => 0);
  const exact = shares.map((s) => (s / sum) * total);
  const floors = exact.map(Math.floor);
  let left = total - floors.reduce((s, v) => s + v, 0);
  const order = exact.map((e, i) => ({ i, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    floors[i] = (floors[i] ?? 0) + 1;
    left--;
  }
  return floors;
}

export interface AllocatedCell {
  key: string;
  cell: PlanCell;
  share: number;
  planned: number;
}

export function cellKey(cell: PlanCell): string {
  return planDimensions.map((d) => cell[d] ?? '*').join('|');
}

/**
 * Quotas over the product of constrained dimensions; pure (no knowledge needed), so the UI can chart it live.
 * Rounded one dimension at a time (largest remainder of the count over the first dimension's weights, then of
 * each of those quotas over the next dimension's, …): the first dimension's totals are then exactly what its
 * weights say (.3/.2/.2/.15/.15 of 40 → 12/8/8/6/6), where rounding every cell of the product at once gave
 * 13/8/7/6/6 beside a second dimension, or 11/11/11/7/0 beside an eleven-valued one; later dimensions carry
 * their rounding from one parent to the next, so their totals stay within one of the target too.
 */
export function allocate(plan: Pick<SynthesisPlan, 'count' | 'weights'>): AllocatedCell[] {
  const weights = normaliseWeights(plan);
  let cells: { cell: PlanCell; share: number; planned: number }[] = [{ cell: {}, share: 1, planned: plan.count }];
  for (const dim of planDimensions) {
    const entries = weights[dim];
    if (!entries) continue;
    const next: typeof cells = [];
    // What each value has been owed and given so far over the parents: a parent's split leans toward the
    // values earlier parents rounded down, so this dimension's totals also stay within one of their target.
    const owed = entries.map(() => 0);
    const given = entries.map(() => 0);
    for (const c of cells) {
      const exact = entries.map(([, p]) => c.planned * p);
      const quotas = largestRemainder(
        exact.map((e, i) => Math.max(0, e + (owed[i] ?? 0) - (given[i] ?? 0))),
        c.planned,
      );
      entries.forEach(([value, p], i) => {
        owed[i] = (owed[i] ?? 0) + (exact[i] ?? 0);
        given[i] = (given[i] ?? 0) + (quotas[i] ?? 0);
        next.push({ cell: { ...c.cell, [dim]: value }, share: c.share * p, planned: quotas[i] ?? 0 });
      });
    }
    cells = next;
  }
  return cells.map((c) => ({ key: cellKey(c.cell), cell: c.cell, share: c.share, planned: c.planned }));
}

export function supportsQuestionType(d: SynthDisorder, qt: QuestionType): boolean {
  return questionTypeModule(qt).eligible(d);
}

export function supportsDifficulty(index: KnowledgeIndex, d: SynthDisorder, difficulty: Difficulty, optionCount: number): boolean {
  const need = optionCount - 1;
  switch (difficulty) {
    case 'easy':
      return index.distractorPool.length > need;
    case 'medium':
      return index.groups(d).some((g) => g.members.length > need);
    case 'hard':
      return index.overlapCount(d) >= need;
  }
}

export function matchesCell(index: KnowledgeIndex, d: SynthDisorder, cell: PlanCell, optionCount: number): boolean {
  if (cell.branch !== undefined && !d.branches.includes(cell.branch)) return false;
  if (cell.prevalenceClass !== undefined && d.prevalenceClass !== cell.prevalenceClass) return false;
  if (cell.disorderType !== undefined && d.disorderType !== cell.disorderType) return false;
  if (cell.questionType !== undefined && !supportsQuestionType(d, cell.questionType as QuestionType)) return false;
  if (cell.difficulty !== undefined && !supportsDifficulty(index, d, cell.difficulty as Difficulty, optionCount)) return false;
  return true;
}

export function eligibleDisorders(index: KnowledgeIndex, cell: PlanCell, optionCount: number): SynthDisorder[] {
  return index.answerPool.filter((d) => matchesCell(index, d, cell, optionCount));
}

/** The free dimensions of a cell are drawn per question among what the chosen disorder supports. */
export function freeQuestionTypes(d: SynthDisorder): QuestionType[] {
  return questionTypes.filter((qt) => supportsQuestionType(d, qt));
}
export function freeDifficulties(index: KnowledgeIndex, d: SynthDisorder, optionCount: number): Difficulty[] {
  return difficulties.filter((df) => supportsDifficulty(index, d, df, optionCount));
}

export interface PlannedCell extends AllocatedCell {
  eligible: SynthDisorder[];
  achievable: number;
}

/**
 * Cells share prefixes (every branch under one question type, ...), so each prefix's eligible list is filtered
 * once from its parent's instead of scanning the whole pool per cell: a full Orphanet cross product (34,650 cells)
 * took 15 s scanned per cell. Filtering keeps the pool's order, so the lists equal `eligibleDisorders`.
 */
export function planCells(plan: SynthesisPlan, index: KnowledgeIndex): PlannedCell[] {
  const byPrefix = new Map<string, SynthDisorder[]>([['', index.answerPool]]);
  const eligibleFor = (cell: PlanCell): SynthDisorder[] => {
    let prefix = '';
    let pool = index.answerPool;
    for (const dim of planDimensions) {
      const value = cell[dim];
      if (value === undefined) continue;
      const key = `${prefix}\u0000${dim}=${value}`;
      let next = byPrefix.get(key);
      if (!next) {
        next = pool.filter((d) => matchesCell(index, d, { [dim]: value }, plan.optionCount));
        byPrefix.set(key, next);
      }
      prefix = key;
      pool = next;
    }
    return pool;
  };
  return allocate(plan).map((c) => {
    const eligible = c.planned > 0 ? eligibleFor(c.cell) : [];
    return { ...c, eligible, achievable: Math.min(c.planned, eligible.length * PER_DISORDER_CAP) };
  });
}

export function totalVariationDistance(p: Record<string, number>, q: Record<string, number>): number {
  const keys = new Set([...Object.keys(p), ...Object.keys(q)]);
  let sum = 0;
  for (const k of keys) sum += Math.abs((p[k] ?? 0) - (q[k] ?? 0));
  return sum / 2;
}

/** Planned vs achievable vs achieved; `achievedCells` counts accepted questions by their plan-cell key. */
export function buildPlanReport(
  plan: SynthesisPlan,
  cells: PlannedCell[],
  achievedCells: Map<string, number>,
  achievedByDimension: Partial<Record<PlanDimension, Map<string, number>>>,
  labels: Record<string, string>,
): PlanReport {
  const weights = normaliseWeights(plan);
  const cellReports: CellReport[] = cells
    .filter((c) => c.planned > 0 || (achievedCells.get(c.key) ?? 0) > 0)
    .map((c) => ({
      cell: c.cell,
      planned: c.planned,
      eligibleDisorders: c.eligible.length,
      achievable: c.achievable,
      achieved: achievedCells.get(c.key) ?? 0,
    }));
  const achievedTotal = [...achievedCells.values()].reduce((s, v) => s + v, 0);
  const dimensions: DimensionReport[] = [];
  for (const dim of planDimensions) {
    const entries = weights[dim];
    if (!entries) continue;
    const planned = Object.fromEntries(entries);
    const counts = achievedByDimension[dim] ?? new Map<string, number>();
    const n = [...counts.values()].reduce((s, v) => s + v, 0);
    const achieved: Record<string, number> = {};
    for (const [k, v] of counts) achieved[k] = n > 0 ? v / n : 0;
    dimensions.push({ dimension: dim, planned, achieved, tvd: n > 0 ? totalVariationDistance(planned, achieved) : 1 });
  }
  return {
    count: plan.count,
    planned: cells.reduce((s, c) => s + c.planned, 0),
    achievable: cells.reduce((s, c) => s + c.achievable, 0),
    achieved: achievedTotal,
    perDisorderCap: PER_DISORDER_CAP,
    cells: cellReports,
    dimensions,
    labels,
  };
}

/**
 * Branch codes and disorder types are free text in a plan; one the knowledge base does not have would make an
 * empty cell that silently lowers what is achievable, so it is refused by name instead.
 */
export function unknownPlanValues(plan: Pick<SynthesisPlan, 'weights'>, index: KnowledgeIndex): string | null {
  const known = { branch: new Set<string>(), disorderType: new Set<string>() };
  for (const d of index.disorders) {
    for (const b of d.branches) known.branch.add(b);
    known.disorderType.add(d.disorderType);
  }
  const what = { branch: 'classification branch (ORPHA code)', disorderType: 'disorder type' } as const;
  const problems: string[] = [];
  for (const dim of ['branch', 'disorderType'] as const) {
    const unknown = Object.keys(plan.weights[dim] ?? {}).filter((v) => !known[dim].has(v));
    if (unknown.length === 0) continue;
    const shown = unknown.slice(0, 5).map((v) => JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v));
    const more = unknown.length > shown.length ? ` and ${unknown.length - shown.length} more` : '';
    problems.push(`weights.${dim}: no ${what[dim]} ${shown.join(', ')}${more} in the knowledge base`);
  }
  return problems.length > 0 ? problems.join('; ') : null;
}
