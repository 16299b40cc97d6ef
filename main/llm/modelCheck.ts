/**
 * The one place a model file is checked before llama.cpp sees it: `models add`, every job that loads a model
 * (labelling, evaluation, model-based synthesis, training) and the fit check go through here. The GGUF header is
 * validated by ggufValidation.ts (bounds, tensors inside the file, supported architecture, sane and consistent
 * hyperparameters), its weights are scanned for NaN and infinities (whole when small, sampled when large), then it
 * is read by node-llama-cpp for what the app shows. An adapter is checked against its model.
 * MEDSSR_GGUF_CHECK=off skips the validation (tests of the model host's own supervision; debugging only).
 */
import { readGgufSummary } from './ggufMetadata.js';
import { scanGgufWeights, validateGgufAdapter, validateGgufModel, type GgufAdapterCheck, type GgufModelCheck, type WeightScan } from './ggufValidation.js';
import { checkReadablePath } from '../platform/safePath.js';

const skipped = (): boolean => process.env.MEDSSR_GGUF_CHECK === 'off';

export type LoadableModel = GgufModelCheck & { weights: WeightScan };

/**
 * Throws with a message naming the file and the field (or tensor) when llama.cpp would fail on (or abort at)
 * `modelPath`, or load it and compute NaN. Null when the check is switched off.
 */
export async function assertModelLoadable(modelPath: string): Promise<LoadableModel | null> {
  checkReadablePath(modelPath, 'Model file');
  const check = skipped() ? null : validateGgufModel(modelPath);
  const weights = check ? await scanGgufWeights(modelPath, check.header) : null;
  await readGgufSummary(modelPath);
  return check && weights ? { ...check, weights } : null;
}

/**
 * Throws when `adapterPath` is not a LoRA adapter llama.cpp would apply to `modelPath` (architecture, layers, shapes,
 * rank). `model` is assertModelLoadable's answer for the same file, when the caller has it, so its header is not
 * parsed again.
 */
export async function assertAdapterFits(adapterPath: string, modelPath: string, model?: GgufModelCheck | null): Promise<GgufAdapterCheck | null> {
  checkReadablePath(adapterPath, 'Adapter file');
  if (skipped()) return null;
  return validateGgufAdapter(adapterPath, model ?? validateGgufModel(modelPath));
}
