/**
 * The 'evaluate' job: runs MedSSR's protocol over the chosen benchmark sets. Each question's generations are
 * committed together as soon as they are scored, so a cancel or a crash loses at most the question in flight,
 * and a resumed job (same job id → same run) samples only generations not yet stored.
 */
import path from 'node:path';
import { evaluateInputSchema, type EvaluateInput } from '../../api/evaluation.js';
import type { Db } from '../platform/db/open.js';
import { EvaluationRepo } from './store.js';
import { defineJobHandler, type AnyJobHandler } from '../platform/jobs/types.js';
import { forEachInFlight, openGenerator, questionsInFlight, readGgufSummary, throughput, throughputMessage, type Throughput } from '../llm/index.js';
import { evaluateQuestion } from './evaluator.js';
import { fileGroups, fileLetters, runFileResults, runResults } from './results.js';
import { RECOVERY_LOGIT_BIAS, recoveryBiasTokens, recoveryMaxTokens, resolvePromptMode, type ResolvedPromptMode } from './protocol.js';
import type { Token } from 'node-llama-cpp';
import type { EvaluateJobResult } from '../../api/evaluation.js';

// Declared in api/ with the job kinds (api/jobs.ts JobResults); re-exported for the domain's own modules.
export type { EvaluateJobResult };


export function runLabel(p: Pick<EvaluateInput, 'modelPath' | 'adapterPath' | 'label'>): string {
  if (p.label) return p.label;
  return p.adapterPath ? `${path.basename(p.modelPath)} + ${path.basename(p.adapterPath)}` : path.basename(p.modelPath);
}

export function evaluateJobHandler(deps: { db: Db }): AnyJobHandler {
  return defineJobHandler<'evaluate'>({
    kind: 'evaluate',
    parseParams: (raw) => evaluateInputSchema.parse(raw),
    title: (p) => `Evaluate ${runLabel(p)} on ${p.benchmarkIds.length} set${p.benchmarkIds.length === 1 ? '' : 's'} (${p.generations} generations${p.limit ? `, first ${p.limit}` : ''})`,
    async run(params, ctx) {
      const repo = new EvaluationRepo(deps.db);
      const sets = params.benchmarkIds.map((id) => {
        const b = repo.benchmark(id);
        if (!b) throw new Error(`No benchmark set with id ${id}`);
        return b;
      });
      const modelPath = path.resolve(params.modelPath);
      const adapterPath = params.adapterPath ? path.resolve(params.adapterPath) : null;
      const run =
        repo.runByJob(ctx.jobId) ??
        repo.createRun({
          jobId: ctx.jobId,
          label: runLabel(params),
          modelPath,
          adapterPath,
          generations: params.generations,
          limit: params.limit ?? null,
          settings: params,
          benchmarkIds: sets.map((s) => s.id),
        });
      const work = sets.map((set) => {
        const stored = repo.storedGenerationKeys(run.id, set.id);
        const questions = repo.questions(set.id, params.limit).map((q) => {
          const have = stored.get(q.seq);
          const missing = Array.from({ length: params.generations }, (_, g) => g).filter((g) => !have?.has(g));
          return { ...q, missing };
        });
        return { set, questions };
      });
      const total = work.reduce((s, w) => s + w.questions.length, 0);
      let done = work.reduce((s, w) => s + w.questions.filter((q) => q.missing.length === 0).length, 0);
      const todo = work.some((w) => w.questions.some((q) => q.missing.length > 0));
      const started = Date.now();
      let tokens = 0;
      let generationsDone = 0;
      let parallel = 0;
      let threads = 0;
      let rate: Throughput | null = null;
      let prompt: ResolvedPromptMode | null = null;
      // The script's recovery letters are the file's gold letters (all names in it), not one set's.
      const lettersOfSet = new Map<number, string[]>();
      for (const group of fileGroups(sets)) for (const b of group) lettersOfSet.set(b.id, fileLetters(group));
      if (todo) {
        ctx.progress({ done, total, message: 'Loading the model', unit: 'questions' });
        const modelName = path.basename(modelPath);
        // The prompt form depends on the chat template, read from the header here; the model itself runs in the
        // supervised model host (as labelling does), so a file that makes llama.cpp abort fails this job with the
        // reason, the app lives on, and the job can be resumed once the file is replaced.
        const { summary } = await readGgufSummary(modelPath);
        const resolved = resolvePromptMode(params.promptMode, modelName, Boolean(summary.chatTemplate));
        prompt = resolved;
        const gen = await openGenerator(modelPath, {
          promptMode: resolved.mode,
          sequences: params.parallel > 0 ? params.parallel : params.generations,
          // Seeded: the same --seed gives the same samples at any parallelism (one context per sequence).
          reproducible: true,
          ...(params.threads ? { threads: params.threads } : {}),
          // Room for the longest benchmark prompts plus a full-length answer and its recovery suffix (capped by
          // the model's training context in the model host).
          contextSize: params.contextSize ?? params.sampling.maxTokens + 2048,
          ...(adapterPath ? { adapterPath, adapterScale: params.adapterScale } : {}),
        });
        try {
          const biasBySet = new Map<number, Token[]>();
          if (params.recoveryMethod === 'logit-bias') {
            // Every text the bias needs, tokenized by the model host in one call.
            const texts = [...new Set([...lettersOfSet.values()].flatMap((letters) => letters.flatMap((l) => [l, `${l}.`])))];
            const tokenized = await gen.encode(texts);
            const encoded = new Map(texts.map((t, i) => [t, tokenized[i] ?? []]));
            for (const [id, letters] of lettersOfSet) biasBySet.set(id, recoveryBiasTokens((text) => encoded.get(text) ?? [], letters, modelName));
          }
          parallel = gen.parallel;
          threads = gen.threads;
          const doneBefore = done;
          const items = work.flatMap(({ set, questions }) => questions.filter((q) => q.missing.length > 0).map((q) => ({ set, q })));
          // Several questions in flight keep every sequence busy; each question's generations are saved as it ends.
          await forEachInFlight(
            items,
            questionsInFlight(gen.parallel, params.generations),
            async ({ set, q }) => {
              const outcome = await evaluateQuestion(gen, q, {
                missing: q.missing,
                sampling: params.sampling,
                // The question's own option letters. MedSSR's script allows the file's gold letters; on the six
                // MedSSR sets the two are the same, and on a small or custom file only the options are right.
                letters: q.options.length ? q.options.map((o) => o.letter) : set.letters,
                recovery: params.recovery,
                ...(params.recoveryMethod === 'logit-bias'
                  ? { logitBias: { tokens: biasBySet.get(set.id) ?? [], bias: RECOVERY_LOGIT_BIAS, maxTokens: recoveryMaxTokens(modelName) } }
                  : {}),
                fallbackPrompt: resolved.fallback,
                modelName,
                seedBase: params.sampling.seed + q.seq * 1009,
                signal: ctx.signal,
              });
              if (ctx.signal.aborted) return;
              repo.saveGenerations(run.id, set.id, q.seq, outcome.generations);
              tokens += outcome.tokens;
              generationsDone += outcome.generations.length;
              done++;
              rate = throughput(gen.stats(), (Date.now() - started) / 1000, done - doneBefore);
              ctx.progress({ done, total, unit: 'questions', message: `${set.name}: ${throughputMessage(rate)}, ${gen.parallel} parallel sequences` });
            },
            () => ctx.signal.aborted,
          );
          rate = throughput(gen.stats(), (Date.now() - started) / 1000, done - doneBefore);
        } finally {
          await gen.dispose();
        }
      }
      if (ctx.signal.aborted) throw new Error('Cancelled');
      repo.completeRun(run.id);
      const seconds = (Date.now() - started) / 1000;
      const evaluatedNow = generationsDone / params.generations;
      return {
        runId: run.id,
        results: runResults(repo, repo.run(run.id) ?? run),
        files: runFileResults(repo, repo.run(run.id) ?? run),
        promptMode: prompt?.mode ?? null,
        recoveryMethod: params.recovery ? params.recoveryMethod : 'off',
        questions: total,
        generationsDone,
        tokens,
        seconds: Math.round(seconds * 1000) / 1000,
        questionsPerSecond: Math.round((evaluatedNow / Math.max(seconds, 1e-3)) * 100) / 100,
        tokensPerSecond: Math.round((tokens / Math.max(seconds, 1e-3)) * 10) / 10,
        parallel,
        threads,
        throughput: rate,
      };
    },
  });
}
