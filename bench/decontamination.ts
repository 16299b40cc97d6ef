/**
 * Decontamination cost: 2,000 template questions from the real release against every MedSSR benchmark in
 * ../shared (13-grams and MinHash), cold (benchmark indexes built) and warm (indexes kept, as the app keeps
 * them per benchmark id), plus what overlap the template questions really have. Results:
 * bench/results/decontamination.json. No target: it tells whether synthesis.overlap needs to be a job.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { synthesisPlanSchema } from '../api/synthesis.js';
import { overlapText } from '../main/synthesis/decontamination.js';
import { KnowledgeIndex } from '../main/synthesis/knowledgeIndex.js';
import { OverlapChecker } from '../main/synthesis/overlapChecker.js';
import { runSynthesis } from '../main/synthesis/synthesize.js';
import { realDisorderFacts, realKnowledgeSkip } from '../tests/helpers/realKnowledge.js';
import { needShared, sharedPath } from '../tests/helpers/shared.js';
import { writeBenchResult } from './results.js';

export interface DecontaminationBench {
  skipped?: string;
  datasetQuestions: number;
  benchmarks: { name: string; questions: number; ngramHits: number; nearDuplicates: number }[];
  coldSeconds: number;
  warmSeconds: number;
  measuredAt: string;
}

export async function runDecontaminationBench(): Promise<DecontaminationBench> {
  const skipped = realKnowledgeSkip() ?? needShared('data', 'benchmarks');
  const measuredAt = new Date().toISOString();
  if (skipped) return { skipped, datasetQuestions: 0, benchmarks: [], coldSeconds: 0, warmSeconds: 0, measuredAt };
  const dir = sharedPath('data', 'benchmarks');
  const sets = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f, i) => ({ id: i + 1, name: f.replace(/^test_short_|\.json$/g, ''), questions: (JSON.parse(readFileSync(`${dir}/${f}`, 'utf8')) as { id: string; question: string }[]).map((q) => ({ id: q.id, text: q.question })) }));
  const index = new KnowledgeIndex(await realDisorderFacts());
  const plan = synthesisPlanSchema.parse({ count: 2000, weights: { questionType: { diagnosis: 0.3, gene: 0.2, inheritance: 0.2, phenotype: 0.15, 'next-investigation': 0.15 } } });
  const out = await runSynthesis(index, plan, { seed: 7, idPrefix: 'bench' });
  const items = out.questions.filter((q) => q.status === 'accepted').map((q) => ({ id: q.id, text: overlapText(q.stem, q.options) }));
  const checker = new OverlapChecker({ list: () => sets.map((s) => ({ id: s.id, name: s.name, version: 1 })), questions: (id) => sets.find((s) => s.id === id)?.questions ?? [] });
  let t = performance.now();
  const cold = checker.summary(items);
  const coldSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  checker.summary(items);
  const warmSeconds = (performance.now() - t) / 1000;
  const r: DecontaminationBench = {
    datasetQuestions: items.length,
    benchmarks: cold.benchmarks.map((b) => ({ name: b.benchmark, questions: b.benchmarkQuestions, ngramHits: b.ngramHits, nearDuplicates: b.nearDuplicates })),
    coldSeconds,
    warmSeconds,
    measuredAt,
  };
  writeBenchResult('decontamination', r);
  return r;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await runDecontaminationBench();
  console.log(JSON.stringify(r, null, 2));
}
