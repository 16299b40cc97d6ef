/**
 * `npm run bench`: runs every registered benchmark, or those whose names are given
 * (`npm run bench -- knowledge`). Each writes its own bench/results/<name>.json and prints its figures.
 * To add one: export a function from bench/<name>.ts and add an entry below.
 */
// Each bench module is loaded only when it runs, so one that cannot load (a missing browser, an unbuilt
// native binary) does not stop the others.

export interface BenchEntry {
  name: string;
  description: string;
  /** Resolves true when the benchmark met its targets (or was skipped for a stated reason). */
  run(): Promise<boolean>;
}

export const benches: BenchEntry[] = [
  {
    name: 'nanoMethod',
    description: 'The method in miniature on the nano model: base single vs majority-of-8, pseudo-label accuracy, after stage 1 and stage 2 (mean ± std over seeds)',
    run: async () => {
      const { runNanoMethodBench } = await import('./nanoMethod.js');
      const r = await runNanoMethodBench();
      return r.summary.seedsCompleted === r.summary.seedsAsked && r.summary.majorityBeatsSingle === true && r.summary.stage1BeatsBaseBy2Std === true && r.summary.stage2AtLeastStage1 === true;
    },
  },
  {
    name: 'knowledge',
    description: 'Orphanet import (≤ 10 s) and search latency (p95 ≤ 20 ms)',
    run: async () => {
      const { knowledgeBenchPassed, runKnowledgeBench } = await import('./knowledge.js');
      return knowledgeBenchPassed(await runKnowledgeBench());
    },
  },
  {
    name: 'ui',
    description: 'Knowledge page first render in browser mode (≤ 1.5 s)',
    run: async () => {
      const { runUiBench } = await import('./ui.js');
      const r = await runUiBench();
      return r.pass || r.skipped !== undefined;
    },
  },
  {
    name: 'synthesis',
    description: 'Template synthesis (≥ 500 questions/s) and labelling tokens/s, N parallel sequences vs one',
    run: async () => {
      const { runSynthesisBench, synthesisBenchPassed } = await import('./synthesis.js');
      return synthesisBenchPassed(await runSynthesisBench());
    },
  },
  {
    name: 'faults',
    description: 'kill -9 of browser mode during review decisions and of the app during training (restart, resume): trials, survived, records lost or duplicated (target 0)',
    run: async () => {
      const { runFaultsBench } = await import('./faults.js');
      const r = await runFaultsBench();
      const v = r.review;
      console.log(`kill -9 during review decisions: trials ${v.trials}, survived ${v.survived}, acknowledged ${v.acknowledged}, records lost ${v.recordsLost}, duplicated ${v.duplicated}`);
      const reviewHeld = v.survived === v.trials && v.recordsLost === 0 && v.duplicated === 0;
      if (r.skipped) {
        console.log(`training trials skipped: ${r.skipped}`);
        return reviewHeld;
      }
      const t = r.training;
      console.log(`kill -9 during training: trials ${t.trials} (${t.missed} more came after the run had ended), survived ${t.survived}, steps lost ${t.stepsLost}, duplicated ${t.duplicated}, redone past a checkpoint ${t.redone}`);
      return reviewHeld && t.trials > 0 && t.survived === t.trials && t.stepsLost === 0 && t.duplicated === 0;
    },
  },
  {
    name: 'decontamination',
    description: 'Overlap of 2,000 template questions with every MedSSR benchmark (13-gram, MinHash): seconds cold and warm, hits found',
    run: async () => {
      const { runDecontaminationBench } = await import('./decontamination.js');
      const r = await runDecontaminationBench();
      if (r.skipped) console.log(`skipped: ${r.skipped}`);
      else console.log(`${r.datasetQuestions} questions: cold ${r.coldSeconds.toFixed(2)} s, warm ${r.warmSeconds.toFixed(2)} s; hits ${r.benchmarks.map((b) => `${b.name} ${b.ngramHits}/${b.nearDuplicates}`).join(', ')}`);
      return true;
    },
  },
  {
    name: 'trainer',
    description: 'Native trainer step tokens/s per backend (CPU prebuilt vs built-here module, Vulkan/CUDA when asked), fraction of ggml matmul peak (≥ 25 %)',
    run: async () => {
      const { runTrainerBench } = await import('./trainer.js');
      const r = await runTrainerBench({ staticBin: process.env.MEDSSR_STATIC_TRAINER_BIN, vulkan: process.env.MEDSSR_BENCH_VULKAN === '1' });
      if (r.skipped) console.log(`skipped: ${r.skipped}`);
      for (const v of r.variants) {
        console.log(`${v.name} on ${v.device}: ggml matmul peak ${v.matmulPeakGflops.toFixed(1)} GFLOPS (${r.threads} threads)${v.error ? `; error: ${v.error}` : ''}`);
        for (const c of v.cases) {
          const mib = (c.peakRssBytes / 2 ** 20).toFixed(0);
          console.log(`  ${c.name}: ${c.tokensPerSecond.toFixed(1)} tokens/s, ${c.achievedGflops.toFixed(1)} GFLOPS = ${(100 * c.fractionOfPeak).toFixed(1)} % of peak, peak RSS ${mib} MiB`);
        }
      }
      for (const [name, rel] of Object.entries(r.relative)) {
        console.log(`${name} vs prebuilt CPU module: ${Object.entries(rel).map(([c, x]) => `${c} ${x.toFixed(2)}x`).join(', ')}`);
      }
      const big = r.variants[0]?.cases.find((c) => c.name.startsWith('qwen2.5-0.5B'));
      return r.skipped !== undefined || (big !== undefined && big.fractionOfPeak >= 0.25);
    },
  },
  {
    name: 'sampling',
    description: 'Generation tokens/s vs a plain node-llama-cpp loop (≥ 0.9×), prompt tokens per question for N = 8, labelling questions/s',
    run: async () => {
      const { runSamplingBench } = await import('./sampling.js');
      const r = await runSamplingBench();
      if (r.skipped) console.log(`skipped: ${r.skipped}`);
      return r.skipped !== undefined || r.cases.every((c) => c.pass);
    },
  },
  {
    name: 'evaluation',
    description: 'MedSSR evaluation throughput on stories260K (questions/s, tokens/s; N = 4 generations)',
    run: async () => {
      const { runEvaluationBench } = await import('./evaluation.js');
      const r = await runEvaluationBench();
      return r.skipped !== undefined || r.runs.every((x) => x.questionsPerSecond > 0 && x.invalid + x.recovered <= x.questions * x.generations);
    },
  },
  {
    name: 'training',
    description: 'GRPO step breakdown on stories260K and a tiny qwen2: rollouts, rewards, trainer, overhead (≤ 10 %)',
    run: async () => {
      const { runTrainingBench } = await import('./training.js');
      const r = await runTrainingBench();
      return r.skipped !== undefined || r.runs.every((x) => x.pass);
    },
  },
  {
    name: 'review',
    description: 'Review page: next item shown after a decision, 10,000 items in the queue, in Chromium (p95 ≤ 100 ms)',
    run: async () => {
      const { reviewBenchPassed, runReviewBench } = await import('./review.js');
      return reviewBenchPassed(await runReviewBench());
    },
  },
];

async function main(argv: string[]): Promise<number> {
  const wanted = argv.filter((a) => !a.startsWith('-'));
  if (argv.includes('--list')) {
    for (const b of benches) console.log(`${b.name.padEnd(12)} ${b.description}`);
    return 0;
  }
  const unknown = wanted.filter((w) => !benches.some((b) => b.name === w));
  if (unknown.length) {
    console.error(`Unknown benchmark(s): ${unknown.join(', ')}. Known: ${benches.map((b) => b.name).join(', ')}`);
    return 2;
  }
  const selected = wanted.length ? benches.filter((b) => wanted.includes(b.name)) : benches;
  const failed: string[] = [];
  for (const b of selected) {
    console.log(`\n=== bench: ${b.name} — ${b.description}`);
    const started = Date.now();
    try {
      if (!(await b.run())) failed.push(b.name);
    } catch (err) {
      console.error(`bench ${b.name} failed:`, err);
      failed.push(b.name);
    }
    console.log(`=== ${b.name} took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  if (failed.length) console.log(`\nBenchmarks missing their targets: ${failed.join(', ')}`);
  return failed.length ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
