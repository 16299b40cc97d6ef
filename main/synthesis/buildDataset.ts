/**
 * Builds one version of a named dataset into the database: questions are written in batches while the dataset
 * stays 'building' (invisible to readers); only a finished run marks it complete, so a cancel or a crash never
 * leaves a half dataset in use. A resumed job rebuilds the same version from scratch (same seed, same questions).
 * Runs on the job's thread (model generator) or in a worker thread (templates: pure CPU).
 */
import path from 'node:path';
import type { DisorderDetail } from '../../api/knowledge.js';
import type { HpoOntology } from '../knowledge/index.js';
import type { SynthesizeInput } from '../../api/synthesis.js';
import type { Db } from '../platform/db/open.js';
import { SynthesisRepo, type StoredQuestion } from './store.js';
import { formatQuestion } from '../llm/index.js';
import { openGenerator, type GenerationContext } from '../llm/index.js';
import { KnowledgeIndex } from './knowledgeIndex.js';
import { unknownPlanValues } from './planner.js';
import { createModelGenerator } from './modelGenerator.js';
import { reasoningProb } from './reasoningFilter.js';
import { runSynthesis, type SynthesisHooks } from './synthesize.js';
import { endpointWriter, localWriter } from './questionWriter.js';
import { runSeededSynthesis } from './seeded.js';
import { SeedStore } from './seedStore.js';
import type { SynthesisJobResult } from '../../api/synthesis.js';

// Declared in api/ with the job kinds (api/jobs.ts JobResults); re-exported for the domain's own modules.
export type { SynthesisJobResult };


export interface BuildIo {
  jobId: string;
  isCancelled(): boolean;
  signal?: AbortSignal;
  /** `unit` 'steps' while loading, 'questions' while generating (the job's rate restarts with the unit). */
  progress(done: number, total: number, message: string, unit: 'steps' | 'questions'): void;
}

export interface KnowledgeSource {
  listDisorderFacts(): DisorderDetail[];
  stats(): { sourceVersion: string | null };
  /** The imported HPO ontology, when there is one. */
  hpoOntology?(): HpoOntology | null;
}

const FLUSH_EVERY = 200;

export class SynthesisCancelled extends Error {
  constructor() {
    super('Cancelled');
    this.name = 'SynthesisCancelled';
  }
}

export function needsModel(params: SynthesizeInput): boolean {
  return params.generator === 'model' || params.reasoningFilter;
}

/** A local model file is loaded unless an endpoint writes the questions (the reasoning filter always needs one). */
function needsLocalModel(params: SynthesizeInput): boolean {
  return params.reasoningFilter || (params.generator === 'model' && !params.endpoint);
}

/** Contradictions between the plan and the generator, named before anything is stored. */
export function synthesisInputProblem(params: SynthesizeInput): string | null {
  if (params.plan.seeds && params.generator !== 'model') return 'a plan with seeds needs --generator model (a model writes the seeded questions)';
  if (params.plan.rareRatio !== undefined && !params.plan.seeds) return '"rareRatio" applies to seeded synthesis: add "seeds" to the plan';
  if (params.endpoint && params.generator !== 'model') return 'an --endpoint writes questions for --generator model';
  if (params.endpoint && params.modelPath && !params.reasoningFilter) return 'give either --model or --endpoint, not both';
  if (needsLocalModel(params) && !params.modelPath) return `A model is required for ${params.generator === 'model' ? 'the model generator' : 'the reasoning filter'}`;
  return null;
}

export async function buildDataset(db: Db, knowledge: KnowledgeSource, params: SynthesizeInput, io: BuildIo): Promise<SynthesisJobResult> {
  const repo = new SynthesisRepo(db);
  const inputProblem = synthesisInputProblem(params);
  if (inputProblem) throw new Error(inputProblem);
  io.progress(0, params.plan.count, 'Loading the knowledge base', 'steps');
  const facts = knowledge.listDisorderFacts();
  if (facts.length === 0) throw new Error('The knowledge base is empty: import ORPHApackets first (medssr import orphanet <dir>)');
  const index = new KnowledgeIndex(facts, knowledge.hpoOntology?.() ?? null);
  const unknown = unknownPlanValues(params.plan, index);
  if (unknown) throw new Error(unknown);
  // Seeds are read before the dataset row exists: a missing set stores nothing.
  const seeds = params.plan.seeds ? new SeedStore(db).seeds(params.plan.seeds.sets) : null;

  const previous = repo.byJob(io.jobId);
  const dataset =
    previous && previous.state === 'building'
      ? previous
      : repo.createDataset({
          name: params.dataset,
          generator: params.generator,
          model: params.modelPath ? path.resolve(params.modelPath) : params.endpoint ? `${params.endpoint.model ?? 'default'} @ ${params.endpoint.url}` : null,
          seed: params.seed,
          plan: params.plan,
          params,
          knowledgeVersion: knowledge.stats().sourceVersion,
          jobId: io.jobId,
        });
  repo.clearQuestions(dataset.id);

  let gen: GenerationContext | null = null;
  const hooks: SynthesisHooks = { isCancelled: io.isCancelled, ...(io.signal ? { signal: io.signal } : {}) };
  try {
    if (needsLocalModel(params) && params.modelPath) {
      io.progress(0, params.plan.count, 'Loading the model', 'steps');
      // In its own process: a model file that makes llama.cpp abort fails this job, not the app.
      gen = await openGenerator(params.modelPath, { sequences: 1 });
      if (params.reasoningFilter) {
        const g = gen;
        hooks.reasoningProb = (draft) => reasoningProb(g, formatQuestion(draft.stem, draft.options));
      }
    }
    let buffer: StoredQuestion[] = [];
    let seq = 0;
    const flush = () => {
      if (buffer.length === 0) return;
      repo.insertQuestions(dataset.id, buffer);
      buffer = [];
    };
    const started = Date.now();
    hooks.onQuestion = (q) => {
      buffer.push({ ...q, seq: ++seq });
      if (buffer.length >= FLUSH_EVERY) flush();
    };
    hooks.onProgress = (accepted, planned) => io.progress(accepted, planned, `Generating questions (${seq - accepted} rejected so far)`, 'questions');
    const idPrefix = `${params.dataset}-v${dataset.version}`;
    // The model that writes questions: the configured server, else the local model (same prompts, same checks).
    const writer =
      params.generator !== 'model'
        ? null
        : params.endpoint
          ? endpointWriter({ url: params.endpoint.url, ...(params.endpoint.model ? { model: params.endpoint.model } : {}), ...(process.env.MEDSSR_ENDPOINT_KEY ? { apiKey: process.env.MEDSSR_ENDPOINT_KEY } : {}) })
          : localWriter(gen as GenerationContext, path.basename(params.modelPath ?? 'model'));
    let outcome;
    if (seeds && writer) {
      outcome = await runSeededSynthesis(index, params.plan, seeds, writer, { seed: params.seed, idPrefix }, hooks);
    } else {
      if (writer) hooks.generate = createModelGenerator(index, writer, io.signal);
      outcome = await runSynthesis(
        index,
        params.plan,
        { seed: params.seed, idPrefix, nearDuplicateThreshold: params.nearDuplicateThreshold, reasoningThreshold: params.reasoningThreshold },
        hooks,
      );
    }
    flush();
    if (outcome.cancelled || io.isCancelled()) throw new SynthesisCancelled();
    repo.complete(dataset.id, outcome.report);
    const accepted = outcome.questions.filter((q) => q.status === 'accepted').length;
    return {
      dataset: dataset.name,
      version: dataset.version,
      accepted,
      rejected: outcome.questions.length - accepted,
      planned: outcome.report.planned,
      achievable: outcome.report.achievable,
      failures: outcome.failures,
      questionsPerSecond: Math.round((accepted / Math.max(1e-3, (Date.now() - started) / 1000)) * 10) / 10,
      report: outcome.report,
    };
  } finally {
    await gen?.dispose();
  }
}
