/**
 * 1,024 tokens per sample (room for a reasoning trace), unless the model's context is smaller: then half of it,
 * leaving room for the prompt. 1,024 on a 512-token model ran every sample into the context's end.
 */
export function defaultLabelMaxTokens(contextLength: number | null | undefined): number {
  if (!contextLength) return 1024;
  return Math.max(16, Math.min(1024, Math.floor(contextLength / 2)));
}
