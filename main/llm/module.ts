/** The llm domain: the model registry (llm_models), model downloads and the models.* Api. */
import { withApiError } from '../../api/contract.js';
import { defineModule } from '../platform/module.js';
import { downloadModelJobHandler } from './downloadJob.js';
import * as m010 from './migrations/010_synthesis.js';
import { ModelRegistry } from './registry.js';

export type LlmMethod = 'models.list' | 'models.add' | 'models.remove' | 'models.fit' | 'models.download';

export interface LlmExports {
  registry: ModelRegistry;
}

export const llmModule = defineModule<LlmMethod, LlmExports>({
  name: 'llm',
  migrations: [{ name: '010_synthesis', part: 'llm', sql: m010.sql }],
  setup(ctx) {
    const registry = new ModelRegistry(ctx.db, ctx.dataDir);
    ctx.jobs.register(downloadModelJobHandler(registry));
    return {
      exports: { registry },
      handlers: {
        'models.list': () => registry.list(),
        'models.add': ({ path, copy, name }) => withApiError('bad-input', () => registry.add(path, { copy, name })),
        'models.remove': ({ id }) => {
          withApiError('not-found', () => registry.remove(id));
          return { removed: true as const };
        },
        'models.fit': ({ id }) => withApiError('bad-input', () => registry.fit(id)),
        'models.download': (input) => ({ jobId: ctx.jobs.start('download-model', input).id }),
      },
    };
  },
});
