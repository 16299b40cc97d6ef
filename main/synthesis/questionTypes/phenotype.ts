/**
 * "Which additional finding is most likely?": the key is a frequent finding kept out of the stem; no wrong option
 * may be a finding of the answer, a broader version of one, or share a meaning word with one.
 */
import type { SynthPhenotype } from '../disorderFacts.js';
import { contentWords, exclusiveFindings, findingPatientProblem, labelLikeProblem, proseFinding, WordSet } from '../clinical/findings.js';
import { FREQUENT_WEIGHT } from '../vignette.js';
import { pickDisorderChoices } from './choices.js';
import { canBeVignetteAnswer } from './eligibility.js';
import type { QuestionTypeModule } from './types.js';

/** Options are findings too: a grouping label ("Abnormality of the dorsal column") is no answer anyone would pick. */
function askable(term: string): boolean {
  return labelLikeProblem(proseFinding(term)) === null;
}

function frequent(phenotypes: readonly SynthPhenotype[]): SynthPhenotype[] {
  return phenotypes.filter((p) => p.weight >= FREQUENT_WEIGHT && askable(p.term));
}

export const phenotype: QuestionTypeModule & { id: 'phenotype' } = {
  id: 'phenotype',
  question: 'Which of the following additional findings is most likely to be present in this patient?',
  eligible: (d) => canBeVignetteAnswer(d) && d.phenotypes.length >= 4 && frequent(d.phenotypes).length > 0,
  setup: (d, _difficulty, rng) => {
    const visible = frequent(d.phenotypes);
    if (visible.length === 0) return 'no frequent phenotype to ask about';
    const hidden = visible[rng.weighted(visible.map((p) => p.weight))] as SynthPhenotype;
    return { hidden, familyHistory: true, avoidWords: contentWords(hidden.term) };
  },
  options: (input) => {
    const { answer, vignette, difficulty } = input;
    const hidden = input.setup.hidden;
    if (!hidden) return 'no finding to ask about';
    const misfit = findingPatientProblem(hidden.term, vignette.sex, vignette.patient.ageYears);
    if (misfit) return 'the asked finding does not fit the patient';
    if (vignette.findings.some((f) => exclusiveFindings(f.term, hidden.term))) return 'the asked finding contradicts the vignette';
    const answerWords = new WordSet(answer.phenotypes.flatMap((p) => contentWords(p.term)));
    const usedTerms = new Set<string>([hidden.term.toLowerCase(), ...vignette.findings.map((f) => f.term.toLowerCase())]);
    const distractors = pickDisorderChoices(
      input,
      (d) => {
        const terms = d.phenotypes.filter(
          (p) =>
            !answer.hpo.has(p.hpoId) &&
            askable(p.term) &&
            !usedTerms.has(p.term.toLowerCase()) &&
            !answerWords.touches(p.term) &&
            !(input.index.hpo && answer.phenotypes.some((a) => input.index.hpo?.isAncestor(p.hpoId, a.hpoId))) &&
            findingPatientProblem(p.term, vignette.sex, vignette.patient.ageYears) === null,
        );
        if (terms.length === 0) return null;
        // Hard: the other disorder's most characteristic finding; otherwise any of its findings.
        const p = difficulty === 'hard' ? terms.reduce((best, t) => (t.weight > best.weight ? t : best)) : input.rng.pick(terms);
        usedTerms.add(p.term.toLowerCase());
        return { text: p.term, orphaCode: d.orphaCode, fact: { kind: 'phenotype', orphaCode: d.orphaCode, value: p.hpoId, detail: p.term } };
      },
      false,
    );
    return {
      correct: { text: hidden.term, orphaCode: answer.orphaCode },
      distractors,
      facts: [{ kind: 'phenotype', orphaCode: answer.orphaCode, value: hidden.hpoId, detail: `${hidden.term} (${hidden.frequency}) [asked]` }],
    };
  },
  namesNotInStem: (_d, correct) => [correct],
  cueWords: (_answer, facts) => (facts.askedFinding ? contentWords(facts.askedFinding) : []),
};
