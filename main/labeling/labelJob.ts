/**
 * The 'label' job: pseudo-labels every accepted question of a dataset version. Each question's label and
 * samples are committed together, so a cancel or a kill loses at most the question in flight, and a resumed
 * job (same job id → same run) skips every question already labelled.
 */
import path from 'node:path';
import { labelInputSchema } from '../../api/synthesis.js';
import type { Db } from '../platform/db/open.js';
import { LabelingRepo } from './store.js';
import { SynthesisRepo } from '../synthesis/index.js';
import { defineJobHandler, type AnyJobHandler } from '../platform/jobs/types.js';
import { forEachInFlight, openGenerator, questionsInFlight, throughput, throughputMessage, type Throughput } from '../llm/index.js';
import { labelQuestion } from './labeler.js';
import type { LabelJobResult } from '../../api/synthesis.js';

// Declared in api/ with the job kinds (api/jobs.ts JobResults); re-exported for the domain's own modules.
export type { LabelJobResult };


export function labelJobHandler(deps: { db: Db }): AnyJobHandler {
  return defineJobHandler<'label'>({
    kind: 'label',
    parseParams: (raw) => labelInputSchema.parse(raw),
    title: (p) => `Pseudo-label "${p.dataset}"${p.version ? ` v${p.version}` : ''} with ${path.basename(p.modelPath)} (${p.sampling.samples} samples)`,
    async run(params, ctx) {
      const synth = new SynthesisRepo(deps.db);
      const labels = new LabelingRepo(deps.db);
      const dataset = synth.find(params.dataset, params.version);
      if (!dataset) throw new Error(`No complete dataset named "${params.dataset}"${params.version ? ` with version ${params.version}` : ''}`);
      const modelPath = path.resolve(params.modelPath);
      const adapterPath = params.adapterPath ? path.resolve(params.adapterPath) : null;
      const run =
        labels.runByJob(ctx.jobId) ??
        labels.createRun({ datasetId: dataset.id, modelPath, adapterPath, settings: { sampling: params.sampling, parallel: params.parallel }, jobId: ctx.jobId });
      const questions = synth.questions(dataset.id, 'accepted');
      const done = labels.labelledSeqs(run.id);
      const todo = questions.filter((q) => !done.has(q.seq));
      ctx.progress({ done: done.size, total: questions.length, message: 'Loading the model', unit: 'questions' });
      // The model runs in its own process: a file that makes llama.cpp abort fails this job, not the app.
      const gen = await openGenerator(modelPath, {
        sequences: params.parallel > 0 ? params.parallel : params.sampling.samples,
        // Seeded: the same --seed gives the same samples at any parallelism (one context per sequence).
        reproducible: true,
        ...(params.threads ? { threads: params.threads } : {}),
        ...(adapterPath ? { adapterPath } : {}),
      });
      const started = Date.now();
      let tokens = 0;
      let count = done.size;
      let rate: Throughput = throughput(gen.stats(), 0);
      try {
        // Several questions in flight keep every sequence busy; each question's label is committed as it ends.
        await forEachInFlight(
          todo,
          questionsInFlight(gen.parallel, params.sampling.samples),
          async (q) => {
            const outcome = await labelQuestion(gen, q, params.sampling, {
              modelName: path.basename(modelPath),
              seed: params.sampling.seed + q.seq * 1009,
              signal: ctx.signal,
            });
            // A sample cut short by cancel would bias the vote; the question is labelled again on resume.
            if (ctx.signal.aborted) return;
            labels.saveLabel(run.id, dataset.id, q.seq, outcome.label, outcome.tokens);
            tokens += outcome.tokens;
            count++;
            rate = throughput(gen.stats(), (Date.now() - started) / 1000, count - done.size);
            ctx.progress({
              done: count,
              total: questions.length,
              unit: 'questions',
              message: `Labelling: ${throughputMessage(rate)}, ${gen.parallel} parallel sequences`,
            });
          },
          () => ctx.signal.aborted,
        );
        rate = throughput(gen.stats(), (Date.now() - started) / 1000, count - done.size);
      } finally {
        await gen.dispose();
      }
      if (ctx.signal.aborted) throw new Error('Cancelled');
      labels.completeRun(run.id);
      const all = [...labels.latestLabels(dataset.id).values()].filter((l) => l.runId === run.id);
      const withIntended = all.filter((l) => l.agreesWithIntended !== null);
      const secs = (Date.now() - started) / 1000;
      return {
        dataset: dataset.name,
        version: dataset.version,
        runId: run.id,
        questions: questions.length,
        labelled: all.filter((l) => l.label !== null).length,
        ties: all.filter((l) => l.tie).length,
        noAnswer: all.filter((l) => !l.tie && l.label === null).length,
        rarelyAnswered: all.filter((l) => l.rarelyAnswered).length,
        recoveredSamples: all.reduce((s, l) => s + Object.values(l.recovered).reduce((a, b) => a + b, 0), 0),
        meanVoteShare: all.length ? all.reduce((s, l) => s + (l.voteShare ?? 0), 0) / all.length : 0,
        agreement: withIntended.length ? withIntended.filter((l) => l.agreesWithIntended).length / withIntended.length : null,
        tokens,
        tokensPerSecond: Math.round((tokens / Math.max(secs, 1e-3)) * 10) / 10,
        parallel: gen.parallel,
        threads: gen.threads,
        throughput: rate,
      };
    },
  });
}
