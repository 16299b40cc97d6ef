/** "What is the most likely mode of inheritance?": only for disorders annotated with exactly one mode. */
import { pickInheritanceChoices } from './choices.js';
import { canBeVignetteAnswer } from './eligibility.js';
import type { QuestionTypeModule } from './types.js';

export const inheritance: QuestionTypeModule & { id: 'inheritance' } = {
  id: 'inheritance',
  question: 'What is the most likely mode of inheritance of this condition?',
  eligible: (d) => canBeVignetteAnswer(d) && d.singleMode !== null,
  // Only the easy question shows the pedigree; otherwise the mode must come from knowing the disorder.
  setup: (d, difficulty) => (d.singleMode ? { mode: d.singleMode, familyHistory: difficulty === 'easy', avoidWords: [] } : 'more than one annotated mode'),
  options: (input) => {
    const mode = input.answer.singleMode;
    if (!mode) return 'more than one annotated mode';
    return {
      correct: { text: mode, orphaCode: input.answer.orphaCode },
      distractors: pickInheritanceChoices(input),
      facts: [{ kind: 'inheritance', orphaCode: input.answer.orphaCode, value: mode }],
    };
  },
  namesNotInStem: (_d, correct) => [correct],
  // The key is a mode of inheritance: no word of the vignette names it (the family history is checked apart).
  cueWords: () => [],
};
