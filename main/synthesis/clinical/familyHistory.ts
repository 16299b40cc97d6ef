/**
 * Family histories as pedigree patterns: which annotated inheritance modes each pattern is evidence for, and
 * whether the disorder's nature (annotated "not applicable"/"unknown", lethal, typically de novo) allows showing
 * transmission between generations at all.
 */
import type { InheritanceMode } from '../disorderFacts.js';
import type { Sex } from './findings.js';

export const familyPatterns = [
  'none',
  'vertical',
  'male-to-male',
  'maternal-uncle',
  'x-dominant',
  'maternal-line',
  'consanguinity',
  'affected-sibling',
  'first-degree',
  'paternal-line-y',
  'both-parents-mild',
] as const;
export type FamilyPattern = (typeof familyPatterns)[number];

/** Modes a pattern is evidence for ('none' fits every disorder). */
export const patternModes: Record<Exclude<FamilyPattern, 'none'>, InheritanceMode[]> = {
  vertical: ['Autosomal dominant'],
  'male-to-male': ['Autosomal dominant'],
  'maternal-uncle': ['X-linked recessive'],
  'x-dominant': ['X-linked dominant'],
  'maternal-line': ['Mitochondrial inheritance'],
  consanguinity: ['Autosomal recessive'],
  'affected-sibling': ['Autosomal recessive'],
  'first-degree': ['Multigenic/multifactorial'],
  'paternal-line-y': ['Y-linked'],
  'both-parents-mild': ['Semi-dominant'],
};

/** Patterns that show an affected parent or earlier generation: impossible when the disorder is not transmitted. */
export const verticalPatterns: ReadonlySet<FamilyPattern> = new Set(['vertical', 'male-to-male', 'x-dominant', 'maternal-line', 'paternal-line-y', 'both-parents-mild']);

export interface TransmissionFacts {
  inheritance: readonly InheritanceMode[];
  /** Why affected people do not pass it on (null when they can). */
  notTransmitted: string | null;
}

/** Null when the pattern fits the disorder, else why not. */
export function familyPatternProblem(pattern: FamilyPattern, d: TransmissionFacts, sex: Sex | null): string | null {
  if (pattern === 'none') return null;
  const modes = patternModes[pattern];
  if (!modes.some((m) => d.inheritance.includes(m))) {
    return `a ${pattern} family history for a disorder annotated ${d.inheritance.length ? d.inheritance.join(', ') : 'without an inheritance mode'}`;
  }
  if (verticalPatterns.has(pattern) && d.notTransmitted) return `transmission across generations shown for a disorder that is ${d.notTransmitted}`;
  if ((pattern === 'maternal-uncle' || pattern === 'paternal-line-y') && sex === 'female') return `a ${pattern} pattern in a female patient`;
  return null;
}

/** Patterns that can stand for a mode in this disorder, the most telling first. */
export function patternsFor(mode: InheritanceMode | null, d: TransmissionFacts): FamilyPattern[] {
  if (!mode) return ['none'];
  const out = (Object.keys(patternModes) as Exclude<FamilyPattern, 'none'>[]).filter(
    (p) => patternModes[p].includes(mode) && familyPatternProblem(p, d, null) === null,
  );
  return out.length > 0 ? out : ['none'];
}

export function familyHistoryText(pattern: FamilyPattern, sex: Sex, pick: <T>(items: readonly T[]) => T): string {
  const pos = sex === 'male' ? 'His' : 'Her';
  const low = pos.toLowerCase();
  const texts: Record<FamilyPattern, string[]> = {
    none: ['There is no family history of similar problems, and the parents are healthy and unrelated.', 'The family history is unremarkable.'],
    vertical: [`${pos} ${pick(['father', 'mother'])} and a grandparent on the same side have similar features.`],
    'male-to-male': ['Similarly affected relatives are found in three successive generations, including male-to-male transmission.'],
    'maternal-uncle': [`${pos} maternal uncle had a similar condition; ${low} parents are healthy.`],
    'x-dominant': [`${pos} mother is similarly affected, and an affected maternal grandfather had only affected daughters.`],
    'maternal-line': [`${pos} mother and several maternal relatives have related problems of varying severity; none on the father's side.`],
    consanguinity: [`${pos} parents are healthy first cousins.`],
    'affected-sibling': ['An older sibling is similarly affected; both parents are healthy.'],
    'first-degree': ['A first-degree relative has a related condition, without a clear pattern of inheritance.'],
    'paternal-line-y': ['His father and paternal grandfather had the same condition.'],
    'both-parents-mild': ['Both parents are mildly affected.'],
  };
  return pick(texts[pattern]);
}
