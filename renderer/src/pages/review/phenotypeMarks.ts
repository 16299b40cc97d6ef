import type { SourceFact } from '../../../../api/review.js';
import { containsTerm, phenotypeTerm, wholeTermPattern } from '../../../../api/terms.js';

// The matching rule is api/terms.ts's, which the review service's inStem uses too.
export { containsTerm, phenotypeTerm, wholeTermPattern };

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

/** The text cut into plain and marked parts: odd indexes are the marked terms. */
export function splitMarked(text: string, phrases: string[]): string[] {
  const re = wholeTermPattern(phrases);
  return re ? text.split(re) : [text];
}
