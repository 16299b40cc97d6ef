import type { SourceFact } from '../../../../api/review.js';

/**
 * Which words of a stem to mark as the item's phenotypes. Only phenotype facts of the disorder the question
 * was built from (not its distractors', not sex or inheritance), as whole terms: a letter, digit or hyphen on
 * either side means the phrase is part of a longer word ("male" is not marked inside "male-to-male").
 * Longer terms come first in the alternation, so "aortic root dilatation" wins over "root dilatation".
 */
export function phenotypePhrases(facts: SourceFact[], answerCode: string | undefined): string[] {
  const phrases = facts.filter((f) => f.kind === 'phenotype' && (answerCode === undefined || f.orphaCode === answerCode)).map(phenotypeTerm);
  return [...new Set(phrases.filter((p) => p.length > 2))].sort((a, b) => b.length - a.length || a.localeCompare(b));
}

/**
 * The words a phenotype fact stands for in a stem. The template generator stores the HPO id as the value and
 * "Seizure (Very frequent (99-80%))" as the detail: the term is the detail without its frequency.
 */
export function phenotypeTerm(f: Pick<SourceFact, 'value' | 'detail'>): string {
  const value = f.value.trim();
  if (!/^HP:\d+$/i.test(value) || !f.detail) return value;
  return f.detail.replace(/\s*\((?:[^()]|\([^()]*\))*\)\s*$/, '').trim() || value;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** One capture group around any of the phrases, matched as whole words, case-insensitive; null for none. */
export function wholeTermPattern(phrases: string[]): RegExp | null {
  if (phrases.length === 0) return null;
  return new RegExp(`(?<![\\p{L}\\p{N}-])(${phrases.map(escapeRegExp).join('|')})(?![\\p{L}\\p{N}-])`, 'giu');
}

/** Does the phrase occur in the text as a whole term (same rule as the marks)? */
export function containsTerm(text: string, phrase: string): boolean {
  const re = phrase.trim().length > 2 ? wholeTermPattern([phrase.trim()]) : null;
  return re !== null && re.test(text);
}

/** The text cut into plain and marked parts: odd indexes are the marked terms. */
export function splitMarked(text: string, phrases: string[]): string[] {
  const re = wholeTermPattern(phrases);
  return re ? text.split(re) : [text];
}
