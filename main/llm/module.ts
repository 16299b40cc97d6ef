/** The llm domain: the model registry (llm_models), model downloads and the models.* Api. */
import { ApiError } from '../../api/contract.js';
import { defineModule } from '../platform/module.js';
import { downloadModelJobHandler } from './downloadJob.js';
import { ModelRegistry } from './registry.js';

export type LlmMethod = 'models.list' | 'models.add' | 'models.remove' | 'models.fit' | 'models.download';

export interface LlmExports {
  registry: ModelRegistry;
}

function badInput(err: unknown): never {
  throw new ApiError('bad-input', err instanceof Error ? err.message : String(err));
}

export const llmModule = defineModule<LlmMethod, LlmExports>({
  name: 'llm',
  // llm_models was created by 010_synthesis (see main/synthesis/migrations), released before this folder existed.
  migrations: [],
  setup(ctx) {
    const registry = new ModelRegistry(ctx.db, ctx.dataDir);
    ctx.jobs.register(downloadModelJobHandler(registry));
    return {
      exports: { registry },
      handlers: {
        'models.list': () => registry.list(),
        'models.add': async ({ path, copy, name }) => registry.add(path, { copy, name }).catch(badInput),
        'models.remove': ({ id }) => {
          try {
            registry.remove(id);
          } catch (err) {
            throw new ApiError('not-found', err instanceof Error ? err.message : String(err));
          }
          return { removed: true as const };
        },
        'models.fit': async ({ id }) => registry.fit(id).catch(badInput),
        'models.download': (input) => ({ jobId: ctx.jobs.start('download-model', input).id }),
      },
    };
  },
});
