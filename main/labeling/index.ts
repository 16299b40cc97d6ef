/** The labeling domain's public face: the only file another domain or a transport imports. */
export { labelingModule, type LabelingExports } from './module.js';
export { LabelingRepo, voteColumns, type RawVoteColumns, type StoredLabel } from './store.js';
export type { LabelJobResult } from './labelJob.js';
export { answerPrompt, recoveryPrompt } from './labeler.js';
export { extractOption, normaliseChoice } from './answerExtraction.js';
export { exportMedssr, writeJsonAtomic, type MedssrItem } from './export.js';
