/**
 * The model generator: the template generator chooses the knowledge (answer, findings, distractors); a model (a
 * local GGUF under a JSON-schema grammar, or an OpenAI-compatible server: see questionWriter.ts) writes the
 * vignette and the options from it. The output is validated by the
 * caller (exactly one option equals the knowledge-derived answer, distinct options, answer not in the stem) and
 * the options are reordered so the intended answer sits at the planned letter.
 */
import type { GbnfJsonSchema } from 'node-llama-cpp';
import type { PromptSpec } from '../llm/index.js';
import type { QuestionWriter } from './questionWriter.js';
import type { KnowledgeIndex } from './knowledgeIndex.js';
import type { Rng } from './rng.js';
import { generateTemplateQuestion, LETTERS, type GenerateResult, type TemplateRequest } from './templateGenerator.js';

export const MODEL_PROMPT_VERSION = 'model-generator-v1';

export function questionSchema(optionCount: number): GbnfJsonSchema {
  return {
    type: 'object',
    properties: {
      stem: { type: 'string' },
      options: { type: 'array', items: { type: 'string' }, minItems: optionCount, maxItems: optionCount },
    },
  } as GbnfJsonSchema;
}

export function modelPrompt(facts: { vignette: string; question: string; correct: string; distractors: string[]; questionType: string; difficulty: string }): PromptSpec {
  const text =
    `Write one ${facts.difficulty} multiple-choice question (${facts.questionType}) about a rare disease, using only these facts.\n` +
    `Clinical facts: ${facts.vignette}\n` +
    `The question asks: ${facts.question}\n` +
    `Correct answer (use verbatim as one option; never name it in the stem): ${facts.correct}\n` +
    `Wrong options (use verbatim): ${facts.distractors.join('; ')}\n` +
    'Reply as JSON: {"stem": "<vignette ending with the question>", "options": [<all options>]}.';
  return {
    turns: [
      { role: 'system', text: 'You write board-style medical multiple-choice questions. You never add facts that were not given.' },
      { role: 'user', text },
    ],
    baseText: `${text}\nJSON: `,
  };
}

export function createModelGenerator(index: KnowledgeIndex, writer: QuestionWriter, signal?: AbortSignal) {
  return async (req: TemplateRequest, rng: Rng): Promise<GenerateResult> => {
    const base = generateTemplateQuestion(index, req, rng);
    if (!base.ok) return base;
    const draft = base.draft;
    const correct = base.answerText;
    const distractors = draft.options.filter((o) => o.letter !== draft.intendedAnswer).map((o) => o.text);
    const cut = draft.stem.lastIndexOf('. ');
    const prompt = modelPrompt({
      vignette: cut > 0 ? draft.stem.slice(0, cut + 1) : draft.stem,
      question: cut > 0 ? draft.stem.slice(cut + 2) : '',
      correct,
      distractors,
      questionType: req.questionType,
      difficulty: req.difficulty,
    });
    // A server that is down throws (EndpointError) and fails the run; what a model wrote is judged per question.
    const written = await writer.write(prompt, questionSchema(req.optionCount) as Record<string, unknown>, rng.int(2 ** 31), signal);
    let value: { stem?: unknown; options?: unknown; error?: unknown };
    try {
      const parsed: unknown = JSON.parse(written.text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
      value = parsed as typeof value;
    } catch (err) {
      return { ok: false, reason: `model output did not parse: ${err instanceof Error ? err.message : String(err)}` };
    }
    if (value.stem === undefined && typeof value.error === 'string') return { ok: false, reason: `model output did not parse: ${value.error}` };
    const stem = typeof value.stem === 'string' ? value.stem.trim() : '';
    const texts = Array.isArray(value.options) ? value.options.map((o) => String(o).replace(/^[A-J][.)]\s*/, '').trim()) : [];
    // Put the knowledge-derived answer at the planned position; when the model dropped it, keep the order so
    // validation reports "expected exactly one correct option".
    const at = texts.findIndex((t) => t.toLowerCase() === correct.toLowerCase());
    if (at >= 0 && req.correctIndex < texts.length) {
      const [c] = texts.splice(at, 1);
      texts.splice(req.correctIndex, 0, c as string);
    }
    return {
      ok: true,
      answerText: base.answerText,
      check: base.check,
      draft: {
        ...draft,
        stem,
        options: texts.map((text, i) => ({ letter: LETTERS[i] as string, text })),
        provenance: { ...draft.provenance, generator: { kind: 'model', version: MODEL_PROMPT_VERSION, model: writer.name } },
      },
    };
  };
}
