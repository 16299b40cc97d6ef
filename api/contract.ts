/**
 * The one Api contract between the renderer and the services. Both transports (Electron IPC via preload,
 * HTTP + server-sent events in browser mode) carry exactly these methods; inputs are validated with the
 * zod schemas at the edge, outputs are typed only (they come from our own services).
 */
import { z } from 'zod';
import {
  searchInputSchema,
  type DisorderDetail,
  type FacetCounts,
  type HpoSummary,
  type KnowledgeStats,
  type SearchResult,
  facetFilterSchema,
} from './knowledge.js';
import { importInputSchema, jobIdSchema, type JobInfo } from './jobs.js';
import { emptyInput, method, type MethodDef } from './method.js';
import {
  addModelSchema,
  datasetRefSchema,
  downloadModelSchema,
  labelInputSchema,
  questionPageSchema,
  synthesisPlanSchema,
  synthesizeInputSchema,
  type DatasetSummary,
  type ModelFit,
  type ModelInfo,
  type PlanReport,
  type QuestionPage,
  type SeedBenchmarkFlag,
  type UnfinishedDataset,
} from './synthesis.js';
import {
  benchmarkImportSchema,
  compareInputSchema,
  evaluateInputSchema,
  exportCsvSchema,
  questionDetailSchema,
  runRefSchema,
  type BenchmarkImportResult,
  type BenchmarkSummary,
  type ComparisonPage,
  type CsvExport,
  type EvalRunSummary,
  type QuestionDetail,
} from './evaluation.js';
import { datasetFileMethods } from './datasets.js';
import { decontaminationMethods } from './decontamination.js';
import { ApiError } from './errors.js';
import { reviewMethods } from './review.js';
import { trainingMethods } from './training.js';
import { demoModelMethods } from './demoModel.js';

export { ApiError, asApiError, errorMessage, withApiError, type ApiErrorBody } from './errors.js';

export const appInfoSchema = emptyInput;
export interface AppInfo {
  version: string;
  dataDir: string;
  transport: 'ipc' | 'http';
  platform: string;
  /** Set in browser mode when the server requires login (non-loopback). */
  authRequired: boolean;
  /**
   * The data folder cannot be written (a read-only mount, a share), so the database was opened read-only:
   * reads work and every write is refused. The renderer shows a banner on every page and disables what writes.
   */
  readOnly: boolean;
}

export const apiMethods = {
  'app.info': method<AppInfo>('reviewer')(emptyInput),

  'knowledge.stats': method<KnowledgeStats>('reviewer')(emptyInput),
  'knowledge.search': method<SearchResult>('reviewer')(searchInputSchema),
  'knowledge.facets': method<FacetCounts>('reviewer')(
    z.object({ text: z.string().max(500).default(''), filters: facetFilterSchema.default({}) }).strict(),
  ),
  'knowledge.get': method<DisorderDetail | null>('reviewer')(z.object({ orphaCode: z.string().regex(/^\d{1,9}$/) }).strict()),
  /** Starts an import job; returns the job id at once. Progress comes as job events. */
  'knowledge.import': method<{ jobId: string }>()(importInputSchema),
  /** Imports (replaces) the HPO ontology from an hp.obo file: the question checker then judges options by ancestors too. */
  'knowledge.importHpo': method<HpoSummary>('loopback')(z.object({ path: z.string().min(1).max(4096) }).strict()),
  'knowledge.hpo': method<HpoSummary | null>()(emptyInput),

  'jobs.list': method<JobInfo[]>('reviewer')(emptyInput),
  'jobs.get': method<JobInfo | null>('reviewer')(jobIdSchema),
  'jobs.cancel': method<JobInfo>()(jobIdSchema),
  'jobs.resume': method<JobInfo>()(jobIdSchema),

  /** Quotas and eligible disorders for a plan, without generating (the live allocation chart). */
  'synthesis.preview': method<PlanReport>('reviewer')(synthesisPlanSchema),
  /** `seedBenchmarks`: seed sets of the plan that are also an imported benchmark (the run still starts). */
  'synthesis.start': method<{ jobId: string; seedBenchmarks?: SeedBenchmarkFlag[] }>()(synthesizeInputSchema),
  /** Dataset versions whose run failed, was cancelled or interrupted: never readable, resumable through their job. */
  'synthesis.unfinished': method<UnfinishedDataset[]>()(emptyInput),
  'synthesis.datasets': method<DatasetSummary[]>('reviewer')(emptyInput),
  'synthesis.dataset': method<DatasetSummary | null>('reviewer')(datasetRefSchema),
  'synthesis.questions': method<QuestionPage>('reviewer')(questionPageSchema),
  'labeling.start': method<{ jobId: string }>()(labelInputSchema),

  'models.list': method<ModelInfo[]>('reviewer')(emptyInput),
  'models.add': method<ModelInfo>()(addModelSchema),
  'models.remove': method<{ removed: true }>()(z.object({ id: z.string().min(1).max(100) }).strict()),
  'models.fit': method<ModelFit>()(z.object({ id: z.string().min(1).max(100) }).strict()),
  /** Starts a download job (Hugging Face URI or https URL); needs a network, fails fast without one. */
  'models.download': method<{ jobId: string }>()(downloadModelSchema),

  /** Imports a MedSSR-format benchmark file; one versioned set per `name` in it. */
  'evaluation.import': method<BenchmarkImportResult>()(benchmarkImportSchema),
  'evaluation.benchmarks': method<BenchmarkSummary[]>()(emptyInput),
  'evaluation.start': method<{ jobId: string }>()(evaluateInputSchema),
  'evaluation.runs': method<EvalRunSummary[]>()(emptyInput),
  'evaluation.run': method<EvalRunSummary | null>()(runRefSchema),
  'evaluation.compare': method<ComparisonPage>()(compareInputSchema),
  'evaluation.question': method<QuestionDetail | null>()(questionDetailSchema),
  'evaluation.exportCsv': method<CsvExport>()(exportCsvSchema),

  ...datasetFileMethods,
  ...decontaminationMethods,
  ...reviewMethods,
  ...trainingMethods,
  ...demoModelMethods,
} as const;

export type ApiMethods = typeof apiMethods;
export type MethodName = keyof ApiMethods;
export type MethodInput<M extends MethodName> = z.input<ApiMethods[M]['input']>;
export type MethodParsedInput<M extends MethodName> = z.output<ApiMethods[M]['input']>;
export type MethodOutput<M extends MethodName> = ApiMethods[M] extends MethodDef<z.ZodType, infer O> ? O : never;

export function isMethodName(name: string): name is MethodName {
  return Object.prototype.hasOwnProperty.call(apiMethods, name);
}

/** Events pushed from the services to every connected renderer. */
export type ApiEvent = { type: 'job'; job: JobInfo } | { type: 'knowledge.changed' };

/** What a service implementation provides: one handler per method, receiving validated input. */
export type ApiHandlers = {
  [M in MethodName]: (input: MethodParsedInput<M>) => Promise<MethodOutput<M>> | MethodOutput<M>;
};

/** What the renderer sees; implemented by the IPC bridge and by the HTTP client alike. */
export interface ApiClient {
  call<M extends MethodName>(method: M, ...input: undefined extends MethodInput<M> ? [MethodInput<M>?] : [MethodInput<M>]): Promise<MethodOutput<M>>;
  subscribe(listener: (event: ApiEvent) => void): () => void;
}

/** Validates a raw argument at the edge; throws ApiError('bad-input') naming the offending field. */
export function parseInput<M extends MethodName>(name: M, raw: unknown): MethodParsedInput<M> {
  const result = apiMethods[name].input.safeParse(raw ?? {});
  if (!result.success) {
    const issues = result.error.issues
      .map((i) => `${i.path.length ? i.path.join('.') : 'input'}: ${i.message}`)
      .join('; ');
    throw new ApiError('bad-input', `Invalid arguments for ${name}: ${issues}`);
  }
  return result.data as MethodParsedInput<M>;
}
