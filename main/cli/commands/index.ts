/**
 * Every CLI command group. A domain adds its commands in `commands/<domain>.ts` (a function receiving the
 * commander program) and one line here.
 */
import type { Command } from 'commander';
import { registerJobsCommands } from './jobs.js';
import { registerKnowledgeCommands } from './knowledge.js';
import { registerSynthesisCommands } from './synthesis.js';
import { registerLabelingCommands } from './labeling.js';
import { registerExportCommands } from './export.js';
import { registerModelsCommands } from './models.js';
import { registerEvalCommands } from './eval.js';
import { registerReviewCommands } from './review.js';
import { registerTrainCommands } from './train.js';
import { registerDemoModelCommands } from './demoModel.js';
import { registerDatasetsCommands } from './datasets.js';

export const commandRegistrations: ((program: Command) => void)[] = [registerKnowledgeCommands, registerJobsCommands, registerSynthesisCommands, registerLabelingCommands, registerExportCommands, registerModelsCommands, registerEvalCommands, registerReviewCommands, registerTrainCommands, registerDemoModelCommands, registerDatasetsCommands];
