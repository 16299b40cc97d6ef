/** "Which of the following is the most likely diagnosis?": look-alike disorders as wrong options. */
import { contentWords } from '../clinical/findings.js';
import { pickDisorderChoices } from './choices.js';
import { canBeVignetteAnswer } from './eligibility.js';
import type { QuestionTypeModule } from './types.js';

export const diagnosis: QuestionTypeModule & { id: 'diagnosis' } = {
  id: 'diagnosis',
  question: 'Which of the following is the most likely diagnosis?',
  eligible: canBeVignetteAnswer,
  // A finding that spells the name ("split foot" for split-foot malformation) would answer the question.
  setup: (d) => ({ familyHistory: true, avoidWords: [...new Set([d.name, ...d.namesLower].flatMap(contentWords))] }),
  options: (input) => ({
    correct: { text: input.answer.name, orphaCode: input.answer.orphaCode },
    distractors: pickDisorderChoices(input, (d) => ({ text: d.name, orphaCode: d.orphaCode })),
    facts: [],
  }),
  namesNotInStem: (d, correct) => [correct, d.name, ...d.namesLower.filter((n) => n.length >= 4)],
  cueWords: (answer) => [...new Set([answer.name, ...answer.namesLower].flatMap(contentWords))],
};
