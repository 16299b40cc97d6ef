/**
 * Review fixtures built directly through the synthesis and labelling repositories (no model needed):
 * questions with provenance, and pseudo-labels with 8 samples whose vote shares, ties and disagreements
 * vary deterministically with the question number.
 */
import type { PseudoLabel, QuestionOption, QuestionType } from '../../../api/synthesis.js';
import type { Db } from '../../../main/platform/db/open.js';
import { LabelingRepo } from '../../../main/labeling/store.js';
import { SynthesisRepo, type StoredQuestion } from '../../../main/synthesis/store.js';

const diseases = [
  { code: '558', name: 'Marfan syndrome', findings: ['arachnodactyly', 'ectopia lentis', 'aortic root dilatation'] },
  { code: '586', name: 'Cystic fibrosis', findings: ['recurrent pneumonia', 'meconium ileus', 'steatorrhea'] },
  { code: '355', name: 'Gaucher disease', findings: ['splenomegaly', 'bone pain', 'thrombocytopenia'] },
  { code: '324', name: 'Fabry disease', findings: ['angiokeratoma', 'acroparesthesia', 'cornea verticillata'] },
  { code: '778', name: 'Rett syndrome', findings: ['loss of purposeful hand use', 'stereotypic hand movements', 'microcephaly'] },
  { code: '399', name: 'Huntington disease', findings: ['chorea', 'cognitive decline', 'psychiatric symptoms'] },
];
const letters = ['A', 'B', 'C', 'D', 'E'];
const types: QuestionType[] = ['diagnosis', 'gene', 'inheritance', 'phenotype', 'next-investigation'];
const levels = ['easy', 'medium', 'hard'] as const;

export interface FixtureOptions {
  name: string;
  count: number;
  /** Leave every n-th question without a pseudo-label (0 = label all). */
  unlabelledEvery?: number;
  /**
   * Every n-th question (0 = none): its last two samples wrote no answer and had their letter forced by the
   * recovery pass, as a small model's stories do (the text ends in the appended "The answer is X").
   */
  recoveredEvery?: number;
  /**
   * Every n-th question (0 = none) is stored as rejected by the checker, with a long reason (a reason pill must
   * wrap, not run off screen), and gets no pseudo-label: the template generator on the demo set rejects nothing.
   */
  rejectedEvery?: number;
}

/** Question i: answer disease i mod 6, intended letter i mod 5; returns the new dataset's id. */
export function createReviewFixture(db: Db, opts: FixtureOptions): number {
  const synth = new SynthesisRepo(db);
  const labels = new LabelingRepo(db);
  const plan = { count: opts.count, weights: {}, optionCount: 5 };
  const dataset = synth.createDataset({ name: opts.name, generator: 'template', model: null, seed: 1, plan, params: {}, knowledgeVersion: null, jobId: null });
  const questions: StoredQuestion[] = [];
  for (let i = 0; i < opts.count; i++) {
    const d = diseases[i % diseases.length] as (typeof diseases)[number];
    const correct = i % 5;
    const others = diseases.filter((x) => x.code !== d.code).slice(0, 4);
    const order = [...others];
    order.splice(correct, 0, d);
    const options: QuestionOption[] = order.map((x, k) => ({ letter: letters[k] as string, text: x.name }));
    const age = 5 + (i % 60);
    const stem = `Case ${i + 1}: a ${age}-year-old patient presents with ${d.findings[0]} and ${d.findings[1]}. Family history is unremarkable. What is the most likely diagnosis?`;
    questions.push({
      seq: i,
      id: `${opts.name}-${String(i + 1).padStart(6, '0')}`,
      questionType: types[i % types.length] as QuestionType,
      difficulty: levels[i % 3] as (typeof levels)[number],
      stem,
      options,
      intendedAnswer: letters[correct] as string,
      provenance: {
        orphaCodes: [d.code, ...others.map((x) => x.code)],
        facts: [
          { kind: 'phenotype', orphaCode: d.code, value: d.findings[0] as string, detail: 'Very frequent (99-80%)' },
          { kind: 'phenotype', orphaCode: d.code, value: d.findings[1] as string, detail: 'Frequent (79-30%)' },
          { kind: 'phenotype', orphaCode: d.code, value: d.findings[2] as string, detail: 'Occasional (29-5%)' },
        ],
        cell: {},
        generator: { kind: 'template', version: 'fixture' },
        seed: 1,
        filters: { reasoningProb: Math.round((0.6 + (i % 40) / 100) * 1000) / 1000 },
      },
      ...(opts.rejectedEvery && i % opts.rejectedEvery === opts.rejectedEvery - 1
        ? {
            status: 'rejected' as const,
            rejectReason: `options-distinct: option ${letters[(correct + 1) % 5]} "${others[0]?.name ?? ''}" shares its defining findings with the intended answer "${d.name}", so a careful reader could defend two answers; regenerate with a more distant distractor`,
          }
        : { status: 'accepted' as const, rejectReason: null }),
    });
  }
  synth.insertQuestions(dataset.id, questions);
  const accepted = questions.filter((q) => q.status === 'accepted').length;
  synth.complete(dataset.id, { count: opts.count, planned: opts.count, achievable: opts.count, achieved: accepted, cells: [], dimensions: [], labels: {} });
  const run = labels.createRun({ datasetId: dataset.id, modelPath: '/models/fixture.gguf', adapterPath: null, settings: {}, jobId: null });
  db.transaction(() => {
    for (const q of questions) {
      if (q.status === 'rejected') continue;
      if (opts.unlabelledEvery && q.seq % opts.unlabelledEvery === opts.unlabelledEvery - 1) continue;
      const recovered = opts.recoveredEvery ? q.seq % opts.recoveredEvery === opts.recoveredEvery - 1 : false;
      labels.saveLabel(run.id, dataset.id, q.seq, recovered ? withRecoveredSamples(fixtureLabel(q)) : fixtureLabel(q), 8 * 40);
    }
  })();
  labels.completeRun(run.id);
  return dataset.id;
}

/** Votes: (8 - k) for the majority, k spread; every 7th question a 4/4 tie; every 4th majority disagrees. */
function fixtureLabel(q: StoredQuestion): PseudoLabel {
  const intended = q.intendedAnswer;
  const other = letters[(letters.indexOf(intended) + 1) % 5] as string;
  const third = letters[(letters.indexOf(intended) + 2) % 5] as string;
  const tie = q.seq % 7 === 6;
  const majority = q.seq % 4 === 3 ? other : intended;
  const minority = majority === intended ? other : intended;
  const k = q.seq % 5;
  const counts: Record<string, number> = tie ? { [intended]: 4, [other]: 4 } : { [majority]: 8 - k };
  if (!tie && k > 0) {
    counts[minority] = Math.ceil(k / 2);
    if (Math.floor(k / 2) > 0) counts[third] = Math.floor(k / 2);
  }
  const extracted: string[] = [];
  for (const [l, n] of Object.entries(counts)) for (let j = 0; j < n; j++) extracted.push(l);
  const samples = extracted.map((l, index) => ({
    index,
    text: `Reasoning ${index + 1}: the findings point to the option ${l}. The answer is ${l}.`,
    extracted: l,
    recovered: false,
    tokens: 40,
  }));
  const top = Math.max(...Object.values(counts));
  return {
    questionId: q.id,
    label: tie ? null : majority,
    votes: counts,
    recovered: {},
    voteShare: top / 8,
    tie,
    written: 8,
    sampleCount: 8,
    rarelyAnswered: false,
    agreesWithIntended: tie ? null : majority === intended,
    samples,
  };
}

/** The last two samples turned into recovered ones: out of the vote, counted in `recovered`, text a story. */
function withRecoveredSamples(label: PseudoLabel): PseudoLabel {
  const samples = label.samples.map((s, i) =>
    i < label.samples.length - 2 ? s : { ...s, text: `Once upon a time a little dog found a ball in the park.\nThe answer is ${s.extracted ?? 'A'}`, recovered: true },
  );
  const votes: Record<string, number> = {};
  const recovered: Record<string, number> = {};
  for (const s of samples) {
    if (!s.extracted) continue;
    const into = s.recovered ? recovered : votes;
    into[s.extracted] = (into[s.extracted] ?? 0) + 1;
  }
  const written = samples.filter((s) => !s.recovered && s.extracted).length;
  const top = Math.max(0, ...Object.values(votes));
  const leaders = Object.entries(votes).filter(([, n]) => n === top).map(([l]) => l);
  const tie = leaders.length > 1;
  return { ...label, samples, votes, recovered, written, label: tie || top === 0 ? null : (leaders[0] as string), tie, voteShare: top / label.sampleCount, agreesWithIntended: leaders[0] === label.label && !tie ? label.agreesWithIntended : null };
}
