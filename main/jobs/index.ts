export { jobsModule } from './module.js';
export type { JobsMethod } from './handlers.js';
