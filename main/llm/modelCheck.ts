/**
 * The one place a model file is checked before llama.cpp sees it. Today: the header must parse (a file that
 * is not GGUF is refused with its name). The GGUF validator (main/llm/ggufValidation.ts, `validateGgufFile`,
 * from the "safety" work) is to be called here once merged, so `models add`, the fit check and every job
 * refuse an absurd file by name before a model process is even started.
 */
import { readGgufSummary } from './ggufMetadata.js';

export async function assertModelLoadable(modelPath: string): Promise<void> {
  await readGgufSummary(modelPath);
}
