/**
 * Prompts of MedSSR's evaluation script, used for pseudo-labelling too so the labels come from the same
 * protocol the model is scored with: chat models get the system prompt + the question; models without a chat
 * template get the COT template. The recovery prompt re-asks for one option after the model's own answer.
 */
import type { QuestionOption } from '../../api/synthesis.js';

export const SYSTEM_PROMPT = "Please think step by step and output the final answer as 'The answer is [LETTER]'.";
export const RECOVERY_USER = 'Respond with one option only. The answer is ';

export function cotTemplate(question: string): string {
  return (
    'You are a professional medical expert answering a multiple-choice medical question.\n' +
    'Please think step by step and then provide exactly one final option.\n' +
    'Format the final answer as: The answer is [LETTER].\n\n' +
    `Question:\n${question}\n\n`
  );
}

/** MedSSR's `question` field: the stem, then one "A. …" line per option. */
export function formatQuestion(stem: string, options: readonly QuestionOption[]): string {
  return `${stem}\n${options.map((o) => `${o.letter}. ${o.text}`).join('\n')}`;
}

/** Base-model recovery text: the COT prompt, the model's answer, then the one-option request. */
export function baseRecoveryPrompt(question: string, modelAnswer: string): string {
  const suffix = modelAnswer.trim().endsWith('.') ? '' : '.';
  return `${cotTemplate(question)}${modelAnswer}${suffix}\nRespond with one option only.\nThe answer is `;
}

/**
 * The script's recovery text for a chat model whose tokenizer has no chat template: like the base-model one
 * but without the full stop it appends to the answer.
 */
export function fallbackRecoveryPrompt(question: string, modelAnswer: string): string {
  return `${cotTemplate(question)}${modelAnswer}\nRespond with one option only.\nThe answer is `;
}
