/** Distractor selection shared by the question types: walk the difficulty's candidates, keep those that fit worse. */
import { inheritanceModes, type InheritanceMode, type SynthDisorder } from '../disorderFacts.js';
import { distractorCandidates } from '../distractors.js';
import { fitsWorse } from '../fit.js';
import type { Choice, OptionsInput } from './types.js';

/** Looking further than this many candidates for one question costs more than drawing another disorder. */
export const MAX_CANDIDATES = 400;

/**
 * Walks the difficulty's candidate order and keeps disorders that fit the findings strictly worse than the
 * answer (`checkFit`), mapping each to an option; stops at k options.
 */
export function pickDisorderChoices(input: OptionsInput, toChoice: (d: SynthDisorder) => Choice | null, checkFit = true): Choice[] {
  const { index, answer, difficulty, rng, findings, k } = input;
  const out: Choice[] = [];
  const texts = new Set<string>();
  let seen = 0;
  for (const d of distractorCandidates(index, answer, difficulty, rng)) {
    if (out.length >= k || ++seen > MAX_CANDIDATES) break;
    if (checkFit && !fitsWorse(findings, answer, d)) continue;
    const c = toChoice(d);
    if (!c) continue;
    const key = c.text.toLowerCase();
    if (texts.has(key) || key === answer.name.toLowerCase()) continue;
    texts.add(key);
    out.push(c);
  }
  return out;
}

/** Modes people confuse most come first when the candidates do not provide enough. */
const commonModes: InheritanceMode[] = [
  'Autosomal dominant',
  'Autosomal recessive',
  'X-linked recessive',
  'X-linked dominant',
  'Mitochondrial inheritance',
  'Multigenic/multifactorial',
];

export function pickInheritanceChoices(input: OptionsInput): Choice[] {
  const { index, answer, difficulty, rng, k } = input;
  const answerModes = new Set<string>(answer.inheritance);
  const out: Choice[] = [];
  const add = (mode: InheritanceMode, orphaCode: string) => {
    if (out.length >= k || answerModes.has(mode) || out.some((c) => c.text === mode)) return;
    out.push(orphaCode ? { text: mode, orphaCode, fact: { kind: 'inheritance', orphaCode, value: mode } } : { text: mode, orphaCode: '' });
  };
  if (difficulty !== 'easy') {
    // The modes of look-alike (hard) or same-group (medium) disorders make the tempting wrong answers.
    let seen = 0;
    for (const d of distractorCandidates(index, answer, difficulty, rng)) {
      if (out.length >= k || ++seen > MAX_CANDIDATES) break;
      for (const m of d.inheritance) add(m, d.orphaCode);
    }
  }
  // Fillers from the fixed vocabulary belong to no disorder.
  for (const m of rng.shuffle([...commonModes])) add(m, '');
  for (const m of inheritanceModes) add(m, '');
  return out;
}
