/**
 * The planner and template generator on the real Orphanet release: 1,000 questions hit the planned mix, letters
 * are balanced, nothing is a near-duplicate, and diagnosis questions are internally consistent.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { synthesisPlanSchema, type SynthQuestion } from '../../../api/synthesis.js';
import { checkQuestion, checkRuleNames, type CheckFacts } from '../../../main/synthesis/checker/rules.js';
import { KnowledgeIndex } from '../../../main/synthesis/knowledgeIndex.js';
import { exactJaccard, wordShingles } from '../../../main/synthesis/minhash.js';
import { totalVariationDistance } from '../../../main/synthesis/planner.js';
import { runSynthesis } from '../../../main/synthesis/synthesize.js';
import { formatQuestion } from '../../../main/llm/prompts.js';
import { realDisorderFacts, realKnowledgeSkip } from '../../helpers/realKnowledge.js';

const skip = realKnowledgeSkip();

const plan = synthesisPlanSchema.parse({
  count: 1000,
  weights: {
    questionType: { diagnosis: 0.5, gene: 0.3, inheritance: 0.2 },
    difficulty: { easy: 0.3, medium: 0.4, hard: 0.3 },
    prevalenceClass: { '<1 / 1 000 000': 0.4, '1-9 / 1 000 000': 0.3, '1-9 / 100 000': 0.2, '1-5 / 10 000': 0.1 },
  },
});

/** Upper tail of chi-square with 4 degrees of freedom (closed form for even df). */
function chiSquareP4(x: number): number {
  return Math.exp(-x / 2) * (1 + x / 2);
}

function shares(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1 / values.length;
  return out;
}

test('1,000 template questions from the real release', { skip, timeout: 240_000 }, async () => {
  const index = new KnowledgeIndex(await realDisorderFacts());
  assert.ok(index.answerPool.length > 3000, `answer pool ${index.answerPool.length}`);
  const started = Date.now();
  const out = await runSynthesis(index, plan, { seed: 2026, idPrefix: 'real' });
  const seconds = (Date.now() - started) / 1000;
  const accepted = out.questions.filter((q) => q.status === 'accepted');
  console.log(`# ${accepted.length} accepted, ${out.questions.length - accepted.length} rejected in ${seconds.toFixed(2)} s`);
  assert.equal(accepted.length, 1000);
  for (const q of out.questions.filter((x) => x.status === 'rejected')) assert.ok(q.rejectReason, 'a rejected question keeps its reason');

  // The planned mix, measured on the questions themselves (not on the report).
  const byDim = {
    questionType: accepted.map((q) => q.questionType),
    difficulty: accepted.map((q) => q.difficulty),
    prevalenceClass: accepted.map((q) => index.byCode.get(q.provenance.orphaCodes[0]!)!.prevalenceClass),
  };
  for (const [dim, values] of Object.entries(byDim)) {
    const planned = plan.weights[dim as keyof typeof byDim] as Record<string, number>;
    const tvd = totalVariationDistance(planned, shares(values));
    console.log(`# ${dim}: TVD ${tvd.toFixed(4)}`);
    assert.ok(tvd <= 0.05, `${dim} TVD ${tvd}`);
  }
  for (const d of out.report.dimensions) assert.ok(d.tvd <= 0.05);
  assert.equal(out.report.planned, 1000);

  // Letters balanced: chi-square goodness of fit against uniform, p > 0.01.
  const letters = 'ABCDE'.split('');
  const counts = letters.map((l) => accepted.filter((q) => q.intendedAnswer === l).length);
  const chi = counts.reduce((s, c) => s + (c - 200) ** 2 / 200, 0);
  assert.ok(chiSquareP4(chi) > 0.01, `letters ${counts} chi2 ${chi}`);

  // No two accepted questions are near-duplicates (exact pairwise Jaccard over word 3-shingles).
  const sets = accepted.map((q) => wordShingles(formatQuestion(q.stem, q.options)));
  let worst = 0;
  for (let i = 0; i < sets.length; i++) for (let j = i + 1; j < sets.length; j++) worst = Math.max(worst, exactJaccard(sets[i]!, sets[j]!));
  console.log(`# highest pairwise Jaccard ${worst.toFixed(3)}`);
  assert.ok(worst < 0.8);

  // Diagnosis: the gold option is the answer disorder's name; each distractor is a different disorder.
  const diagnosis = accepted.filter((q) => q.questionType === 'diagnosis');
  assert.ok(diagnosis.length >= 450);
  for (const q of diagnosis as SynthQuestion[]) {
    const answer = index.byCode.get(q.provenance.orphaCodes[0]!)!;
    const gold = q.options.find((o) => o.letter === q.intendedAnswer)!;
    assert.equal(gold.text, answer.name);
    const others = q.options.filter((o) => o !== gold);
    const codes = q.provenance.orphaCodes.slice(1);
    assert.equal(codes.length, others.length);
    for (const code of codes) assert.notEqual(code, answer.orphaCode);
    assert.deepEqual(
      others.map((o) => o.text).sort(),
      codes.map((c) => index.byCode.get(c)!.name).sort(),
      'distractors are exactly the named other disorders',
    );
    assert.equal(new Set(codes).size, codes.length);
  }
});

const allTypesPlan = synthesisPlanSchema.parse({
  count: 1000,
  weights: {
    questionType: { diagnosis: 0.3, gene: 0.2, inheritance: 0.2, phenotype: 0.15, 'next-investigation': 0.15 },
    difficulty: { easy: 0.34, medium: 0.33, hard: 0.33 },
  },
});

test('question checker: 1,000 template questions of every type and difficulty break no rule', { skip, timeout: 240_000 }, async () => {
  const index = new KnowledgeIndex(await realDisorderFacts());
  const out = await runSynthesis(index, allTypesPlan, { seed: 11, idPrefix: 'checked' });
  const accepted = out.questions.filter((q) => q.status === 'accepted');
  const rejected = out.questions.length - accepted.length;
  console.log(`# ${accepted.length} accepted, ${rejected} rejected (${((100 * rejected) / out.questions.length).toFixed(1)}%); by rule ${JSON.stringify(out.report.rejections)}`);
  assert.equal(accepted.length, 1000, 'the generator still fills the plan');
  const rules = checkRuleNames.length + 1;
  for (const q of accepted) {
    assert.equal(q.provenance.checks?.length, rules, `${q.id} carries every rule's verdict`);
    // Re-judged from the stored text and provenance alone (rules needing the generator's own facts are left out).
    const again = checkQuestion({ draft: q, answerText: q.options.find((o) => o.letter === q.intendedAnswer)!.text, answer: index.byCode.get(q.provenance.orphaCodes[0]!)!, facts: factsOf(q, index), index });
    const broken = again.filter((r) => !r.passed && !['gene-key', 'inheritance-single-mode', 'wrong-option-is-true', 'difficulty-by-design', 'distractor-fits-worse', 'findings-by-frequency', 'cueing'].includes(r.rule));
    assert.deepEqual(broken, [], `${q.id}: ${q.stem}`);
  }
  assert.ok(rejected / out.questions.length < 0.05, `rejection rate ${rejected}/${out.questions.length}`);
  for (const q of out.questions.filter((x) => x.status === 'rejected')) {
    assert.ok(q.provenance.checks?.some((c) => !c.passed) || /near-duplicate/.test(q.rejectReason ?? ''), 'a rejected question keeps the rule that rejected it');
  }
  // The failures the issue saw, measured on the text: none survive.
  for (const q of accepted) {
    assert.doesNotMatch(q.stem, /Abnormality of|Aplasia\/Hypoplasia/, q.id);
    if (/\b\d+-(day|month)-old\b/.test(q.stem)) assert.doesNotMatch(q.stem.split('. ')[0]!, /\b(pain|headache|fatigue|vertigo|infertility|libido)\b/i, q.id);
  }
});

/** The findings a stored question shows, from its provenance (the template's facts). */
function factsOf(q: SynthQuestion, index: KnowledgeIndex): CheckFacts {
  const answer = q.provenance.orphaCodes[0]!;
  const fh = q.provenance.facts.find((f) => f.kind === 'family-history');
  return {
    findings: q.provenance.facts
      .filter((f) => f.kind === 'phenotype' && f.orphaCode === answer && !/\[asked\]/.test(f.detail ?? ''))
      .map((f) => ({ hpoId: f.value, term: index.byCode.get(answer)!.phenotypes.find((p) => p.hpoId === f.value)?.term ?? f.value })),
    familyPattern: (fh?.value as CheckFacts['familyPattern']) ?? null,
    keyedGene: null,
    askedFinding: q.questionType === 'phenotype' ? q.options.find((o) => o.letter === q.intendedAnswer)!.text : null,
    distractors: [],
    namesNotInStem: [],
  };
}
