/**
 * Tiny random `llama` / `qwen2` / `qwen3` GGUF models for trainer tests, built from the vocab-only GGUFs in
 * llama.cpp's models/ folder (the copy of node-llama-cpp's bundle that `npm run build:native` clones into
 * native/deps/llama.cpp). The weights are random, the tokenizer is real, so llama.cpp loads them like any model.
 * Written in TypeScript with the app's GGUF writer (main/platform/ggufWriter.ts: F32, F16, BF16 and ggml's
 * reference Q8_0/Q4_0/Q4_1 quantizers); results are cached by their options. Earlier versions used gguf-py
 * (python3 + numpy): the layout and value ranges are the same, the random draws are not (numpy's generator).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeGguf, type GgufKv, type GgufScalarType, type GgufTensor } from '../../main/platform/ggufWriter.js';
import { repoRoot } from './shared.js';

export type TinyArch = 'llama' | 'qwen2' | 'qwen3';

export interface TinyModelOptions {
  arch: TinyArch;
  nEmbd?: number;
  nLayer?: number;
  nHead?: number;
  nHeadKv?: number;
  /** qwen3 allows a head size other than nEmbd / nHead. */
  headDim?: number;
  nFf?: number;
  contextLength?: number;
  /**
   * Storage type of the 2-D weights (norms and biases stay F32). K-quants are made by ggml's own quantizer in
   * node-llama-cpp's libggml-base.so (through python3's ctypes) and need every row (nEmbd, nFf, heads x headDim)
   * a multiple of 256.
   */
  weightType?: 'f32' | 'f16' | 'bf16' | 'q8_0' | 'q4_0' | 'q4_1' | 'q4_k' | 'q6_k';
  tiedOutput?: boolean;
  /** Write the weights quantized to weightType and dequantized back, as F32: the same values, exactly representable. */
  dequantized?: boolean;
  seed?: number;
  /** Replace the real vocabulary's size; the tokenizer keeps its first nVocab tokens. */
  nVocab?: number;
  /** Header values written in place of the true ones (tensors keep the true shapes): bad-input tests. */
  header?: Partial<Record<'embedding_length' | 'block_count' | 'head_count' | 'head_count_kv' | 'feed_forward_length', number>>;
  /** Extra string keys (e.g. general.source.repo_url), as llama.cpp's converter writes them; general.name replaces "tiny-<arch>". */
  strings?: Record<string, string>;
}

const llamaDir = path.join(repoRoot, 'native', 'deps', 'llama.cpp');
const vocabFile: Record<TinyArch, string> = {
  llama: 'ggml-vocab-llama-spm.gguf',
  qwen2: 'ggml-vocab-qwen2.gguf',
  qwen3: 'ggml-vocab-qwen2.gguf',
};

/** Bumped whenever what this file writes changes, so that cached models are rewritten. */
const WRITER_VERSION = 'ts-1';

const typeNames: Record<number, GgufScalarType> = { 0: 'u8', 1: 'i8', 2: 'u16', 3: 'i16', 4: 'u32', 5: 'i32', 6: 'f32', 7: 'bool', 8: 'string', 10: 'u64', 11: 'i64', 12: 'f64' };

/** The `tokenizer.*` key/values of a GGUF file, with their GGUF types, in file order. */
function readTokenizerKvs(file: string): [string, GgufKv][] {
  const b = readFileSync(file);
  let pos = 0;
  const u32 = () => {
    const v = b.readUInt32LE(pos);
    pos += 4;
    return v;
  };
  const u64 = () => {
    const v = Number(b.readBigUInt64LE(pos));
    pos += 8;
    return v;
  };
  const str = () => {
    const n = u64();
    const v = b.toString('utf8', pos, pos + n);
    pos += n;
    return v;
  };
  const scalar = (t: GgufScalarType): number | bigint | boolean | string => {
    const at = pos;
    const size = { u8: 1, i8: 1, bool: 1, u16: 2, i16: 2, u32: 4, i32: 4, f32: 4, u64: 8, i64: 8, f64: 8, string: 0 }[t];
    pos += size;
    switch (t) {
      case 'u8': return b.readUInt8(at);
      case 'i8': return b.readInt8(at);
      case 'bool': return b.readUInt8(at) !== 0;
      case 'u16': return b.readUInt16LE(at);
      case 'i16': return b.readInt16LE(at);
      case 'u32': return b.readUInt32LE(at);
      case 'i32': return b.readInt32LE(at);
      case 'f32': return b.readFloatLE(at);
      case 'u64': return b.readBigUInt64LE(at);
      case 'i64': return b.readBigInt64LE(at);
      case 'f64': return b.readDoubleLE(at);
      case 'string': return str();
    }
  };
  if (b.toString('latin1', 0, 4) !== 'GGUF') throw new Error(`${file} is not a GGUF file`);
  pos = 8;
  u64(); // tensors
  const nKv = u64();
  const out: [string, GgufKv][] = [];
  for (let i = 0; i < nKv; i++) {
    const key = str();
    const vt = u32();
    if (vt === 9) {
      const it = typeNames[u32()];
      const n = u64();
      if (!it || it === 'u64' || it === 'i64') throw new Error(`${file}: ${key} is an array of a type this reader does not keep`);
      const vals = Array.from({ length: n }, () => scalar(it));
      if (!key.startsWith('tokenizer.')) continue;
      if (it === 'string') out.push([key, { type: 'array', itemType: 'string', value: vals as string[] }]);
      else if (it === 'bool') out.push([key, { type: 'array', itemType: 'bool', value: vals as boolean[] }]);
      else out.push([key, { type: 'array', itemType: it, value: vals as number[] }]);
      continue;
    }
    const t = typeNames[vt];
    if (!t) throw new Error(`${file}: ${key} has value type ${vt}`);
    const v = scalar(t);
    if (!key.startsWith('tokenizer.')) continue;
    out.push([key, { type: t, value: v } as GgufKv]);
  }
  return out;
}

/** A seeded standard normal (xorshift128+ through Box-Muller): the same draws for the same seed, everywhere. */
function normals(seed: number): () => number {
  let s0 = BigInt(seed) * 0x9e3779b97f4a7c15n + 0x632be59bd9b4e019n;
  let s1 = (s0 ^ 0xbf58476d1ce4e5b9n) * 0x94d049bb133111ebn;
  const mask = (1n << 64n) - 1n;
  s0 &= mask;
  s1 &= mask;
  const next = (): number => {
    let x = s0;
    const y = s1;
    s0 = y;
    x = (x ^ (x << 23n)) & mask;
    s1 = x ^ y ^ (x >> 17n) ^ (y >> 26n);
    return Number(((s1 + y) & mask) >> 11n) / 2 ** 53;
  };
  for (let i = 0; i < 16; i++) next();
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const v = spare;
      spare = null;
      return v;
    }
    const u = 1 - next();
    const w = next();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * w);
    return r * Math.cos(2 * Math.PI * w);
  };
}

interface FullOptions {
  arch: TinyArch;
  nEmbd: number;
  nLayer: number;
  nHead: number;
  nHeadKv: number;
  headDim: number;
  nFf: number;
  contextLength: number;
  weightType: NonNullable<TinyModelOptions['weightType']>;
  tiedOutput: boolean;
  seed: number;
  nVocab: number;
  header?: TinyModelOptions['header'];
  dequantized?: boolean;
  strings?: TinyModelOptions['strings'];
  vocab: string;
}

/** The model file: the vocabulary's tokenizer keys, llama.cpp's hyper-parameter keys, random tensors. */
function writeTinyModel(o: FullOptions, out: string): void {
  const src = readTokenizerKvs(o.vocab);
  const tokens = src.find(([k]) => k === 'tokenizer.ggml.tokens')?.[1];
  if (!tokens || tokens.type !== 'array') throw new Error(`${o.vocab} has no tokenizer.ggml.tokens`);
  const nVocabSrc = tokens.value.length;
  const nVocab = Math.min(o.nVocab || nVocabSrc, nVocabSrc);
  const kvs: [string, GgufKv][] = [['general.architecture', { type: 'string', value: o.arch }]];
  for (const [key, kv] of src) {
    if (kv.type === 'array') {
      if (key === 'tokenizer.ggml.merges' && nVocab < nVocabSrc) continue;
      if (key === 'tokenizer.ggml.tokens' || key === 'tokenizer.ggml.token_type' || key === 'tokenizer.ggml.scores') {
        kvs.push([key, { ...kv, value: Array.prototype.slice.call(kv.value, 0, nVocab) } as GgufKv]);
        continue;
      }
      kvs.push([key, kv]);
      continue;
    }
    if (key.endsWith('_token_id') && typeof kv.value === 'number' && kv.value >= nVocab) continue;
    kvs.push([key, kv]);
  }
  const { arch, nEmbd: E, nLayer: L, nHead: H, nHeadKv: KV, headDim: D, nFf: F } = o;
  const hdr = o.header ?? {};
  const u32 = (value: number): GgufKv => ({ type: 'u32', value });
  const extra = o.strings ?? {};
  kvs.push(['general.name', { type: 'string', value: extra['general.name'] ?? `tiny-${arch}` }]);
  for (const [k, value] of Object.entries(extra)) if (k !== 'general.name') kvs.push([k, { type: 'string', value }]);
  kvs.push([`${arch}.context_length`, u32(o.contextLength)]);
  kvs.push([`${arch}.embedding_length`, u32(hdr.embedding_length ?? E)]);
  kvs.push([`${arch}.block_count`, u32(hdr.block_count ?? L)]);
  kvs.push([`${arch}.feed_forward_length`, u32(hdr.feed_forward_length ?? F)]);
  kvs.push([`${arch}.attention.head_count`, u32(hdr.head_count ?? H)]);
  kvs.push([`${arch}.attention.head_count_kv`, u32(hdr.head_count_kv ?? KV)]);
  kvs.push([`${arch}.attention.layer_norm_rms_epsilon`, { type: 'f32', value: 1e-6 }]);
  kvs.push([`${arch}.rope.freq_base`, { type: 'f32', value: arch !== 'llama' ? 1_000_000 : 10_000 }]);
  if (arch === 'qwen3' || D * H !== E) {
    kvs.push([`${arch}.attention.key_length`, u32(D)]);
    kvs.push([`${arch}.attention.value_length`, u32(D)]);
  }
  if (arch === 'llama') kvs.push([`${arch}.rope.dimension_count`, u32(D)]);

  const randn = normals(o.seed);
  const tensors: GgufTensor[] = [];
  // ggml order: shape [cols, rows] for a rows × cols matrix.
  const mat = (name: string, rows: number, cols: number, scale = 1 / Math.sqrt(cols)) => {
    const data = new Float32Array(rows * cols);
    for (let i = 0; i < data.length; i++) data[i] = randn() * scale;
    if (o.dequantized) tensors.push({ name, shape: [cols, rows], type: 'f32', data: new Float32Array(ggmlQuantize(o.weightType, rows, cols, data, 'dequantized').buffer) });
    else if (o.weightType === 'q4_k' || o.weightType === 'q6_k') tensors.push({ name, shape: [cols, rows], type: o.weightType, raw: ggmlQuantize(o.weightType, rows, cols, data, 'quantized') });
    else tensors.push({ name, shape: [cols, rows], type: o.weightType, data });
  };
  const vec = (name: string, n: number, base: number, scale: number) => {
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = base + scale * randn();
    tensors.push({ name, shape: [n], type: 'f32', data });
  };
  mat('token_embd.weight', nVocab, E, 1 / Math.sqrt(E));
  vec('output_norm.weight', E, 1, 0.1);
  if (!o.tiedOutput) mat('output.weight', nVocab, E);
  for (let i = 0; i < L; i++) {
    const p = `blk.${i}.`;
    vec(`${p}attn_norm.weight`, E, 1, 0.1);
    mat(`${p}attn_q.weight`, H * D, E);
    mat(`${p}attn_k.weight`, KV * D, E);
    mat(`${p}attn_v.weight`, KV * D, E);
    mat(`${p}attn_output.weight`, E, H * D);
    if (arch === 'qwen2') {
      vec(`${p}attn_q.bias`, H * D, 0, 0.5);
      vec(`${p}attn_k.bias`, KV * D, 0, 0.5);
      vec(`${p}attn_v.bias`, KV * D, 0, 0.5);
    }
    if (arch === 'qwen3') {
      vec(`${p}attn_q_norm.weight`, D, 1, 0.2);
      vec(`${p}attn_k_norm.weight`, D, 1, 0.2);
    }
    vec(`${p}ffn_norm.weight`, E, 1, 0.1);
    mat(`${p}ffn_gate.weight`, F, E);
    mat(`${p}ffn_up.weight`, F, E);
    mat(`${p}ffn_down.weight`, E, F);
  }
  writeGguf(out, kvs, tensors);
}

// ggml's quantizers for what the TypeScript writer does not encode itself: K-quants through ggml_quantize_chunk of
// node-llama-cpp's prebuilt libggml-base.so (the one llama-quantize uses), the rest through gguf-py; "dequantized"
// returns the values the blocks decode to (gguf-py's dequantize), as float32.
const quantizeScript = String.raw`
import ctypes, sys
import numpy as np
from gguf.constants import GGML_QUANT_SIZES, GGMLQuantizationType
import gguf.quants
name, rows, cols, mode, lib = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
qt = GGMLQuantizationType[name.upper()]
a = np.frombuffer(sys.stdin.buffer.read(), dtype=np.float32).reshape(rows, cols).copy()
bs, ts = GGML_QUANT_SIZES[qt]
if cols % bs != 0:
    raise SystemExit('%s rows of %d values: %s needs a multiple of %d' % (name, cols, qt.name, bs))
if qt in (GGMLQuantizationType.Q4_K, GGMLQuantizationType.Q6_K):
    f = ctypes.CDLL(lib).ggml_quantize_chunk
    f.restype = ctypes.c_size_t
    f.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64, ctypes.c_int64, ctypes.c_int64, ctypes.c_void_p]
    q = np.zeros((rows, cols // bs * ts), dtype=np.uint8)
    if f(int(qt), a.ctypes.data, q.ctypes.data, 0, rows, cols, None) != q.nbytes:
        raise SystemExit('ggml_quantize_chunk wrote an unexpected size')
else:
    q = gguf.quants.quantize(a, qt)
out = gguf.quants.dequantize(q, qt).astype(np.float32) if mode == 'dequantized' else q
sys.stdout.buffer.write(np.ascontiguousarray(out).tobytes())
`;

/** node-llama-cpp's prebuilt libggml-base.so for this platform (byte-identical in every backend package). */
function ggmlBaseLib(): string {
  const name = `${process.platform === 'darwin' ? 'mac' : process.platform === 'win32' ? 'win' : 'linux'}-${process.arch}`;
  const ext = process.platform === 'darwin' ? 'dylib' : process.platform === 'win32' ? 'dll' : 'so';
  const lib = path.join(repoRoot, 'node_modules', '@node-llama-cpp', name, 'bins', name, `${process.platform === 'win32' ? '' : 'lib'}ggml-base.${ext}`);
  if (!existsSync(lib)) throw new Error(`K-quant tiny models need node-llama-cpp's ${lib}`);
  return lib;
}

function ggmlQuantize(type: string, rows: number, cols: number, data: Float32Array, mode: 'quantized' | 'dequantized'): Uint8Array {
  if (type === 'f32' || type === 'f16' || type === 'bf16') throw new Error(`dequantized needs a quantized weightType, got ${type}`);
  const lib = type === 'q4_k' || type === 'q6_k' ? ggmlBaseLib() : '';
  const r = spawnSync('python3', ['-c', quantizeScript, type, String(rows), String(cols), mode, lib], {
    input: Buffer.from(data.buffer, data.byteOffset, data.byteLength),
    env: { ...process.env, PYTHONPATH: path.join(llamaDir, 'gguf-py') },
    maxBuffer: 1 << 30,
  });
  if (r.status !== 0) throw new Error(`quantizing a tiny model's ${type} weights failed: ${r.stderr.toString().trim().split('\n').slice(-5).join('\n')}`);
  const out = new Uint8Array(r.stdout.byteLength);
  out.set(r.stdout);
  return out;
}

/** Returns a skip reason (and prints it) when tiny models cannot be made here; undefined when they can. */
export function needTinyModels(): string | undefined {
  const missing = Object.values(vocabFile).map((f) => path.join(llamaDir, 'models', f)).find((f) => !existsSync(f));
  if (!missing) return undefined;
  const msg = `skipped: tiny models cannot be written: ${missing} is absent (run npm run build:native)`;
  console.log(`# ${msg}`);
  return msg;
}

/** Writes (or reuses) a tiny random model and returns its path. */
export function tinyModel(opts: TinyModelOptions): string {
  const full: FullOptions = {
    arch: opts.arch,
    nEmbd: opts.nEmbd ?? 64,
    nLayer: opts.nLayer ?? 2,
    nHead: opts.nHead ?? 4,
    nHeadKv: opts.nHeadKv ?? 2,
    headDim: opts.headDim ?? (opts.arch === 'qwen3' ? 32 : (opts.nEmbd ?? 64) / (opts.nHead ?? 4)),
    nFf: opts.nFf ?? 128,
    contextLength: opts.contextLength ?? 512,
    weightType: opts.weightType ?? 'f32',
    tiedOutput: opts.tiedOutput ?? opts.arch === 'qwen2',
    seed: opts.seed ?? 1,
    nVocab: opts.nVocab ?? 0,
    ...(opts.header ? { header: opts.header } : {}),
    ...(opts.strings ? { strings: opts.strings } : {}),
    ...(opts.dequantized ? { dequantized: true } : {}),
    vocab: path.join(llamaDir, 'models', vocabFile[opts.arch]),
  };
  const key = createHash('sha256').update(WRITER_VERSION).update(JSON.stringify(full)).digest('hex').slice(0, 16);
  const dir = path.join(os.tmpdir(), 'medssr-tiny-models');
  mkdirSync(dir, { recursive: true });
  const out = path.join(dir, `${opts.arch}-${key}.gguf`);
  if (!existsSync(out)) writeTinyModel(full, out);
  return out;
}
