/** The demoModel domain: the nano demo model's build job and the demoModel.* Api. No tables of its own. */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ApiError, withApiError, type ApiHandlers } from '../../api/contract.js';
import { DEMO_DEFAULT_MINUTES, type DemoModelCard } from '../../api/demoModel.js';
import type { KnowledgeService } from '../knowledge/index.js';
import type { ModelRegistry } from '../llm/index.js';
import { defineModule, type PlatformContext } from '../platform/module.js';
import { checkWritableFile } from '../platform/safePath.js';
import { findTrainerBinary } from '../training/index.js';
import { readCard, sidecarPaths, type BuildDeps } from './build.js';
import { buildJobHandler, defaultOut } from './buildJob.js';
import { writeExample } from './example.js';
import { openLlamaTokenizer, startSftTrainer } from './runtime.js';

export type DemoModelMethod = 'demoModel.build' | 'demoModel.status' | 'demoModel.example';

export interface DemoModelDeps {
  knowledge: KnowledgeService;
  registry: ModelRegistry;
}

export type DemoModelExports = Record<never, never>;

/** The domain over a platform context; tests pass `overrides` (a fake trainer, another binary). */
export function setupDemoModel(ctx: Pick<PlatformContext, 'dataDir' | 'jobs'>, deps: DemoModelDeps, overrides: Partial<BuildDeps> & { trainerBinary?: string } = {}): Pick<ApiHandlers, DemoModelMethod> {
  const buildDeps: BuildDeps = {
    disorders: () => deps.knowledge.listDisorderFacts(),
    knowledgeVersion: () => deps.knowledge.stats().sourceVersion,
    openTokenizer: openLlamaTokenizer,
    startTrainer: () => startSftTrainer(overrides.trainerBinary ? { binary: overrides.trainerBinary } : {}),
    ...overrides,
  };
  ctx.jobs.register(buildJobHandler({ ...buildDeps, dataDir: ctx.dataDir, register: (file) => deps.registry.add(file) }));
  const trainerBuilt = () => overrides.startTrainer !== undefined || (overrides.trainerBinary ? existsSync(overrides.trainerBinary) : findTrainerBinary() !== undefined);
  return {
    'demoModel.build': (input) => {
      if (!trainerBuilt()) throw new ApiError('bad-input', 'The trainer binary is not built: run `npm run build:native` (or set MEDSSR_TRAINER_BIN)');
      if (deps.knowledge.isEmpty()) throw new ApiError('bad-input', 'The knowledge base is empty: import ORPHApackets (or load the demo set) first');
      const out = path.resolve(input.out ?? defaultOut(ctx.dataDir, input.seed));
      if (!/\.gguf$/i.test(out)) throw new ApiError('bad-input', `--out must name a .gguf file, got ${out}`);
      withApiError('bad-input', () => checkWritableFile(out, 'Model file'));
      return { jobId: ctx.jobs.start('demoModel.build', { ...input, out }).id };
    },
    'demoModel.status': () => ({ models: nanoModels(ctx.dataDir), defaultMinutes: DEMO_DEFAULT_MINUTES, disorders: deps.knowledge.stats().disorders, trainerBuilt: trainerBuilt() }),
    'demoModel.example': async (input) => {
      const models = nanoModels(ctx.dataDir);
      const file = input.model ? path.resolve(input.model) : models.find((m) => m.card)?.path;
      if (!file) throw new ApiError('not-found', 'No nano demo model is built: build one (Knowledge page, or `npx medssr demo-model build`)');
      const example = withApiError('bad-input', () => writeExample(file));
      // Registered as `models add` would (the same path again is the same entry), so the forms that size max
      // tokens and the context from the registry know its 512-token context.
      const model = await withApiError('bad-input', () => deps.registry.add(example.model));
      return { ...example, modelId: model.id };
    },
  };
}

/** Nano models in the data folder's models/ (where a build writes by default), with their cards. */
function nanoModels(dataDir: string): { path: string; card: DemoModelCard | null }[] {
  const dir = path.join(dataDir, 'models');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /^nano-demo.*\.gguf$/i.test(f))
    .sort()
    .map((f) => {
      const file = path.join(dir, f);
      return { path: file, card: readCard(sidecarPaths(file).card) };
    });
}

export const demoModelModule = defineModule<DemoModelMethod, DemoModelExports, DemoModelDeps>({
  name: 'demoModel',
  migrations: [],
  setup: (ctx, deps) => ({ handlers: setupDemoModel(ctx, deps), exports: {} }),
});
