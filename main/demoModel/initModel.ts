/**
 * The seeded random initialisation of the nano demo model: a `llama`-architecture GGUF with small dimensions and
 * the corpus vocabulary, written with the platform's GGUF writer. The same spec, vocabulary and seed give a
 * byte-identical file (the generator is sfc32 and the draw is uniform, so no transcendental function whose last
 * bit could differ between machines is involved).
 */
import type { DemoArch } from '../../api/demoModel.js';
import { writeGguf, type GgufKv, type GgufTensor } from '../platform/ggufWriter.js';
import { createRng } from '../synthesis/index.js';
import type { Vocab } from './vocab.js';

/** The architecture the card records (api/demoModel.ts) is the one the initialisation takes. */
export type ArchSpec = DemoArch;

export const defaultArch: ArchSpec = { nEmbd: 192, nLayer: 4, nHead: 4, nHeadKv: 4, nFf: 512, contextLength: 512 };

export function checkArch(a: ArchSpec): void {
  for (const [k, v] of Object.entries(a)) if (!Number.isInteger(v) || v <= 0) throw new Error(`arch.${k} must be a positive integer, got ${v}`);
  if (a.nEmbd % a.nHead !== 0) throw new Error(`arch.nEmbd (${a.nEmbd}) must be a multiple of arch.nHead (${a.nHead})`);
  if (a.nHead % a.nHeadKv !== 0) throw new Error(`arch.nHead (${a.nHead}) must be a multiple of arch.nHeadKv (${a.nHeadKv})`);
  if ((a.nEmbd / a.nHead) % 2 !== 0) throw new Error('the head size must be even (RoPE rotates pairs)');
}

export function parameterCount(a: ArchSpec, nVocab: number): number {
  const hd = a.nEmbd / a.nHead;
  const perLayer = 2 * a.nEmbd + a.nEmbd * a.nEmbd * 2 + 2 * a.nEmbd * a.nHeadKv * hd + 3 * a.nEmbd * a.nFf;
  return 2 * nVocab * a.nEmbd + a.nEmbd + a.nLayer * perLayer;
}

/** The tokenizer's key/values, as llama.cpp's SPM loader reads them. */
export function tokenizerKvs(v: Vocab): [string, GgufKv][] {
  return [
    ['tokenizer.ggml.model', { type: 'string', value: 'llama' }],
    ['tokenizer.ggml.tokens', { type: 'array', itemType: 'string', value: v.tokens }],
    ['tokenizer.ggml.scores', { type: 'array', itemType: 'f32', value: v.scores }],
    ['tokenizer.ggml.token_type', { type: 'array', itemType: 'i32', value: v.types }],
    ['tokenizer.ggml.unknown_token_id', { type: 'u32', value: v.unk }],
    ['tokenizer.ggml.bos_token_id', { type: 'u32', value: v.bos }],
    ['tokenizer.ggml.eos_token_id', { type: 'u32', value: v.eos }],
    ['tokenizer.ggml.add_bos_token', { type: 'bool', value: true }],
    ['tokenizer.ggml.add_eos_token', { type: 'bool', value: false }],
    ['tokenizer.ggml.add_space_prefix', { type: 'bool', value: true }],
  ];
}

/**
 * Writes the random-init model. GPT-2-style scales: N(0, 0.02)-sized weights (drawn uniform with that standard
 * deviation), the projections into the residual stream scaled down by √(2·layers), norms at 1.
 */
export function writeInitModel(file: string, opts: { arch: ArchSpec; vocab: Vocab; seed: number; name: string; extra?: [string, GgufKv][] }): { parameters: number } {
  const { arch: a, vocab } = opts;
  checkArch(a);
  const nVocab = vocab.tokens.length;
  const hd = a.nEmbd / a.nHead;
  const rng = createRng(`demo-model-init:${opts.seed}`);
  const std = 0.02;
  const half = Math.sqrt(3);
  const mat = (name: string, cols: number, rows: number, s = std): GgufTensor => {
    const data = new Float32Array(cols * rows);
    const w = s * half;
    for (let i = 0; i < data.length; i++) data[i] = (rng.next() * 2 - 1) * w;
    return { name, shape: [cols, rows], type: 'f32', data };
  };
  const ones = (name: string, n: number): GgufTensor => ({ name, shape: [n], type: 'f32', data: new Float32Array(n).fill(1) });
  const resid = std / Math.sqrt(2 * a.nLayer);
  const tensors: GgufTensor[] = [mat('token_embd.weight', a.nEmbd, nVocab), ones('output_norm.weight', a.nEmbd), mat('output.weight', a.nEmbd, nVocab)];
  for (let i = 0; i < a.nLayer; i++) {
    const p = `blk.${i}.`;
    tensors.push(
      ones(`${p}attn_norm.weight`, a.nEmbd),
      mat(`${p}attn_q.weight`, a.nEmbd, a.nHead * hd),
      mat(`${p}attn_k.weight`, a.nEmbd, a.nHeadKv * hd),
      mat(`${p}attn_v.weight`, a.nEmbd, a.nHeadKv * hd),
      mat(`${p}attn_output.weight`, a.nHead * hd, a.nEmbd, resid),
      ones(`${p}ffn_norm.weight`, a.nEmbd),
      mat(`${p}ffn_gate.weight`, a.nEmbd, a.nFf),
      mat(`${p}ffn_up.weight`, a.nEmbd, a.nFf),
      mat(`${p}ffn_down.weight`, a.nFf, a.nEmbd, resid),
    );
  }
  const kvs: [string, GgufKv][] = [
    ['general.architecture', { type: 'string', value: 'llama' }],
    ['general.name', { type: 'string', value: opts.name }],
    ['general.file_type', { type: 'u32', value: 0 }],
    ['llama.context_length', { type: 'u32', value: a.contextLength }],
    ['llama.embedding_length', { type: 'u32', value: a.nEmbd }],
    ['llama.block_count', { type: 'u32', value: a.nLayer }],
    ['llama.feed_forward_length', { type: 'u32', value: a.nFf }],
    ['llama.attention.head_count', { type: 'u32', value: a.nHead }],
    ['llama.attention.head_count_kv', { type: 'u32', value: a.nHeadKv }],
    ['llama.attention.layer_norm_rms_epsilon', { type: 'f32', value: 1e-5 }],
    ['llama.rope.freq_base', { type: 'f32', value: 10000 }],
    ['llama.rope.dimension_count', { type: 'u32', value: hd }],
    ['llama.vocab_size', { type: 'u32', value: nVocab }],
    ...tokenizerKvs(vocab),
    ...(opts.extra ?? []),
  ];
  writeGguf(file, kvs, tensors);
  return { parameters: parameterCount(a, nVocab) };
}
