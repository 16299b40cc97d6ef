/** "Pathogenic variants in which gene…?" */
import { geneQuestion } from './geneQuestion.js';

export const gene = geneQuestion('gene', 'Pathogenic variants in which of the following genes are the most likely cause of this condition?', (s) => s);
