/**
 * The question-type registry. Adding a type: its id and label in api/synthesis.ts (questionTypes,
 * questionTypeCatalog), its module beside this file, and its entry here; the compiler reports a missing one.
 */
import type { QuestionType } from '../../../api/synthesis.js';
import { diagnosis } from './diagnosis.js';
import { gene } from './gene.js';
import { inheritance } from './inheritance.js';
import { nextInvestigation } from './nextInvestigation.js';
import { phenotype } from './phenotype.js';
import type { QuestionTypeModule } from './types.js';

export const questionTypeModules: { readonly [K in QuestionType]: QuestionTypeModule & { id: K } } = {
  diagnosis,
  gene,
  inheritance,
  phenotype,
  'next-investigation': nextInvestigation,
};

export function questionTypeModule(id: QuestionType): QuestionTypeModule {
  return questionTypeModules[id];
}

export type { QuestionTypeModule, Choice, CueFacts, VignetteSetup, OptionsInput, Options } from './types.js';
