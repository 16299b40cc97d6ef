/**
 * A small in-memory AppServices for transport tests: real contract, fake knowledge. It lets the HTTP
 * tests run without the database and shows exactly which events and errors cross the boundary.
 */
import { ApiError, type ApiEvent, type ApiHandlers } from '../../../api/contract.js';
import type { LabelingMethod } from '../../../main/labeling/module.js';
import type { LlmMethod } from '../../../main/llm/module.js';
import type { SynthesisMethod } from '../../../main/synthesis/module.js';
import type { JobInfo } from '../../../api/jobs.js';
import type { DisorderDetail, DisorderSummary, FacetCounts } from '../../../api/knowledge.js';
import type { AppServices } from '../../../main/app/index.js';

const summaries: DisorderSummary[] = [
  { orphaCode: '558', name: 'Marfan syndrome', disorderType: 'Disease', isDemo: true, phenotypeCount: 3, geneCount: 1 },
  { orphaCode: '586', name: 'Cystic fibrosis', disorderType: 'Disease', isDemo: true, phenotypeCount: 2, geneCount: 1 },
];

function detail(s: DisorderSummary): DisorderDetail {
  return {
    orphaCode: s.orphaCode,
    name: s.name,
    disorderType: s.disorderType,
    definition: `${s.name} is a test entry.`,
    purl: null,
    synonyms: [],
    externalReferences: [],
    parents: [],
    children: [],
    branches: [],
    phenotypes: [{ hpoId: 'HP:0001166', term: 'Arachnodactyly', frequency: 'Very frequent (99-80%)' }],
    genes: [],
    prevalences: [],
    onsets: [],
    inheritance: ['Autosomal dominant'],
    isDemo: true,
    source: { version: null, created: null, copyright: 'Orphanet (c) 2025' },
  };
}

export interface FakeServices extends AppServices {
  emit(event: ApiEvent): void;
  calls: { method: string; input: unknown }[];
}

/** Synthesis, labelling and models are not exercised through the fake; they answer empty. */
const synthesisStubs: Pick<ApiHandlers, SynthesisMethod | LabelingMethod | LlmMethod> = {
  'synthesis.preview': (plan) => ({ count: plan.count, planned: plan.count, achievable: 0, achieved: 0, cells: [], dimensions: [], labels: {} }),
  'synthesis.start': () => {
    throw new ApiError('bad-input', 'not available in the fake');
  },
  'synthesis.datasets': () => [],
  'synthesis.dataset': () => null,
  'synthesis.questions': () => ({ total: 0, questions: [] }),
  'synthesis.overlap': () => {
    throw new ApiError('not-found', 'not available in the fake');
  },
  'synthesis.unfinished': () => [],
  'labeling.start': () => {
    throw new ApiError('bad-input', 'not available in the fake');
  },
  'synthesis.importSeeds': () => {
    throw new ApiError('bad-input', 'not available in the fake');
  },
  'labeling.exportMedssr': () => [],
  'models.list': () => [],
  'models.add': () => {
    throw new ApiError('bad-input', 'not available in the fake');
  },
  'models.remove': () => ({ removed: true as const }),
  'models.fit': () => {
    throw new ApiError('not-found', 'not available in the fake');
  },
  'models.download': () => {
    throw new ApiError('bad-input', 'not available in the fake');
  },
};

export function createFakeServices(): FakeServices {
  const listeners = new Set<(e: ApiEvent) => void>();
  const calls: { method: string; input: unknown }[] = [];
  const jobs = new Map<string, JobInfo>();
  const emit = (e: ApiEvent): void => listeners.forEach((l) => l(e));
  const emptyFacets: FacetCounts = {
    disorderType: [{ value: 'Disease', label: 'Disease', count: 2 }],
    branch: [],
    prevalenceClass: [],
    inheritance: [],
    onset: [],
    hasPhenotypes: [],
    hasGenes: [],
  };
  const log = (method: string, input: unknown): void => {
    calls.push({ method, input });
  };
  const implemented: Partial<ApiHandlers> = {
    'app.info': () => ({ version: '0.0.0-test', dataDir: '/tmp/fake', transport: 'http', platform: process.platform, authRequired: false, readOnly: false }),
    'knowledge.stats': () => ({
      disorders: summaries.length,
      phenotypeAssociations: 5,
      geneAssociations: 2,
      genes: 2,
      prevalences: 0,
      sourceVersion: 'demo',
      importedAt: null,
      isDemo: true,
      childGeneAssociations: 0,
    }),
    'knowledge.search': (input) => {
      log('knowledge.search', input);
      const text = input.text.toLowerCase();
      const hits = summaries.filter((s) => s.name.toLowerCase().includes(text)).map((s) => ({ ...s, matchedBy: 'text' as const }));
      return { hits: hits.slice(input.offset, input.offset + input.limit), total: hits.length, tookMs: 0 };
    },
    'knowledge.facets': () => emptyFacets,
    'knowledge.get': (input) => {
      const s = summaries.find((x) => x.orphaCode === input.orphaCode);
      return s ? detail(s) : null;
    },
    'knowledge.import': (input) => {
      log('knowledge.import', input);
      if (input.path.includes('missing')) throw new ApiError('not-found', `No such file or folder: ${input.path}`);
      if (input.path.includes('explode')) throw new Error('disk on fire');
      const job: JobInfo = {
        id: `job-${jobs.size + 1}`,
        kind: 'import-orphanet',
        title: 'Import ORPHApackets',
        state: 'running',
        progress: { done: 0, total: 10, message: 'Reading packets' },
        params: input,
        result: null,
        error: null,
        createdAt: new Date().toISOString(),
        startedAt: new Date().toISOString(),
        finishedAt: null,
      };
      jobs.set(job.id, job);
      setTimeout(() => emit({ type: 'job', job: { ...job, progress: { ...job.progress, done: 5 } } }), 5);
      return { jobId: job.id };
    },
    'jobs.list': () => [...jobs.values()],
    'jobs.get': (input) => jobs.get(input.id) ?? null,
    'jobs.cancel': (input) => {
      const job = jobs.get(input.id);
      if (!job) throw new ApiError('not-found', `No job ${input.id}`);
      return { ...job, state: 'cancelled' };
    },
    'jobs.resume': (input) => {
      const job = jobs.get(input.id);
      if (!job) throw new ApiError('not-found', `No job ${input.id}`);
      return { ...job, state: 'running' };
    },
    ...synthesisStubs,
  };
  // Methods other domains add to the contract answer like a service that has no such entry.
  const handlers = new Proxy(implemented, {
    get(target, prop: string) {
      return (
        target[prop as keyof ApiHandlers] ??
        (() => {
          throw new ApiError('not-found', `The fake services do not implement ${prop}`);
        })
      );
    },
  }) as ApiHandlers;
  return {
    handlers,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      listeners.clear();
    },
    emit,
    calls,
  };
}
