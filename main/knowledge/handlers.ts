import { existsSync } from 'node:fs';
import { ApiError, type ApiHandlers } from '../../api/contract.js';
import type { JobRunner } from '../platform/jobs/runner.js';
import type { KnowledgeService } from './service.js';

export type KnowledgeMethod = Extract<keyof ApiHandlers, `knowledge.${string}`>;

export function knowledgeHandlers(service: KnowledgeService, jobs: JobRunner): Pick<ApiHandlers, KnowledgeMethod> {
  return {
    'knowledge.stats': () => service.stats(),
    'knowledge.search': (input) => service.search(input),
    'knowledge.facets': ({ text, filters }) => service.facets(text, filters),
    'knowledge.get': ({ orphaCode }) => service.get(orphaCode),
    'knowledge.import': ({ path, skipInvalid }) => {
      if (!existsSync(path)) throw new ApiError('bad-input', `${path}: no such file or directory`);
      return { jobId: jobs.start('import-orphanet', { path, skipInvalid }).id };
    },
  };
}
