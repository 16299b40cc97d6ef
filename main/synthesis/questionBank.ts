/**
 * Template questions about chosen disorders, outside any plan: the demo model's corpus asks for questions whose
 * answer is a disorder of one split and never of another. Each question goes through the same generator and the
 * same validity and checker rules as a synthesis run's; rejected drafts are dropped (and counted).
 */
import type { QuestionType, SynthQuestion } from '../../api/synthesis.js';
import { checkQuestion } from './checker/rules.js';
import type { DisorderFactsInput, SynthDisorder } from './disorderFacts.js';
import { KnowledgeIndex } from './knowledgeIndex.js';
import { freeDifficulties, freeQuestionTypes } from './planner.js';
import { createRng } from './rng.js';
import { balancedPosition, forbiddenNames } from './synthesize.js';
import { generateTemplateQuestion, type TemplateRequest } from './templateGenerator.js';
import { validityProblem } from './validity.js';

export type BankQuestion = Omit<SynthQuestion, 'status' | 'rejectReason'>;

export interface QuestionBank {
  /** ORPHA codes that can be the answer of a template question (enough phenotypes, a question type that fits). */
  readonly answerable: readonly string[];
  /**
   * Up to `perDisorder` accepted questions whose answer is `orphaCode`, cycling through the question types that
   * fit it; deterministic for (seed, orphaCode). `positions` balances the keyed letters across calls.
   */
  questionsFor(orphaCode: string, perDisorder: number, seed: number, positions: number[]): { questions: BankQuestion[]; rejected: number };
}

export function createQuestionBank(facts: Iterable<DisorderFactsInput>, optionCount = 4): QuestionBank {
  const index = new KnowledgeIndex(facts);
  const answerable = index.answerPool.filter((d) => freeQuestionTypes(d).length > 0 && freeDifficulties(index, d, optionCount).length > 0).map((d) => d.orphaCode);
  return {
    answerable,
    questionsFor(orphaCode, perDisorder, seed, positions) {
      const answer = index.byCode.get(orphaCode) as SynthDisorder | undefined;
      if (!answer) throw new Error(`ORPHA:${orphaCode} is not in the knowledge base`);
      const rng = createRng(`question-bank:${seed}:${orphaCode}`);
      const types = freeQuestionTypes(answer);
      const diffs = freeDifficulties(index, answer, optionCount);
      const out: BankQuestion[] = [];
      let rejected = 0;
      if (types.length === 0 || diffs.length === 0) return { questions: out, rejected };
      for (let attempt = 0; out.length < perDisorder && attempt < perDisorder * 4; attempt++) {
        const questionType = types[attempt % types.length] as QuestionType;
        const difficulty = rng.pick(diffs);
        const correctIndex = balancedPosition(rng, positions);
        const req: TemplateRequest = { answer, questionType, difficulty, optionCount, correctIndex, cell: { questionType, difficulty }, seed };
        const result = generateTemplateQuestion(index, req, rng);
        if (!result.ok) {
          rejected++;
          continue;
        }
        const draft = result.draft;
        const problem = validityProblem({
          stem: draft.stem,
          options: draft.options,
          intendedAnswer: draft.intendedAnswer,
          answerText: result.answerText,
          forbiddenInStem: forbiddenNames(answer, draft, result.answerText),
          optionCount,
        });
        const checks = checkQuestion({ draft, answerText: result.answerText, answer, facts: result.check, index });
        if (problem || checks.some((c) => !c.passed)) {
          rejected++;
          continue;
        }
        // The same question twice teaches nothing new and would inflate a split's count.
        if (out.some((q) => q.stem === draft.stem)) {
          rejected++;
          continue;
        }
        positions[correctIndex] = (positions[correctIndex] ?? 0) + 1;
        out.push({ ...draft, id: `demo-${orphaCode}-${out.length + 1}` });
      }
      return { questions: out, rejected };
    },
  };
}
