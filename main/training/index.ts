/** The training domain's public face: the only file another domain or a transport imports. */
export { trainingModule, type TrainingDeps, type TrainingExports } from './module.js';
export type { TrainResult } from './session.js';
