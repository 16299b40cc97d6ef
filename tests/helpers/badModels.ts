/**
 * GGUF files that make llama.cpp misbehave, made from a good one by editing a copy's bytes in place: `block_count`
 * 100000 and `head_count` 0 make llama.cpp abort the process (GGML_ASSERT), NaN weights load and sample garbage; the
 * others are what the GGUF validation (main/llm/ggufValidation.ts) must refuse by field: bad hyperparameters, an
 * unknown architecture, a tensor of an unknown type, too large or outside the file, an unknown version, a cut-off
 * file. The header is walked here by its own small reader (not the app's, which these files exist to test); earlier
 * versions did the same edits with llama.cpp's gguf-py through python3.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeGguf } from '../../main/platform/ggufWriter.js';

export type BadModelKind =
  | 'block-count-100000'
  | 'head-count-0'
  | 'nan-weights'
  | 'head-count-kv-0'
  | 'embedding-0'
  | 'heads-not-dividing'
  | 'arch-unknown'
  | 'tensor-type-99'
  | 'dimension-overflow'
  | 'tensor-outside-file'
  | 'version-99'
  | 'truncated-header'
  | 'truncated-data';

/** Where a scalar value of the header lies, with its GGUF type. */
interface ValueAt {
  type: number;
  at: number;
}

interface TensorInfoAt {
  name: string;
  dims: number[];
  /** Byte positions of the first dimension, the type and the data offset fields. */
  dim0At: number;
  typeAt: number;
  type: number;
  offsetAt: number;
  offset: number;
}

interface HeaderMap {
  kv: Map<string, ValueAt>;
  /** general.architecture's string bytes. */
  strings: Map<string, { at: number; length: number }>;
  tensors: TensorInfoAt[];
  dataStart: number;
}

const scalarBytes: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };

function mapHeader(b: Buffer): HeaderMap {
  let p = 8;
  const u32 = (): number => {
    const v = b.readUInt32LE(p);
    p += 4;
    return v;
  };
  const u64 = (): number => {
    const v = Number(b.readBigUInt64LE(p));
    p += 8;
    return v;
  };
  const str = (): { text: string; at: number; length: number } => {
    const length = u64();
    const at = p;
    p += length;
    return { text: b.toString('utf8', at, at + length), at, length };
  };
  const skipValue = (type: number): void => {
    if (type === 8) str();
    else if (type === 9) {
      const item = u32();
      const n = u64();
      for (let i = 0; i < n; i++) skipValue(item);
    } else p += scalarBytes[type] ?? 0;
  };
  const nTensors = u64();
  const nKv = u64();
  const kv = new Map<string, ValueAt>();
  const strings = new Map<string, { at: number; length: number }>();
  let alignment = 32;
  for (let i = 0; i < nKv; i++) {
    const key = str().text;
    const type = u32();
    kv.set(key, { type, at: p });
    if (type === 8) {
      const s = str();
      strings.set(key, { at: s.at, length: s.length });
    } else {
      if (key === 'general.alignment') alignment = b.readUInt32LE(p);
      skipValue(type);
    }
  }
  const tensors: TensorInfoAt[] = [];
  for (let i = 0; i < nTensors; i++) {
    const name = str().text;
    const nDims = u32();
    const dim0At = p;
    const dims = Array.from({ length: nDims }, () => u64());
    const typeAt = p;
    const type = u32();
    const offsetAt = p;
    const offset = u64();
    tensors.push({ name, dims, dim0At, typeAt, type, offsetAt, offset });
  }
  return { kv, strings, tensors, dataStart: Math.ceil(p / alignment) * alignment };
}

/** Writes an integer over a header field in the field's own GGUF type. */
function setInt(b: Buffer, h: HeaderMap, key: string, value: number): void {
  const f = h.kv.get(key);
  if (!f) throw new Error(`the source model has no ${key}`);
  if (f.type === 4) b.writeUInt32LE(value, f.at);
  else if (f.type === 5) b.writeInt32LE(value, f.at);
  else if (f.type === 10) b.writeBigUInt64LE(BigInt(value), f.at);
  else throw new Error(`${key} has GGUF type ${f.type}, not an integer this helper writes`);
}

function breakBytes(source: Buffer, kind: BadModelKind): Buffer {
  if (kind === 'truncated-header') return Buffer.from(source.subarray(0, 200));
  if (kind === 'truncated-data') return Buffer.from(source.subarray(0, source.length - 4096));
  const b = Buffer.from(source);
  if (kind === 'version-99') {
    b.writeUInt32LE(99, 4);
    return b;
  }
  const h = mapHeader(b);
  const archAt = h.strings.get('general.architecture');
  if (!archAt) throw new Error('the source model has no general.architecture');
  const arch = b.toString('utf8', archAt.at, archAt.at + archAt.length);
  const last = h.tensors[h.tensors.length - 1];
  if (!last) throw new Error('the source model has no tensors');
  switch (kind) {
    case 'block-count-100000':
      setInt(b, h, `${arch}.block_count`, 100000);
      break;
    case 'head-count-0':
      setInt(b, h, `${arch}.attention.head_count`, 0);
      break;
    case 'head-count-kv-0':
      setInt(b, h, `${arch}.attention.head_count_kv`, 0);
      break;
    case 'embedding-0':
      setInt(b, h, `${arch}.embedding_length`, 0);
      break;
    case 'heads-not-dividing':
      setInt(b, h, `${arch}.attention.head_count`, 5);
      setInt(b, h, `${arch}.attention.head_count_kv`, 5);
      break;
    case 'arch-unknown':
      b.write('x', archAt.at + archAt.length - 1, 'latin1');
      break;
    case 'tensor-type-99':
      b.writeUInt32LE(99, last.typeAt);
      break;
    case 'dimension-overflow':
      b.writeBigUInt64LE(2n ** 62n, last.dim0At);
      break;
    case 'tensor-outside-file':
      b.writeBigUInt64LE(1n << 40n, last.offsetAt);
      break;
    case 'nan-weights': {
      const matrices = h.tensors.filter((t) => t.type === 0 && t.dims.length === 2);
      if (matrices.length === 0) throw new Error('the source model has no F32 matrix to fill with NaN');
      for (const t of matrices) {
        const start = h.dataStart + t.offset;
        const n = t.dims.reduce((a, d) => a * d, 1);
        for (let i = 0; i < n; i++) b.writeFloatLE(Number.NaN, start + i * 4);
      }
      break;
    }
  }
  return b;
}

/** A copy of `source` broken as `kind` says, cached in the temp folder; its path. */
export function badModel(source: string, kind: BadModelKind): string {
  const dir = path.join(os.tmpdir(), 'medssr-bad-models-ts');
  mkdirSync(dir, { recursive: true });
  const out = path.join(dir, `${path.basename(source, '.gguf')}-${kind}.gguf`);
  if (existsSync(out)) return out;
  const tmp = `${out}.tmp-${process.pid}`;
  writeFileSync(tmp, breakBytes(readFileSync(source), kind));
  renameSync(tmp, out);
  return out;
}

export type AdapterKind = 'good' | 'rank-mismatch' | 'shape-mismatch' | 'layer-outside' | 'other-architecture' | 'not-lora';

/** A LoRA adapter GGUF for a model whose blk.N.attn_q.weight is [nIn, nOut], made wrong as `kind` says; its path. */
export function craftAdapter(kind: AdapterKind, nIn = 64, nOut = 64): string {
  const dir = path.join(os.tmpdir(), 'medssr-bad-models-ts');
  mkdirSync(dir, { recursive: true });
  const out = path.join(dir, `adapter-${kind}-${nIn}x${nOut}.gguf`);
  if (existsSync(out)) return out;
  const rank = 4;
  const layer = kind === 'layer-outside' ? 9 : 0;
  const aIn = kind === 'shape-mismatch' ? Math.floor(nIn / 2) : nIn;
  const bRank = kind === 'rank-mismatch' ? 3 : rank;
  // ggml order: lora_a ne = [in, r], lora_b ne = [r, out].
  writeGguf(
    out,
    [
      ['general.architecture', { type: 'string', value: kind === 'other-architecture' ? 'qwen2' : 'llama' }],
      ['general.type', { type: 'string', value: 'adapter' }],
      ['adapter.type', { type: 'string', value: kind === 'not-lora' ? 'ia3' : 'lora' }],
      ['adapter.lora.alpha', { type: 'f32', value: 8 }],
    ],
    [
      { name: `blk.${layer}.attn_q.weight.lora_a`, shape: [aIn, rank], type: 'f32', data: new Float32Array(aIn * rank) },
      { name: `blk.${layer}.attn_q.weight.lora_b`, shape: [bRank, nOut], type: 'f32', data: new Float32Array(bRank * nOut) },
    ],
  );
  return out;
}
