/**
 * The embedded generator: no model, only Orphanet facts. A vignette of the answer disorder shaped by its question
 * type (see ./questionTypes), the type's question sentence, and distractors chosen by difficulty that each fit the
 * vignette strictly worse than the answer.
 */
import type { Difficulty, PlanCell, ProvenanceFact, QuestionOption, QuestionType, SynthQuestion } from '../../api/synthesis.js';
import type { SynthDisorder } from './disorderFacts.js';
import { fitOf } from './fit.js';
import type { KnowledgeIndex } from './knowledgeIndex.js';
import { questionTypeModule, type Choice } from './questionTypes/index.js';
import type { Rng } from './rng.js';
import type { CheckFacts } from './checker/rules.js';
import { buildVignette, type Vignette } from './vignette.js';

export const TEMPLATE_VERSION = 'template-v2';
export const LETTERS = 'ABCDEFGHIJ';

/** More findings make the picture clearer: easy questions show more of it. */
export const findingsByDifficulty: Record<Difficulty, number> = { easy: 5, medium: 4, hard: 3 };

export interface TemplateRequest {
  answer: SynthDisorder;
  questionType: QuestionType;
  difficulty: Difficulty;
  optionCount: number;
  /** Index of the correct option (0-based), drawn by the caller so letters stay balanced. */
  correctIndex: number;
  cell: PlanCell;
  seed: number;
}

export type Draft = Omit<SynthQuestion, 'id' | 'status' | 'rejectReason'>;
/**
 * `answerText` is the knowledge-derived correct option, checked against whatever the generator wrote; `check`
 * the structured facts the question checker judges beside the text.
 */
export type GenerateResult = { ok: true; draft: Draft; answerText: string; check: CheckFacts } | { ok: false; reason: string };

export function generateTemplateQuestion(index: KnowledgeIndex, req: TemplateRequest, rng: Rng): GenerateResult {
  const { answer, questionType, difficulty } = req;
  const type = questionTypeModule(questionType);
  const k = req.optionCount - 1;
  const setup = type.setup(answer, difficulty, rng);
  if (typeof setup === 'string') return { ok: false, reason: setup };
  const nFindings = Math.min(findingsByDifficulty[difficulty], answer.phenotypes.length - (setup.hidden ? 1 : 0));
  if (nFindings < 2) return { ok: false, reason: 'too few phenotypes for a vignette' };
  const built = buildVignette(rng, answer, {
    findings: nFindings,
    familyHistory: setup.familyHistory,
    avoidWords: setup.avoidWords,
    avoidPhrases: type.namesNotInStem(answer, '').filter((n) => n.length > 0),
    ...(setup.hidden ? { exclude: new Set([setup.hidden.hpoId]) } : {}),
    ...(setup.mode !== undefined ? { mode: setup.mode } : {}),
  });
  if (!built.ok) return { ok: false, reason: built.reason.replace(/\d+-(day|month|year)-old/, 'N-$1-old') };
  const vignette = built.vignette;
  const findings = vignette.findings.map((f) => f.hpoId);
  const opts = type.options({ index, answer, difficulty, rng, vignette, findings, k, setup });
  if (typeof opts === 'string') return { ok: false, reason: opts };
  const { correct, distractors } = opts;
  if (distractors.length < k) return { ok: false, reason: `only ${distractors.length} of ${k} distractors fit the rules` };

  const facts: ProvenanceFact[] = [...vignette.facts, ...opts.facts];
  const ordered: Choice[] = [...distractors];
  rng.shuffle(ordered);
  ordered.splice(req.correctIndex, 0, correct);
  const options: QuestionOption[] = ordered.map((c, i) => ({ letter: LETTERS[i] as string, text: c.text }));
  for (const d of distractors) if (d.fact) facts.push(d.fact);

  const answerFit = fitOf(findings, answer).score;
  let maxDistractorFit = -Infinity;
  for (const d of distractors) {
    const dd = index.byCode.get(d.orphaCode);
    if (dd) maxDistractorFit = Math.max(maxDistractorFit, fitOf(findings, dd).score);
  }
  const orphaCodes = [answer.orphaCode, ...distractors.map((d) => d.orphaCode).filter((c) => c && c !== answer.orphaCode)];
  return {
    ok: true,
    answerText: correct.text,
    check: checkFactsOf(vignette, setup.gene?.symbol ?? null, distractors, type.namesNotInStem(answer, '').filter((n) => n.length > 0), setup.hidden?.term ?? null),
    draft: {
      questionType,
      difficulty,
      stem: `${vignette.text} ${type.question}`,
      options,
      intendedAnswer: LETTERS[req.correctIndex] as string,
      provenance: {
        orphaCodes: [...new Set(orphaCodes)],
        facts,
        cell: req.cell,
        generator: { kind: 'template', version: TEMPLATE_VERSION },
        seed: req.seed,
        filters: {
          answerFit: round(answerFit),
          maxDistractorFit: Number.isFinite(maxDistractorFit) ? round(maxDistractorFit) : null,
        },
      },
    },
  };
}

function checkFactsOf(vignette: Vignette, keyedGene: string | null, distractors: Choice[], namesNotInStem: string[], askedFinding: string | null): CheckFacts {
  return {
    findings: vignette.findings.map((f) => ({ hpoId: f.hpoId, term: f.term })),
    familyPattern: vignette.familyPattern,
    keyedGene,
    askedFinding,
    distractors: distractors.map((d) => ({ text: d.text, orphaCode: d.orphaCode || null })),
    namesNotInStem,
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export type { Vignette };
