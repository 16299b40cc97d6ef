/** The synthesis domain's public face: the only file another domain or a transport imports. */
export { synthesisModule, type SynthesisDeps, type SynthesisExports } from './module.js';
export type { PseudoLabelLookup } from './ports.js';
export { SynthesisRepo, type QuestionInDataset, type StoredQuestion } from './store.js';
export type { SynthesisJobResult } from './synthesisJob.js';
export { exactJaccard, wordShingles } from './minhash.js';
export { createRng } from './rng.js';
export { SeedStore, type SeedQuestion, type SeedSetSummary } from './seedStore.js';
export { synthesisInputProblem } from './buildDataset.js';
export { createQuestionBank, type BankQuestion, type QuestionBank } from './questionBank.js';
export { OverlapChecker } from './overlapChecker.js';
export type { BenchmarkSource } from './ports.js';
