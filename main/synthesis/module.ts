/** The synthesis domain: question datasets (syn_* tables), the synthesis job and the synthesis.* Api. */
import { ApiError, withApiError } from '../../api/contract.js';
import type { KnowledgeService } from '../knowledge/index.js';
import { defineModule } from '../platform/module.js';
import * as m010 from './migrations/010_synthesis.js';
import * as m011 from './migrations/011_synthesis_seeds.js';
import { synthesisInputProblem } from './buildDataset.js';
import { KnowledgeIndex } from './knowledgeIndex.js';
import { buildPlanReport, planCells, unknownPlanValues } from './planner.js';
import { checkReadablePath } from '../platform/safePath.js';
import type { BenchmarkSource, PseudoLabelLookup } from './ports.js';
import { OverlapChecker } from './overlapChecker.js';
import { overlapText } from './decontamination.js';
import type { DatasetOverlap } from '../../api/decontamination.js';
import type { SynthesisPlan } from '../../api/synthesis.js';
import { SynthesisRepo } from './store.js';
import { SeedStore } from './seedStore.js';
import { synthesisJobHandler } from './synthesisJob.js';

export type SynthesisMethod = 'synthesis.preview' | 'synthesis.start' | 'synthesis.datasets' | 'synthesis.dataset' | 'synthesis.questions' | 'synthesis.importSeeds' | 'synthesis.overlap' | 'synthesis.unfinished';

export interface SynthesisExports {
  store: SynthesisRepo;
  overlap: OverlapChecker;
}

export interface SynthesisDeps {
  knowledge: KnowledgeService;
  labels: PseudoLabelLookup;
  benchmarks: BenchmarkSource;
}

export const synthesisModule = defineModule<SynthesisMethod, SynthesisExports, SynthesisDeps>({
  name: 'synthesis',
  migrations: [
    { name: '010_synthesis', part: 'synthesis', sql: m010.sql },
    { name: '011_synthesis_seeds', sql: m011.sql },
  ],
  setup(ctx, deps) {
    ctx.jobs.register(synthesisJobHandler({ db: ctx.db, dbPath: ctx.dbPath, knowledge: deps.knowledge }));
    const synth = new SynthesisRepo(ctx.db);

    // The index is rebuilt only when the knowledge base changed (another import).
    let cached: { key: string; index: KnowledgeIndex } | null = null;
    const index = (): KnowledgeIndex => {
      const s = deps.knowledge.stats();
      const hpo = deps.knowledge.hpoSummary();
      const key = `${s.disorders}|${s.importedAt ?? ''}|${s.sourceVersion ?? ''}|${hpo?.importedAt ?? ''}`;
      if (!cached || cached.key !== key) cached = { key, index: new KnowledgeIndex(deps.knowledge.listDisorderFacts(), deps.knowledge.hpoOntology()) };
      return cached.index;
    };

    const labelled = (datasetId: number) => deps.labels.labelledCount(datasetId);
    const dataset = (name: string, version?: number) => {
      const d = synth.find(name, version);
      if (!d) throw new ApiError('not-found', `No complete dataset named "${name}"${version ? ` with version ${version}` : ''}`);
      return d;
    };

    const overlap = new OverlapChecker(deps.benchmarks);
    // A complete dataset never changes and a benchmark id names one imported version: the key says it all.
    const overlapCache = new Map<string, DatasetOverlap>();
    const datasetOverlap = (name: string, version?: number): DatasetOverlap => {
      const d = dataset(name, version);
      const ids = deps.benchmarks.list().map((b) => b.id);
      const key = `${d.id}|${ids.join(',')}`;
      const hit = overlapCache.get(key);
      if (hit) return hit;
      const items = synth.questions(d.id, 'accepted').map((q) => ({ id: q.id, text: overlapText(q.stem, q.options) }));
      const r: DatasetOverlap = { dataset: d.name, version: d.version, ...overlap.summary(items, ids) };
      if (overlapCache.size >= 16) overlapCache.delete(overlapCache.keys().next().value as string);
      overlapCache.set(key, r);
      return r;
    };
    const seedFlags = (plan: SynthesisPlan) => {
      if (!plan.seeds) return [];
      const store = new SeedStore(ctx.db);
      const known = new Set(store.list().map((s) => s.name));
      // A missing set is the run's error to report (it names the import command); here there is nothing to compare.
      const sets = plan.seeds.sets.filter((n) => known.has(n)).map((n) => ({ name: n, seeds: store.seeds([n]).map((q) => ({ id: q.id, text: q.question })) }));
      return overlap.seedFlags(sets);
    };

    return {
      exports: { store: synth, overlap },
      handlers: {
        'synthesis.preview': (plan) => {
          const idx = index();
          const unknown = unknownPlanValues(plan, idx);
          if (unknown) throw new ApiError('bad-input', unknown);
          const labelsOut: Record<string, string> = {};
          for (const [code, name] of idx.branchNames) labelsOut[code] = name;
          const report = buildPlanReport(plan, planCells(plan, idx), new Map(), {}, labelsOut);
          const flags = seedFlags(plan);
          return flags.length > 0 ? { ...report, seedBenchmarks: flags } : report;
        },
        'synthesis.start': (input) => {
          const problem = synthesisInputProblem(input) ?? unknownPlanValues(input.plan, index());
          if (problem) throw new ApiError('bad-input', problem);
          if (input.modelPath) {
            const modelPath = input.modelPath;
            withApiError('bad-input', () => checkReadablePath(modelPath, 'Model file'));
          }
          const flags = seedFlags(input.plan);
          return { jobId: ctx.jobs.start('synthesize', input).id, ...(flags.length > 0 ? { seedBenchmarks: flags } : {}) };
        },
        'synthesis.datasets': () => synth.list(labelled),
        'synthesis.overlap': ({ dataset: name, version }) => datasetOverlap(name, version),
        'synthesis.unfinished': () => synth.unfinished(),
        'synthesis.importSeeds': ({ path: file, name }) => withApiError('bad-input', () => new SeedStore(ctx.db).importFile(file, name)),
        'synthesis.dataset': ({ dataset: name, version }) => synth.list(labelled).find((d) => d.name === name && (version === undefined ? true : d.version === version)) ?? null,
        'synthesis.questions': ({ dataset: name, version, status, offset, limit }) => {
          const d = dataset(name, version);
          const questions = synth.questions(d.id, status, offset, limit);
          const byseq = deps.labels.latestLabels(d.id, new Set(questions.map((q) => q.seq)));
          return {
            total: synth.count(d.id, status),
            questions: questions.map((q) => {
              const l = byseq.get(q.seq);
              return { ...q, pseudoLabel: l ? { ...l, questionId: q.id } : null };
            }),
          };
        },
      },
    };
  },
});
