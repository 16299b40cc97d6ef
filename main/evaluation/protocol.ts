/**
 * The model-name rules of MedSSR's evaluation script (vllm_logitsbias_multi.py), applied to the GGUF's file
 * name (the script applies them to its --model argument, a Hugging Face id or folder; a GGUF's file name
 * normally carries the same words, e.g. "Qwen3-8B-Base-Q4_K_M.gguf").
 */
import type { Token } from 'node-llama-cpp';

export type PromptModeSetting = 'auto' | 'chat' | 'base';
export type RecoveryMethod = 'grammar' | 'logit-bias';

export interface ResolvedPromptMode {
  mode: 'chat' | 'base';
  /**
   * Chat was wanted but the GGUF has no chat template: the script then uses its COT template for the answer
   * prompt and, for the recovery prompt, the COT text + answer without the full stop it adds for base models.
   */
  fallback: boolean;
}

/** auto: the COT template when "base" is in the model's name (case-insensitive), else the chat template. */
export function resolvePromptMode(setting: PromptModeSetting, modelName: string, hasChatTemplate: boolean): ResolvedPromptMode {
  const wanted = setting === 'auto' ? (modelName.toLowerCase().includes('base') ? 'base' : 'chat') : setting;
  if (wanted === 'base') return { mode: 'base', fallback: false };
  return hasChatTemplate ? { mode: 'chat', fallback: false } : { mode: 'base', fallback: true };
}

/** The script decodes one token for Qwen2/Qwen3/m1 models (case-sensitive match), two for every other. */
export function recoveryMaxTokens(modelName: string): number {
  return ['Qwen3', 'Qwen2', 'm1'].some((n) => modelName.includes(n)) ? 1 : 2;
}

/** Families for which the script also biases the tokens of "X." (case-insensitive match). */
export function biasesLetterWithDot(modelName: string): boolean {
  const m = modelName.toLowerCase();
  return ['gemma', 'llama', 'biomed', 'huatuo', 'deepseek-r1', 'medreason'].some((n) => m.includes(n));
}

/** +100, the script's `activate_scale`. */
export const RECOVERY_LOGIT_BIAS = 100;

/**
 * The token ids the script biases: `tokenizer.encode(letter)[0]` for each letter (Hugging Face's encode adds
 * BOS where the tokenizer does, so for such tokenizers this is the BOS token, as in the script), plus every
 * token of `encode(letter + ".")` for the families above. `encode` must add BOS exactly where the GGUF says
 * the tokenizer does.
 */
export function recoveryBiasTokens(encode: (text: string) => Token[], letters: readonly string[], modelName: string): Token[] {
  const ids: Token[] = [];
  for (const letter of letters) {
    const first = encode(letter)[0];
    if (first !== undefined) ids.push(first);
    if (biasesLetterWithDot(modelName)) ids.push(...encode(`${letter}.`));
  }
  return [...new Set(ids)];
}

/**
 * The script's recovered answer is the decoded text, stripped; scoring then strips a final "." and upper-
 * cases. An empty output is no answer (the script's `pred or "UNKNOWN"`).
 */
export function recoveredAnswer(text: string): string | null {
  const t = text.trim();
  return t ? t : null;
}
