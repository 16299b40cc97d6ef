/** The knowledge domain's public face: the only file another domain or a transport imports. */
export { knowledgeModule, type KnowledgeExports } from './module.js';
export { KnowledgeService } from './service.js';
export { HpoOntology, parseObo, type HpoImportSummary } from './hpo.js';
