/**
 * What the Models page shows about a GGUF file, read from its header only (no weights loaded).
 */
import { statSync } from 'node:fs';
import { GgmlType, GgufFileType, GgufInsights, readGgufFileInfo, type GgufFileInfo, type Llama } from 'node-llama-cpp';
import type { ModelFit } from '../../api/synthesis.js';
import { checkReadablePath } from '../platform/safePath.js';
import { GgufValidationError, readGgufHeader } from './ggufValidation.js';

export interface GgufSummary {
  architecture: string | null;
  parameters: number | null;
  quantization: string | null;
  contextLength: number | null;
  chatTemplate: string | null;
  sizeBytes: number;
  name: string | null;
}

function enumName(table: Record<string | number, string | number>, value: unknown): string | null {
  if (typeof value !== 'number') return null;
  const n = table[value];
  return typeof n === 'string' ? n : null;
}

export async function readGgufSummary(file: string): Promise<{ summary: GgufSummary; info: GgufFileInfo }> {
  checkReadablePath(file, 'Model file');
  // node-llama-cpp's reader trusts counts and sizes ("Cannot mix BigInt", "reading 'architecture'"): bounds first.
  if (process.env.MEDSSR_GGUF_CHECK !== 'off') {
    try {
      readGgufHeader(file);
    } catch (err) {
      if (err instanceof GgufValidationError) throw new Error(`${file} is not a readable GGUF model: ${err.problem}`);
      throw err;
    }
  }
  let info: GgufFileInfo;
  try {
    info = await readGgufFileInfo(file, { readTensorInfo: true });
  } catch (err) {
    throw new Error(`${file} is not a readable GGUF model: ${err instanceof Error ? err.message : String(err)}`);
  }
  const meta = info.metadata as unknown as {
    general?: { architecture?: string; file_type?: number; name?: string };
    tokenizer?: { chat_template?: string };
  };
  const arch = meta.general?.architecture ?? null;
  const archMeta = (info.architectureMetadata ?? {}) as { context_length?: number };
  let parameters: number | null = null;
  let quantization = enumName(GgufFileType as unknown as Record<number, string>, meta.general?.file_type);
  try {
    const insights = await GgufInsights.from(info);
    parameters = insights.totalParameters;
    quantization ??= enumName(GgmlType as unknown as Record<number, string>, insights.dominantTensorType);
  } catch {
    // Header-only files (vocab-only GGUFs) have no tensors to count.
  }
  return {
    info,
    summary: {
      architecture: arch,
      parameters,
      quantization,
      contextLength: typeof archMeta.context_length === 'number' ? archMeta.context_length : null,
      chatTemplate: meta.tokenizer?.chat_template ?? null,
      sizeBytes: statSync(file).size,
      name: meta.general?.name ?? null,
    },
  };
}

/** Whether the model fits the detected GPU (all layers at a 4K context) or runs, partly or fully, on the CPU. */
export async function modelFit(llama: Llama, info: GgufFileInfo, contextSize = 4096): Promise<ModelFit> {
  const gpu = llama.gpu;
  const vram = gpu ? await llama.getVramState() : { total: 0, free: 0 };
  // A GPU backend can load without any device behind it (0 bytes of VRAM): that is a CPU-only machine too,
  // and "does not fit the GPU" would blame the model for a GPU that is not there.
  if (!gpu || vram.total === 0) {
    return { gpu: false, vramTotalBytes: 0, vramFreeBytes: 0, fitsGpu: false, gpuLayers: 0, runsOn: 'cpu', note: 'CPU only — no GPU detected; the model runs on the CPU.' };
  }
  const insights = await GgufInsights.from(info, llama);
  const resolved = await insights.configurationResolver.resolveAndScoreConfig({ targetContextSize: contextSize });
  const layers = resolved.resolvedValues.gpuLayers;
  const fits = layers >= insights.totalLayers;
  return {
    gpu,
    vramTotalBytes: vram.total,
    vramFreeBytes: vram.free,
    fitsGpu: fits,
    gpuLayers: layers,
    runsOn: layers > 0 ? 'gpu' : 'cpu',
    note: fits
      ? `All ${insights.totalLayers} layers fit on the ${gpu} GPU at a ${contextSize}-token context.`
      : layers > 0
        ? `${layers} of ${insights.totalLayers} layers fit on the GPU; the rest run on the CPU.`
        : 'The model does not fit the GPU; it runs on the CPU.',
  };
}
