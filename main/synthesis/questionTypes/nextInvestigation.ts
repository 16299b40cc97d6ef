/** "Which investigation is most likely to confirm the diagnosis?": the causal gene's test. */
import { geneQuestion } from './geneQuestion.js';

export const geneTestText = (symbol: string): string => `Molecular genetic testing for ${symbol} variants`;

export const nextInvestigation = geneQuestion('next-investigation', 'Which of the following investigations is most likely to confirm the diagnosis?', geneTestText);
