/**
 * Merges a LoRA adapter into its base model as a full GGUF: W' = W + (alpha / rank) · scale · B·A for every adapted
 * weight. The base file is copied as is (header, metadata and tensor layout unchanged) and only the adapted
 * tensors' bytes are rewritten in place, then the copy is renamed into place. F32, F16 and BF16 bases; a quantized
 * weight is refused, naming it (requantizing would change more than the adapter did).
 */
import { closeSync, copyFileSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { GgmlType, readGgufFileInfo, type GgufTensorInfo } from 'node-llama-cpp';
import { bf16BitsToF32, f16BitsToF32, f32ToBf16Bits, f32ToF16Bits } from '../platform/halfFloat.js';

function readFloats(fd: number, t: GgufTensorInfo, count: number): Float32Array {
  const bytesPer = t.ggmlType === GgmlType.F32 ? 4 : 2;
  const buf = Buffer.alloc(count * bytesPer);
  readSync(fd, buf, 0, buf.length, Number(t.fileOffset));
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    out[i] = t.ggmlType === GgmlType.F32 ? buf.readFloatLE(i * 4) : t.ggmlType === GgmlType.F16 ? f16BitsToF32(buf.readUInt16LE(i * 2)) : bf16BitsToF32(buf.readUInt16LE(i * 2));
  }
  return out;
}

function writeFloats(fd: number, t: GgufTensorInfo, values: Float32Array): void {
  const bytesPer = t.ggmlType === GgmlType.F32 ? 4 : 2;
  const buf = Buffer.alloc(values.length * bytesPer);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (t.ggmlType === GgmlType.F32) buf.writeFloatLE(v, i * 4);
    else buf.writeUInt16LE(t.ggmlType === GgmlType.F16 ? f32ToF16Bits(v) : f32ToBf16Bits(v), i * 2);
  }
  writeSync(fd, buf, 0, buf.length, Number(t.fileOffset));
}

const floatTypes = new Set<GgmlType>([GgmlType.F32, GgmlType.F16, GgmlType.BF16]);

export interface MergeResult {
  path: string;
  mergedTensors: number;
  scale: number;
}

export async function mergeAdapter(basePath: string, adapterPath: string, outPath: string, userScale = 1): Promise<MergeResult> {
  const base = await readGgufFileInfo(basePath, { readTensorInfo: true });
  const adapter = await readGgufFileInfo(adapterPath, { readTensorInfo: true });
  const meta = adapter.metadata as unknown as { general?: { type?: string }; adapter?: { type?: string; lora?: { alpha?: number } } };
  if (meta.general?.type !== 'adapter' || meta.adapter?.type !== 'lora') throw new Error(`${adapterPath} is not a GGUF LoRA adapter`);
  const alpha = meta.adapter.lora?.alpha;
  const baseTensors = new Map((base.tensorInfo ?? []).map((t) => [t.name, t]));
  const pairs = new Map<string, { a?: GgufTensorInfo; b?: GgufTensorInfo }>();
  for (const t of adapter.tensorInfo ?? []) {
    const m = /^(.*)\.lora_([ab])$/.exec(t.name);
    if (!m) continue;
    const p = pairs.get(m[1] as string) ?? {};
    if (m[2] === 'a') p.a = t;
    else p.b = t;
    pairs.set(m[1] as string, p);
  }
  if (pairs.size === 0) throw new Error(`${adapterPath} holds no lora_a / lora_b tensors`);
  for (const [name, p] of pairs) {
    const w = baseTensors.get(name);
    if (!w) throw new Error(`the adapter targets ${name}, which ${basePath} does not have`);
    if (!p.a || !p.b) throw new Error(`the adapter lacks the ${p.a ? 'lora_b' : 'lora_a'} half of ${name}`);
    if (!floatTypes.has(w.ggmlType)) throw new Error(`${name} is stored as ${GgmlType[w.ggmlType]}: merging into quantized weights is not supported (use an F32/F16/BF16 base)`);
    for (const t of [p.a, p.b]) if (!floatTypes.has(t.ggmlType)) throw new Error(`adapter tensor ${t.name} has unsupported type ${GgmlType[t.ggmlType]}`);
  }

  const tmp = `${outPath}.${process.pid}.tmp`;
  copyFileSync(basePath, tmp);
  let merged = 0;
  let scale = userScale;
  const fdOut = openSync(tmp, 'r+');
  const fdA = openSync(adapterPath, 'r');
  try {
    for (const [name, p] of pairs) {
      const w = baseTensors.get(name) as GgufTensorInfo;
      const a = p.a as GgufTensorInfo;
      const b = p.b as GgufTensorInfo;
      // ggml order: W ne = [in, out]; lora_a ne = [in, rank]; lora_b ne = [rank, out].
      const inDim = Number(w.dimensions[0]);
      const outDim = Number(w.dimensions[1] ?? 1);
      const rank = Number(a.dimensions[1]);
      if (Number(a.dimensions[0]) !== inDim || Number(b.dimensions[0]) !== rank || Number(b.dimensions[1]) !== outDim) {
        throw new Error(`shapes of ${name} (${inDim}×${outDim}) and its adapter (${a.dimensions.join('×')}, ${b.dimensions.join('×')}) do not match`);
      }
      scale = userScale * (alpha !== undefined ? alpha / rank : 1);
      const A = readFloats(fdA, a, inDim * rank);
      const B = readFloats(fdA, b, rank * outDim);
      const W = readFloats(fdOut, w, inDim * outDim);
      for (let o = 0; o < outDim; o++) {
        const row = o * inDim;
        for (let r = 0; r < rank; r++) {
          const coef = scale * (B[o * rank + r] as number);
          if (coef === 0) continue;
          const ar = r * inDim;
          for (let i = 0; i < inDim; i++) W[row + i] = (W[row + i] as number) + coef * (A[ar + i] as number);
        }
      }
      writeFloats(fdOut, w, W);
      merged++;
    }
  } catch (err) {
    closeSync(fdOut);
    closeSync(fdA);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fdOut);
  closeSync(fdA);
  renameSync(tmp, outPath);
  return { path: outPath, mergedTensors: merged, scale };
}
