/**
 * Builds one version of a named dataset into the database: questions are written in batches while the dataset
 * stays 'building' (invisible to readers); only a finished run marks it complete, so a cancel or a crash never
 * leaves a half dataset in use. A resumed job rebuilds the same version from scratch (same seed, same questions).
 * Runs on the job's thread (model generator) or in a worker thread (templates: pure CPU).
 */
import path from 'node:path';
import type { DisorderDetail } from '../../api/knowledge.js';
import type { PlanReport, SynthesizeInput } from '../../api/synthesis.js';
import type { Db } from '../db/open.js';
import { SynthesisRepo, type StoredQuestion } from '../db/repos/synthesis.js';
import type { GenerationContext } from '../llm/generation.js';
import { openGenerator } from '../llm/modelHost.js';
import { formatQuestion } from '../labeling/prompts.js';
import { KnowledgeIndex } from './knowledgeIndex.js';
import { createModelGenerator } from './modelGenerator.js';
import { reasoningProb } from './reasoningFilter.js';
import { runSynthesis, type SynthesisHooks } from './synthesize.js';

export interface SynthesisJobResult {
  dataset: string;
  version: number;
  accepted: number;
  rejected: number;
  planned: number;
  achievable: number;
  failures: Record<string, number>;
  questionsPerSecond: number;
  report: PlanReport;
}

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

export async function buildDataset(db: Db, knowledge: KnowledgeSource, params: SynthesizeInput, io: BuildIo): Promise<SynthesisJobResult> {
  const repo = new SynthesisRepo(db);
  if (needsModel(params) && !params.modelPath) throw new Error(`A model is required for ${params.generator === 'model' ? 'the model generator' : 'the reasoning filter'}`);
  io.progress(0, params.plan.count, 'Loading the knowledge base', 'steps');
  const facts = knowledge.listDisorderFacts();
  if (facts.length === 0) throw new Error('The knowledge base is empty: import ORPHApackets first (medssr import orphanet <dir>)');
  const index = new KnowledgeIndex(facts);

  const previous = repo.byJob(io.jobId);
  const dataset =
    previous && previous.state === 'building'
      ? previous
      : repo.createDataset({
          name: params.dataset,
          generator: params.generator,
          model: params.modelPath ? path.resolve(params.modelPath) : null,
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
    if (needsModel(params) && params.modelPath) {
      io.progress(0, params.plan.count, 'Loading the model', 'steps');
      // In its own process: a model file that makes llama.cpp abort fails this job, not the app.
      gen = await openGenerator(params.modelPath, { sequences: 1 });
      const modelName = path.basename(params.modelPath);
      if (params.generator === 'model') hooks.generate = createModelGenerator(index, gen, modelName, io.signal);
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
    const outcome = await runSynthesis(
      index,
      params.plan,
      { seed: params.seed, idPrefix: `${params.dataset}-v${dataset.version}`, nearDuplicateThreshold: params.nearDuplicateThreshold, reasoningThreshold: params.reasoningThreshold },
      hooks,
    );
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
