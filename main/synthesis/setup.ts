/** Wires synthesis, pseudo-labelling and the model registry into the app: job kinds and Api handlers. */
import { ApiError, type ApiHandlers } from '../../api/contract.js';
import type { AppContext } from '../appContext.js';
import { LabelingRepo } from '../db/repos/labeling.js';
import { SynthesisRepo } from '../db/repos/synthesis.js';
import { labelJobHandler } from '../labeling/labelJob.js';
import { downloadModelJobHandler } from '../llm/downloadJob.js';
import { ModelRegistry } from '../llm/registry.js';
import { checkReadablePath } from '../platform/safePath.js';
import { KnowledgeIndex } from './knowledgeIndex.js';
import { buildPlanReport, planCells, unknownPlanValues } from './planner.js';
import { synthesisJobHandler } from './synthesisJob.js';

export type SynthesisMethod =
  | 'synthesis.preview'
  | 'synthesis.start'
  | 'synthesis.datasets'
  | 'synthesis.dataset'
  | 'synthesis.questions'
  | 'labeling.start'
  | 'models.list'
  | 'models.add'
  | 'models.remove'
  | 'models.fit'
  | 'models.download';

export interface SynthesisDomain {
  handlers: Pick<ApiHandlers, SynthesisMethod>;
  registry: ModelRegistry;
}

function badInput(err: unknown): never {
  throw new ApiError('bad-input', err instanceof Error ? err.message : String(err));
}

export function setupSynthesis(ctx: Pick<AppContext, 'db' | 'dbPath' | 'jobs' | 'knowledge' | 'dataDir'>): SynthesisDomain {
  ctx.jobs.register(synthesisJobHandler({ db: ctx.db, dbPath: ctx.dbPath, knowledge: ctx.knowledge }));
  ctx.jobs.register(labelJobHandler({ db: ctx.db }));
  const synth = new SynthesisRepo(ctx.db);
  const labels = new LabelingRepo(ctx.db);
  const registry = new ModelRegistry(ctx.db, ctx.dataDir);
  ctx.jobs.register(downloadModelJobHandler(registry));

  // The index is rebuilt only when the knowledge base changed (another import).
  let cached: { key: string; index: KnowledgeIndex } | null = null;
  const index = (): KnowledgeIndex => {
    const s = ctx.knowledge.stats();
    const key = `${s.disorders}|${s.importedAt ?? ''}|${s.sourceVersion ?? ''}`;
    if (!cached || cached.key !== key) cached = { key, index: new KnowledgeIndex(ctx.knowledge.listDisorderFacts()) };
    return cached.index;
  };

  const dataset = (name: string, version?: number) => {
    const d = synth.find(name, version);
    if (!d) throw new ApiError('not-found', `No complete dataset named "${name}"${version ? ` with version ${version}` : ''}`);
    return d;
  };

  return {
    registry,
    handlers: {
      'synthesis.preview': (plan) => {
        const idx = index();
        const unknown = unknownPlanValues(plan, idx);
        if (unknown) throw new ApiError('bad-input', unknown);
        const labelsOut: Record<string, string> = {};
        for (const [code, name] of idx.branchNames) labelsOut[code] = name;
        return buildPlanReport(plan, planCells(plan, idx), new Map(), {}, labelsOut);
      },
      'synthesis.start': (input) => {
        const unknown = unknownPlanValues(input.plan, index());
        if (unknown) throw new ApiError('bad-input', unknown);
        if (input.modelPath) {
          try {
            checkReadablePath(input.modelPath, 'Model file');
          } catch (err) {
            badInput(err);
          }
        }
        return { jobId: ctx.jobs.start('synthesize', input).id };
      },
      'synthesis.datasets': () => synth.list(),
      'synthesis.dataset': ({ dataset: name, version }) => synth.list().find((d) => d.name === name && (version === undefined ? true : d.version === version)) ?? null,
      'synthesis.questions': ({ dataset: name, version, status, offset, limit }) => {
        const d = dataset(name, version);
        const questions = synth.questions(d.id, status, offset, limit);
        const byseq = labels.latestLabels(d.id, true, new Set(questions.map((q) => q.seq)));
        return {
          total: synth.count(d.id, status),
          questions: questions.map((q) => {
            const l = byseq.get(q.seq);
            return { ...q, pseudoLabel: l ? { ...l, questionId: q.id } : null };
          }),
        };
      },
      'labeling.start': (input) => {
        dataset(input.dataset, input.version);
        try {
          checkReadablePath(input.modelPath, 'Model file');
          if (input.adapterPath) checkReadablePath(input.adapterPath, 'Adapter file');
        } catch (err) {
          badInput(err);
        }
        return { jobId: ctx.jobs.start('label', input).id };
      },
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
}
