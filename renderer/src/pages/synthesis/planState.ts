import { difficulties, prevalenceClasses, questionTypes, type PlanReport, type SynthesisPlanInput } from '../../../../api/synthesis.js';

/** The dimensions with a fixed list of values; branch and disorder type take theirs from the knowledge base. */
export const fixedDimensions = {
  questionType: questionTypes,
  difficulty: difficulties,
  prevalenceClass: prevalenceClasses,
} as const;

/** Every dimension the CLI's plan accepts (README: --plan weights), in the editor's order. */
export const editableDimensionList = ['questionType', 'difficulty', 'prevalenceClass', 'branch', 'disorderType'] as const;
export type EditableDimension = (typeof editableDimensionList)[number];

export const dimensionLabels: Record<EditableDimension, string> = {
  questionType: 'Question type',
  difficulty: 'Difficulty',
  prevalenceClass: 'Prevalence class',
  branch: 'Classification branch',
  disorderType: 'Disorder type',
};

/** A value a dimension offers: its key in the plan and what people read. */
export interface DimensionValue {
  value: string;
  label: string;
}

export const MAX_COUNT = 200_000;

export interface PlanDraft {
  count: number;
  optionCount: 4 | 5;
  enabled: Record<EditableDimension, boolean>;
  weights: Record<EditableDimension, Record<string, number>>;
}

export const defaultDraft: PlanDraft = {
  count: 1000,
  optionCount: 5,
  enabled: { questionType: true, difficulty: true, prevalenceClass: false, branch: false, disorderType: false },
  weights: {
    questionType: { diagnosis: 0.5, gene: 0.3, inheritance: 0.2, phenotype: 0, 'next-investigation': 0 },
    difficulty: { easy: 0.3, medium: 0.4, hard: 0.3 },
    prevalenceClass: Object.fromEntries(prevalenceClasses.map((c) => [c, c === 'Unknown' ? 0 : 1])),
    branch: {},
    disorderType: {},
  },
};

const isRecordOf = (v: unknown, item: (x: unknown) => boolean): boolean =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every(item);

/** Guard for a stored draft (sessionStorage): a draft of another shape is ignored, never half-used. */
export function isPlanDraft(v: unknown): v is PlanDraft {
  if (typeof v !== 'object' || v === null) return false;
  const d = v as Partial<PlanDraft>;
  const finite = (x: unknown) => typeof x === 'number' && Number.isFinite(x) && x >= 0;
  return (
    typeof d.count === 'number' &&
    Number.isInteger(d.count) &&
    d.count >= 1 &&
    d.count <= MAX_COUNT &&
    (d.optionCount === 4 || d.optionCount === 5) &&
    isRecordOf(d.enabled, (x) => typeof x === 'boolean') &&
    editableDimensionList.every((dim) => typeof d.enabled?.[dim] === 'boolean' && isRecordOf(d.weights?.[dim], finite))
  );
}

/** The constrained dimensions whose weights are all 0: the plan leaves them out, and the editor says so. */
export function droppedDimensions(d: PlanDraft): EditableDimension[] {
  return editableDimensionList.filter((dim) => d.enabled[dim] && !Object.values(d.weights[dim]).some((w) => w > 0));
}

/** The plan the Api takes: switched-off dimensions, and those with only zero weights, are left out (unconstrained). */
export function toPlan(d: PlanDraft): SynthesisPlanInput {
  const weights: Record<string, Record<string, number>> = {};
  for (const dim of editableDimensionList) {
    if (!d.enabled[dim]) continue;
    const w = Object.fromEntries(Object.entries(d.weights[dim]).filter(([, v]) => v > 0));
    if (Object.keys(w).length > 0) weights[dim] = w;
  }
  return { count: d.count, optionCount: d.optionCount, weights: weights as SynthesisPlanInput['weights'] };
}

/**
 * Questions planned per value of one dimension: the sum of the planned cells (the allocation the generator
 * follows, largest remainder over the cells), so the numbers beside the weights add up to the count exactly.
 */
export function plannedPerValue(report: PlanReport | null, dim: EditableDimension): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of report?.cells ?? []) {
    const value = c.cell[dim];
    if (value !== undefined) out.set(value, (out.get(value) ?? 0) + c.planned);
  }
  return out;
}

/** A typed count turned into one the plan accepts, and what was changed (null when nothing was). */
export function clampCount(raw: string): { count: number; note: string | null } {
  const n = Math.floor(Number(raw));
  if (!Number.isFinite(n) || n < 1) return { count: 1, note: `"${raw}" is not a count of at least 1: using 1` };
  if (n > MAX_COUNT) return { count: MAX_COUNT, note: `At most ${MAX_COUNT.toLocaleString('en-US')} questions per run: using ${MAX_COUNT.toLocaleString('en-US')}` };
  if (n !== Number(raw)) return { count: n, note: `Whole questions only: using ${n}` };
  return { count: n, note: null };
}
