/**
 * Whole-term matching of a source fact's words in a question's text, shared by the review service (a fact's
 * `inStem`) and the review page's highlighting, so a chip is marked exactly when the server says the term is in
 * the stem. A letter, digit or hyphen on either side means the phrase is part of a longer word: "male" is not in
 * "female" nor in "male-to-male".
 */
import type { SourceFact } from './review.js';

/**
 * The words a fact stands for in a stem. The template generator stores the HPO id as a phenotype's value and
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

/** Does the phrase occur in the text as a whole term? Phrases of two characters or fewer never do (too ambiguous). */
export function containsTerm(text: string, phrase: string): boolean {
  const re = phrase.trim().length > 2 ? wholeTermPattern([phrase.trim()]) : null;
  return re !== null && re.test(text);
}
