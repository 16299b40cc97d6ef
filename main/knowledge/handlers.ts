import { ApiError, withApiError, type ApiHandlers } from '../../api/contract.js';
import type { JobRunner } from '../platform/jobs/runner.js';
import { checkReadablePath, UnsafePathError } from '../platform/safePath.js';
import type { KnowledgeService } from './service.js';

export type KnowledgeMethod = Extract<keyof ApiHandlers, `knowledge.${string}`>;

export function knowledgeHandlers(service: KnowledgeService, jobs: JobRunner): Pick<ApiHandlers, KnowledgeMethod> {
  return {
    'knowledge.importHpo': ({ path: file }) =>
      withApiError('bad-input', () => {
        const r = service.importHpo(checkReadablePath(file, 'HPO file'));
        return { file: r.file, version: r.version, importedAt: r.importedAt, terms: r.terms };
      }),
    'knowledge.hpo': () => {
      const r = service.hpoSummary();
      return r ? { file: r.file, version: r.version, importedAt: r.importedAt, terms: r.terms } : null;
    },
    'knowledge.stats': () => service.stats(),
    'knowledge.search': (input) => service.search(input),
    'knowledge.facets': ({ text, filters }) => service.facets(text, filters),
    'knowledge.get': ({ orphaCode }) => service.get(orphaCode),
    'knowledge.import': ({ path, skipInvalid, allowRemovals }) => {
      try {
        checkReadablePath(path, 'Packet source', 'file-or-folder');
      } catch (err) {
        if (err instanceof UnsafePathError) throw new ApiError('bad-input', err.reason === 'no such file or folder' ? `${path}: no such file or directory` : err.message);
        throw err;
      }
      return { jobId: jobs.start('import-orphanet', { path, skipInvalid, allowRemovals: allowRemovals ?? false }).id };
    },
  };
}
