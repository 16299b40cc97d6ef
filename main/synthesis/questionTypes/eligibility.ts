/** What every vignette question needs from its answer disorder. */
import type { SynthDisorder } from '../disorderFacts.js';
import { MIN_FINDINGS } from '../knowledgeIndex.js';

/** Enough findings for a vignette, and a phenotypic sex a template can state (not a disorder of sex development). */
export function canBeVignetteAnswer(d: SynthDisorder): boolean {
  return d.phenotypes.length >= MIN_FINDINGS && !d.sexDevelopment;
}
