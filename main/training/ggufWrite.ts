/**
 * A minimal GGUF v3 writer for F32 tensors and scalar metadata: what a LoRA adapter needs (llama.cpp's
 * gguf_write_to_file layout: header, key/values, tensor infos, padding to general.alignment = 32, tensor data each
 * at a 32-byte aligned offset). Written to a temporary file and renamed, so a failure leaves no half file.
 */
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';

const ALIGN = 32;
const GGUF_TYPE = { uint32: 4, int32: 5, float32: 6, string: 8 } as const;

export type GgufValue = { type: 'string'; value: string } | { type: 'float32'; value: number } | { type: 'uint32'; value: number } | { type: 'int32'; value: number };

export interface GgufF32Tensor {
  name: string;
  /** ggml order: ne[0] is the innermost (contiguous) dimension. */
  ne: number[];
  data: Float32Array;
}

class Buf {
  private parts: Buffer[] = [];
  size = 0;
  push(b: Buffer): void {
    this.parts.push(b);
    this.size += b.length;
  }
  u32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    this.push(b);
  }
  i32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeInt32LE(v);
    this.push(b);
  }
  u64(v: number | bigint): void {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    this.push(b);
  }
  f32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeFloatLE(v);
    this.push(b);
  }
  str(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.u64(b.length);
    this.push(b);
  }
  pad(): void {
    const n = (ALIGN - (this.size % ALIGN)) % ALIGN;
    if (n) this.push(Buffer.alloc(n));
  }
  concat(): Buffer {
    return Buffer.concat(this.parts, this.size);
  }
}

export function writeGgufF32(file: string, kv: Record<string, GgufValue>, tensors: readonly GgufF32Tensor[]): void {
  const head = new Buf();
  head.push(Buffer.from('GGUF', 'ascii'));
  head.u32(3);
  head.u64(tensors.length);
  head.u64(Object.keys(kv).length);
  for (const [k, v] of Object.entries(kv)) {
    head.str(k);
    head.u32(GGUF_TYPE[v.type]);
    if (v.type === 'string') head.str(v.value);
    else if (v.type === 'float32') head.f32(v.value);
    else if (v.type === 'uint32') head.u32(v.value);
    else head.i32(v.value);
  }
  let offset = 0;
  for (const t of tensors) {
    const count = t.ne.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) throw new Error(`tensor ${t.name}: shape [${t.ne.join(', ')}] holds ${count} values, data has ${t.data.length}`);
    head.str(t.name);
    head.u32(t.ne.length);
    for (const d of t.ne) head.u64(d);
    head.u32(0); // GGML_TYPE_F32
    head.u64(offset);
    offset += Math.ceil((count * 4) / ALIGN) * ALIGN;
  }
  head.pad();
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, head.concat());
    for (const t of tensors) {
      const bytes = Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
      writeSync(fd, bytes);
      const pad = (ALIGN - (bytes.length % ALIGN)) % ALIGN;
      if (pad) writeSync(fd, Buffer.alloc(pad));
    }
    closeSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  renameSync(tmp, file);
}
