/** The review domain's public face: the only file another domain or a transport imports. */
export { reviewModule, type ReviewDeps, type ReviewExports, type ReviewerAccounts } from './module.js';
export { runAs, type Actor } from './actor.js';
export { accountKey, normalizeAccountName } from './accountName.js';
export { reviewedGold, reviewedOutcomes, type ReviewedOutcome } from './outcomes.js';
export type { KnowledgeLookup } from './ports.js';
