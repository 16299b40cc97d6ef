/**
 * A GGUF (version 3) writer: metadata key/values and F32/F16/BF16/Q8_0/Q4_0/Q4_1 tensors, byte-for-byte determined by its input (no
 * timestamps, no map-order surprises: keys and tensors are written in the order they were added). The app writes
 * its seeded random-init demo models with it and tests write their tiny models with it, so llama.cpp, node-llama-cpp
 * and the native trainer all read files from one writer. Format: ggml's docs/gguf.md.
 */
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { f32ToBf16Bits, f32ToF16Bits } from './halfFloat.js';

export { f32ToF16Bits };

/** GGUF metadata value types (gguf.md, `gguf_metadata_value_type`). */
export const GgufValue = {
  u8: 0,
  i8: 1,
  u16: 2,
  i16: 3,
  u32: 4,
  i32: 5,
  f32: 6,
  bool: 7,
  string: 8,
  array: 9,
  u64: 10,
  i64: 11,
  f64: 12,
} as const;
export type GgufScalarType = Exclude<keyof typeof GgufValue, 'array'>;

export type GgufKv =
  | { type: Exclude<GgufScalarType, 'string' | 'bool' | 'u64' | 'i64'>; value: number }
  | { type: 'u64' | 'i64'; value: number | bigint }
  | { type: 'bool'; value: boolean }
  | { type: 'string'; value: string }
  | { type: 'array'; itemType: 'string'; value: readonly string[] }
  | { type: 'array'; itemType: Exclude<GgufScalarType, 'string' | 'bool' | 'u64' | 'i64'>; value: ArrayLike<number> }
  | { type: 'array'; itemType: 'bool'; value: readonly boolean[] };

/** ggml tensor types this writer stores (ggml.h `ggml_type`); the quantized ones pack blocks of 32 along ne[0]. */
export const GgmlTensorType = { f32: 0, f16: 1, q4_0: 2, q4_1: 3, q8_0: 8, q4_k: 12, q6_k: 14, bf16: 30 } as const;

/** Bytes of one block and values per block of the types this writer only copies (quantized elsewhere: ggml's K-quants). */
const rawBlocks: Partial<Record<keyof typeof GgmlTensorType, { values: number; bytes: number }>> = { q4_k: { values: 256, bytes: 144 }, q6_k: { values: 256, bytes: 210 } };

export interface GgufTensor {
  name: string;
  /** ggml order: ne[0] is the innermost (contiguous) dimension, e.g. [nEmbd, nVocab] for token_embd. */
  shape: readonly number[];
  type: keyof typeof GgmlTensorType;
  /** The values, which this writer converts to `type` (not for K-quants: give `raw`). */
  data?: Float32Array;
  /** Already encoded blocks of `type`, written as they are (K-quants made by ggml's own quantizer). */
  raw?: Uint8Array;
}

const ALIGNMENT = 32;

class Bytes {
  private chunks: Buffer[] = [];
  length = 0;
  push(b: Buffer): void {
    this.chunks.push(b);
    this.length += b.length;
  }
  u32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v >>> 0);
    this.push(b);
  }
  u64(v: number | bigint): void {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    this.push(b);
  }
  str(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.u64(b.length);
    this.push(b);
  }
  pad(to: number): void {
    const rem = this.length % to;
    if (rem) this.push(Buffer.alloc(to - rem));
  }
  scalar(type: GgufScalarType, v: number | bigint | boolean | string): void {
    const b = Buffer.alloc(type === 'u8' || type === 'i8' || type === 'bool' ? 1 : type === 'u16' || type === 'i16' ? 2 : type === 'u64' || type === 'i64' || type === 'f64' ? 8 : 4);
    switch (type) {
      case 'string':
        this.str(String(v));
        return;
      case 'bool':
        b.writeUInt8(v ? 1 : 0);
        break;
      case 'u8':
        b.writeUInt8(Number(v));
        break;
      case 'i8':
        b.writeInt8(Number(v));
        break;
      case 'u16':
        b.writeUInt16LE(Number(v));
        break;
      case 'i16':
        b.writeInt16LE(Number(v));
        break;
      case 'u32':
        b.writeUInt32LE(Number(v));
        break;
      case 'i32':
        b.writeInt32LE(Number(v));
        break;
      case 'f32':
        b.writeFloatLE(Number(v));
        break;
      case 'f64':
        b.writeDoubleLE(Number(v));
        break;
      case 'u64':
        b.writeBigUInt64LE(BigInt(v as number | bigint));
        break;
      case 'i64':
        b.writeBigInt64LE(BigInt(v as number | bigint));
        break;
    }
    this.push(b);
  }
  take(): Buffer[] {
    return this.chunks;
  }
}

const QK = 32;
const fr = Math.fround;

/** numpy's `np_roundf` in gguf-py (ggml's `roundf`): half away from zero. */
function roundAway(x: number): number {
  return Math.sign(x) * Math.floor(Math.abs(x) + 0.5);
}

/**
 * ggml's reference quantizers (ggml-quants.c `quantize_row_*_ref`, as gguf-py's quants.py computes them, in
 * float32): Q8_0 = f16 scale + 32 int8; Q4_0 = f16 scale + 16 bytes of nibbles (value j low, j + 16 high);
 * Q4_1 = f16 scale, f16 minimum, 16 bytes of nibbles.
 */
function quantize(type: 'q8_0' | 'q4_0' | 'q4_1', data: Float32Array): Buffer {
  const blocks = data.length / QK;
  const size = type === 'q8_0' ? 2 + QK : type === 'q4_0' ? 2 + QK / 2 : 4 + QK / 2;
  const out = Buffer.alloc(blocks * size);
  const q = new Uint8Array(QK);
  for (let b = 0; b < blocks; b++) {
    const x = data.subarray(b * QK, (b + 1) * QK);
    const o = b * size;
    if (type === 'q8_0') {
      let amax = 0;
      for (const v of x) amax = Math.max(amax, Math.abs(v));
      const d = fr(amax / 127);
      const id = d === 0 ? 0 : fr(1 / d);
      out.writeUInt16LE(f32ToF16Bits(d), o);
      for (let j = 0; j < QK; j++) out.writeInt8(roundAway(fr((x[j] as number) * id)), o + 2 + j);
      continue;
    }
    let lo = 0;
    if (type === 'q4_0') {
      let max = 0;
      for (const v of x) if (Math.abs(v) > Math.abs(max)) max = v;
      const d = fr(max / -8);
      const id = d === 0 ? 0 : fr(1 / d);
      for (let j = 0; j < QK; j++) q[j] = Math.min(15, Math.max(0, Math.trunc(fr(fr((x[j] as number) * id) + 8.5))));
      out.writeUInt16LE(f32ToF16Bits(d), o);
      lo = o + 2;
    } else {
      let min = Infinity;
      let max = -Infinity;
      for (const v of x) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      const d = fr(fr(max - min) / 15);
      const id = d === 0 ? 0 : fr(1 / d);
      for (let j = 0; j < QK; j++) q[j] = Math.min(15, Math.max(0, Math.trunc(fr(fr(fr((x[j] as number) - min) * id) + 0.5))));
      out.writeUInt16LE(f32ToF16Bits(d), o);
      out.writeUInt16LE(f32ToF16Bits(min), o + 2);
      lo = o + 4;
    }
    for (let j = 0; j < QK / 2; j++) out.writeUInt8((q[j] as number) | ((q[j + QK / 2] as number) << 4), lo + j);
  }
  return out;
}

function tensorBytes(t: GgufTensor): Buffer {
  const n = t.shape.reduce((a, b) => a * b, 1);
  if (t.raw) {
    const block = rawBlocks[t.type];
    const expected = block ? (n / block.values) * block.bytes : null;
    if (expected !== null && t.raw.length !== expected) throw new Error(`GGUF tensor ${t.name}: ${t.raw.length} bytes of ${t.type} for shape [${t.shape.join(', ')}], expected ${expected}`);
    return Buffer.from(t.raw.buffer, t.raw.byteOffset, t.raw.byteLength);
  }
  if (!t.data) throw new Error(`GGUF tensor ${t.name}: neither values nor raw bytes`);
  if (rawBlocks[t.type]) throw new Error(`GGUF tensor ${t.name}: this writer does not quantize ${t.type}; give raw blocks`);
  if (t.data.length !== n) throw new Error(`GGUF tensor ${t.name}: ${t.data.length} values for shape [${t.shape.join(', ')}]`);
  if (t.type === 'f32') return Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  if (t.type === 'q8_0' || t.type === 'q4_0' || t.type === 'q4_1') {
    if ((t.shape[0] ?? 0) % QK !== 0) throw new Error(`GGUF tensor ${t.name}: ${t.type} needs rows of a multiple of ${QK} values, got ${t.shape[0]}`);
    return quantize(t.type, t.data);
  }
  const data = t.data;
  const half = t.type === 'f16' ? f32ToF16Bits : f32ToBf16Bits;
  const out = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) out.writeUInt16LE(half(data[i] as number), i * 2);
  return out;
}

/** Writes the file to `file.tmp.<pid>` and renames it into place, so a reader never sees half a model. */
export function writeGguf(file: string, kvs: ReadonlyArray<readonly [string, GgufKv]>, tensors: readonly GgufTensor[]): void {
  const seen = new Set<string>();
  for (const [k] of kvs) {
    if (seen.has(k)) throw new Error(`GGUF key ${k} given twice`);
    seen.add(k);
  }
  const head = new Bytes();
  head.push(Buffer.from('GGUF', 'latin1'));
  head.u32(3);
  head.u64(tensors.length);
  head.u64(kvs.length);
  for (const [key, kv] of kvs) {
    head.str(key);
    head.u32(GgufValue[kv.type]);
    if (kv.type !== 'array') {
      head.scalar(kv.type, kv.value);
      continue;
    }
    head.u32(GgufValue[kv.itemType]);
    head.u64(kv.value.length);
    for (let i = 0; i < kv.value.length; i++) head.scalar(kv.itemType, (kv.value as ArrayLike<string | number | boolean>)[i] as string | number | boolean);
  }
  const bodies = tensors.map(tensorBytes);
  let offset = 0;
  tensors.forEach((t, i) => {
    head.str(t.name);
    head.u32(t.shape.length);
    for (const d of t.shape) head.u64(d);
    head.u32(GgmlTensorType[t.type]);
    head.u64(offset);
    offset += (bodies[i] as Buffer).length;
    offset = Math.ceil(offset / ALIGNMENT) * ALIGNMENT;
  });
  head.pad(ALIGNMENT);
  const tmp = `${file}.tmp.${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    for (const c of head.take()) writeSync(fd, c);
    for (const b of bodies) {
      writeSync(fd, b);
      const rem = b.length % ALIGNMENT;
      if (rem) writeSync(fd, Buffer.alloc(ALIGNMENT - rem));
    }
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  renameSync(tmp, file);
}
