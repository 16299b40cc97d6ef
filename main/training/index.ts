/** The training domain's public face: the only file another domain or a transport imports. */
export { trainingModule, type TrainingDeps, type TrainingExports } from './module.js';
export type { TrainResult } from './session.js';
export { TrainerProcess, TrainerError, findTrainerBinary, type TrainerInit, type TrainerMask, type TrainerReady } from './trainerProcess.js';
export { trainingDataOfAdapter, logTrainingOverlap } from './adapterData.js';
