/**
 * Tiny random `llama` / `qwen2` / `qwen3` GGUF models for trainer tests, built from the vocab-only GGUFs in
 * llama.cpp's models/ folder (the copy of node-llama-cpp's bundle that `npm run build:native` clones into
 * native/deps/llama.cpp). The weights are random, the tokenizer is real, so llama.cpp loads them like any model.
 * Written with the bundle's gguf-py (python3 + numpy); results are cached by their options.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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
   * Storage type of the 2-D weights (norms and biases stay F32). K-quants (gguf-py cannot write them) are made by
   * node-llama-cpp's libggml-base.so and need every row (nEmbd, nFf, heads x headDim) a multiple of 256.
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
}

const llamaDir = path.join(repoRoot, 'native', 'deps', 'llama.cpp');
const vocabFile: Record<TinyArch, string> = {
  llama: 'ggml-vocab-llama-spm.gguf',
  qwen2: 'ggml-vocab-qwen2.gguf',
  qwen3: 'ggml-vocab-qwen2.gguf',
};

const script = String.raw`
import json, sys
import numpy as np
import gguf
from gguf import GGUFReader, GGUFWriter, GGUFValueType, GGMLQuantizationType
from gguf.quants import quantize

o = json.loads(sys.argv[1])
arch, out = o['arch'], o['out']
rng = np.random.default_rng(o['seed'])
src = GGUFReader(o['vocab'])
w = GGUFWriter(out, arch)
n_vocab_src = len(src.fields['tokenizer.ggml.tokens'].data)
n_vocab = min(o.get('nVocab') or n_vocab_src, n_vocab_src)
for name, f in src.fields.items():
    if not name.startswith('tokenizer.'):
        continue
    vt = f.types[0]
    val = f.contents()
    if vt == GGUFValueType.ARRAY:
        sub = f.types[1]
        if name in ('tokenizer.ggml.tokens', 'tokenizer.ggml.token_type', 'tokenizer.ggml.scores'):
            val = val[:n_vocab]
        if name == 'tokenizer.ggml.merges' and n_vocab < n_vocab_src:
            continue
        w.add_key_value(name, val, vt, sub_type=sub)
    else:
        if name.endswith('_token_id') and val >= n_vocab:
            continue
        w.add_key_value(name, val, vt)
E, L, H, KV, D, F = o['nEmbd'], o['nLayer'], o['nHead'], o['nHeadKv'], o['headDim'], o['nFf']
w.add_name('tiny-' + arch)
w.add_context_length(o['contextLength'])
hdr = o.get('header') or {}
w.add_embedding_length(hdr.get('embedding_length', E))
w.add_block_count(hdr.get('block_count', L))
w.add_feed_forward_length(hdr.get('feed_forward_length', F))
w.add_head_count(hdr.get('head_count', H))
w.add_head_count_kv(hdr.get('head_count_kv', KV))
w.add_layer_norm_rms_eps(1e-6)
w.add_rope_freq_base(1000000.0 if arch != 'llama' else 10000.0)
if arch == 'qwen3' or D * H != E:
    w.add_key_length(D)
    w.add_value_length(D)
if arch == 'llama':
    w.add_rope_dimension_count(D)
qt = {'f32': None, 'f16': None, 'bf16': GGMLQuantizationType.BF16, 'q8_0': GGMLQuantizationType.Q8_0,
      'q4_0': GGMLQuantizationType.Q4_0, 'q4_1': GGMLQuantizationType.Q4_1,
      'q4_k': GGMLQuantizationType.Q4_K, 'q6_k': GGMLQuantizationType.Q6_K}[o['weightType']]
def ggml_quantize(a, qt):
    # ggml's own quantizer (the one llama-quantize uses), from the prebuilt libggml-base.so
    import ctypes
    from gguf.constants import GGML_QUANT_SIZES
    f = ctypes.CDLL(o['ggmlBase']).ggml_quantize_chunk
    f.restype = ctypes.c_size_t
    f.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64, ctypes.c_int64, ctypes.c_int64, ctypes.c_void_p]
    rows, cols = a.shape
    bs, ts = GGML_QUANT_SIZES[qt]
    if cols % bs != 0:
        raise SystemExit('%s rows of %d values: %s needs a multiple of %d' % (o['weightType'], cols, qt.name, bs))
    a = np.ascontiguousarray(a, dtype=np.float32)
    out = np.zeros((rows, cols // bs * ts), dtype=np.uint8)
    if f(int(qt), a.ctypes.data, out.ctypes.data, 0, rows, cols, None) != out.nbytes:
        raise SystemExit('ggml_quantize_chunk wrote an unexpected size')
    return out
def mat(name, rows, cols, scale=None):
    a = (rng.standard_normal((rows, cols)) * (scale if scale is not None else 1.0 / np.sqrt(cols))).astype(np.float32)
    if o.get('dequantized'):
        if qt is None:
            raise SystemExit('dequantized needs a quantized weightType')
        q = ggml_quantize(a, qt) if o['weightType'] in ('q4_k', 'q6_k') else quantize(a, qt)
        w.add_tensor(name, gguf.quants.dequantize(q, qt).astype(np.float32).reshape(rows, cols))
    elif o['weightType'] == 'f16':
        w.add_tensor(name, a.astype(np.float16))
    elif o['weightType'] in ('q4_k', 'q6_k'):
        w.add_tensor(name, ggml_quantize(a, qt), raw_dtype=qt)
    elif qt is not None:
        w.add_tensor(name, quantize(a, qt), raw_dtype=qt)
    else:
        w.add_tensor(name, a)
def vec(name, n, base, scale):
    w.add_tensor(name, (base + scale * rng.standard_normal(n)).astype(np.float32))
mat('token_embd.weight', n_vocab, E, 1.0 / np.sqrt(E))
vec('output_norm.weight', E, 1.0, 0.1)
if not o['tiedOutput']:
    mat('output.weight', n_vocab, E)
for i in range(L):
    p = 'blk.%d.' % i
    vec(p + 'attn_norm.weight', E, 1.0, 0.1)
    mat(p + 'attn_q.weight', H * D, E)
    mat(p + 'attn_k.weight', KV * D, E)
    mat(p + 'attn_v.weight', KV * D, E)
    mat(p + 'attn_output.weight', E, H * D)
    if arch == 'qwen2':
        vec(p + 'attn_q.bias', H * D, 0.0, 0.5)
        vec(p + 'attn_k.bias', KV * D, 0.0, 0.5)
        vec(p + 'attn_v.bias', KV * D, 0.0, 0.5)
    if arch == 'qwen3':
        vec(p + 'attn_q_norm.weight', D, 1.0, 0.2)
        vec(p + 'attn_k_norm.weight', D, 1.0, 0.2)
    vec(p + 'ffn_norm.weight', E, 1.0, 0.1)
    mat(p + 'ffn_gate.weight', F, E)
    mat(p + 'ffn_up.weight', F, E)
    mat(p + 'ffn_down.weight', E, F)
w.write_header_to_file()
w.write_kv_data_to_file()
w.write_tensors_to_file()
w.close()
`;

/** node-llama-cpp's prebuilt libggml-base.so for this platform (byte-identical in every backend package). */
function ggmlBaseLib(): string {
  const name = `${process.platform === 'darwin' ? 'mac' : process.platform === 'win32' ? 'win' : 'linux'}-${process.arch}`;
  const ext = process.platform === 'darwin' ? 'dylib' : process.platform === 'win32' ? 'dll' : 'so';
  const lib = path.join(repoRoot, 'node_modules', '@node-llama-cpp', name, 'bins', name, `${process.platform === 'win32' ? '' : 'lib'}ggml-base.${ext}`);
  if (!existsSync(lib)) throw new Error(`K-quant tiny models need node-llama-cpp's ${lib}`);
  return lib;
}

/** Returns a skip reason (and prints it) when tiny models cannot be made here; undefined when they can. */
export function needTinyModels(): string | undefined {
  let reason: string | undefined;
  if (!existsSync(path.join(llamaDir, 'gguf-py', 'gguf'))) reason = `${llamaDir} is absent (run npm run build:native)`;
  else if (spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status !== 0) reason = 'python3 with numpy is not available';
  if (!reason) return undefined;
  const msg = `skipped: tiny models cannot be written: ${reason}`;
  console.log(`# ${msg}`);
  return msg;
}

/** Writes (or reuses) a tiny random model and returns its path. */
export function tinyModel(opts: TinyModelOptions): string {
  const full = {
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
    ...(opts.weightType === 'q4_k' || opts.weightType === 'q6_k' ? { ggmlBase: ggmlBaseLib() } : {}),
    ...(opts.dequantized ? { dequantized: true } : {}),
    vocab: path.join(llamaDir, 'models', vocabFile[opts.arch]),
  };
  const key = createHash('sha256').update(script).update(JSON.stringify(full)).digest('hex').slice(0, 16);
  const dir = path.join(os.tmpdir(), 'medssr-tiny-models');
  mkdirSync(dir, { recursive: true });
  const out = path.join(dir, `${opts.arch}-${key}.gguf`);
  if (existsSync(out)) return out;
  const tmp = `${out}.tmp-${process.pid}`;
  const r = spawnSync('python3', ['-c', script, JSON.stringify({ ...full, out: tmp })], {
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: path.join(llamaDir, 'gguf-py') },
  });
  if (r.status !== 0) throw new Error(`writing tiny ${opts.arch} model failed: ${r.stderr.trim().split('\n').slice(-5).join('\n')}`);
  renameSync(tmp, out);
  return out;
}
