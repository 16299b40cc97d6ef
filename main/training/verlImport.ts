/**
 * Back from verl: a PEFT LoRA adapter (the `lora_adapter/` folder verl's FSDP actor writes at each checkpoint:
 * adapter_model.safetensors + adapter_config.json) converted to a GGUF LoRA adapter in TypeScript, the way
 * llama.cpp's convert_lora_to_gguf.py does it, and checked against the base GGUF before anything is registered.
 *
 * The conversion (read in llama.cpp's convert_lora_to_gguf.py and conversion/llama.py of the bundled checkout):
 * - names: `base_model.model.model.layers.N.self_attn.q_proj.lora_A.weight` → `blk.N.attn_q.weight.lora_a`
 *   (k/v/o_proj → attn_k/v/output, mlp gate/up/down_proj → ffn_gate/up/down; lora_B → lora_b);
 * - layouts: PEFT's lora_A is [r, in] and lora_B [out, r] in torch order, which GGUF stores unchanged as
 *   ne [in, r] and [r, out] (GGUF reverses the dimensions, so no transpose is needed; only token_embd's lora_a is
 *   transposed there, and embeddings are refused here);
 * - `llama` only: Hugging Face's q_proj/k_proj rows are in the rotary "half" order, which convert_hf_to_gguf
 *   permutes (LlamaModel.permute, n_head for q, n_head_kv for k); on a LoRA pair that acts on lora_B's rows, so
 *   they are permuted the same way. qwen2/qwen3 use NEOX rope and keep the order;
 * - `adapter.lora.alpha` = lora_alpha (llama.cpp scales by alpha / rank, as PEFT does; rsLoRA's alpha / √r is
 *   written as the equivalent alpha · √r).
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { readGgufFileInfo } from 'node-llama-cpp';
import { bf16BitsToF32, f16BitsToF32 } from '../platform/halfFloat.js';
import { writeGguf, type GgufTensor } from '../platform/ggufWriter.js';

const MAX_HEADER = 100 * 1024 * 1024;

interface SafeTensor {
  dtype: string;
  shape: number[];
  start: number;
  end: number;
}

/** The header of a safetensors file: 8-byte little-endian length, then a JSON map of name → {dtype, shape, data_offsets}. */
export function readSafetensorsHeader(file: string): { tensors: Map<string, SafeTensor>; dataStart: number; size: number } {
  const size = statSync(file).size;
  const fd = openSync(file, 'r');
  try {
    const lenBuf = Buffer.alloc(8);
    if (readSync(fd, lenBuf, 0, 8, 0) !== 8) throw new Error(`${file}: not a safetensors file (shorter than 8 bytes)`);
    const len = Number(lenBuf.readBigUInt64LE());
    if (len <= 1 || len > MAX_HEADER || 8 + len > size) throw new Error(`${file}: not a safetensors file (header length ${len} of a ${size}-byte file)`);
    const hb = Buffer.alloc(len);
    readSync(fd, hb, 0, len, 8);
    let header: unknown;
    try {
      header = JSON.parse(hb.toString('utf8'));
    } catch {
      throw new Error(`${file}: the safetensors header is not JSON`);
    }
    if (!header || typeof header !== 'object' || Array.isArray(header)) throw new Error(`${file}: the safetensors header is not a JSON object`);
    const dataStart = 8 + len;
    const tensors = new Map<string, SafeTensor>();
    for (const [name, v] of Object.entries(header as Record<string, unknown>)) {
      if (name === '__metadata__') continue;
      const t = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
      const shape = t.shape;
      const offs = t.data_offsets;
      if (typeof t.dtype !== 'string' || !Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0) || !Array.isArray(offs) || offs.length !== 2) {
        throw new Error(`${file}: tensor ${name} has a malformed header entry`);
      }
      const [start, end] = offs as number[];
      if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || (start as number) < 0 || (end as number) < (start as number) || dataStart + (end as number) > size) {
        throw new Error(`${file}: tensor ${name} lies outside the file (offsets ${JSON.stringify(offs)})`);
      }
      tensors.set(name, { dtype: t.dtype, shape: shape as number[], start: start as number, end: end as number });
    }
    return { tensors, dataStart, size };
  } finally {
    closeSync(fd);
  }
}

const bytesPer: Record<string, number> = { F32: 4, F16: 2, BF16: 2 };

function readTensorF32(file: string, fd: number, dataStart: number, name: string, t: SafeTensor): Float32Array {
  const per = bytesPer[t.dtype];
  if (!per) throw new Error(`${file}: tensor ${name} is ${t.dtype}; F32, F16 and BF16 are supported`);
  const count = t.shape.reduce((a, b) => a * b, 1);
  if (t.end - t.start !== count * per) throw new Error(`${file}: tensor ${name} has ${t.end - t.start} bytes, its shape [${t.shape.join(', ')}] of ${t.dtype} needs ${count * per}`);
  const raw = Buffer.alloc(t.end - t.start);
  readSync(fd, raw, 0, raw.length, dataStart + t.start);
  const out = new Float32Array(count);
  if (t.dtype === 'F32') for (let i = 0; i < count; i++) out[i] = raw.readFloatLE(i * 4);
  else if (t.dtype === 'F16') for (let i = 0; i < count; i++) out[i] = f16BitsToF32(raw.readUInt16LE(i * 2));
  else for (let i = 0; i < count; i++) out[i] = bf16BitsToF32(raw.readUInt16LE(i * 2));
  for (let i = 0; i < count; i++) if (!Number.isFinite(out[i])) throw new Error(`${file}: tensor ${name} holds a value that is not finite`);
  return out;
}

const moduleToGguf: Record<string, string> = {
  q_proj: 'attn_q',
  k_proj: 'attn_k',
  v_proj: 'attn_v',
  o_proj: 'attn_output',
  gate_proj: 'ffn_gate',
  up_proj: 'ffn_up',
  down_proj: 'ffn_down',
};

const peftName = /^(?:base_model\.model\.)?model\.layers\.(\d+)\.(?:self_attn|mlp)\.(q_proj|k_proj|v_proj|o_proj|gate_proj|up_proj|down_proj)\.lora_([AB])(?:\.default)?\.weight$/;

/** llama.cpp's LlamaModel.permute on the rows of a [rows, cols] row-major matrix (rows = heads × head_dim). */
export function llamaPermuteRows(m: Float32Array, rows: number, cols: number, nHead: number): Float32Array {
  const d = rows / nHead;
  if (!Number.isInteger(d) || d % 2 !== 0) throw new Error(`cannot permute ${rows} rows into ${nHead} heads of even size`);
  const half = d / 2;
  const out = new Float32Array(m.length);
  // reshape(n_head, 2, d/2, cols).swapaxes(1, 2): new row (h, j, i) takes old row (h, i, j).
  for (let h = 0; h < nHead; h++) {
    for (let j = 0; j < half; j++) {
      for (let i = 0; i < 2; i++) {
        const dst = h * d + j * 2 + i;
        const src = h * d + i * half + j;
        out.set(m.subarray(src * cols, (src + 1) * cols), dst * cols);
      }
    }
  }
  return out;
}

export type VerlCheckpointKind = { kind: 'peft'; dir: string } | { kind: 'merged'; dir: string } | { kind: 'fsdp-shards'; dir: string };

/**
 * What a folder holds: a PEFT adapter (also found below a verl `global_step_N` or `actor` folder, in
 * `actor/lora_adapter`), a merged Hugging Face model, or raw FSDP shards that need verl's merger first.
 */
export function locateVerlCheckpoint(dir: string): VerlCheckpointKind {
  const isPeft = (d: string) => existsSync(path.join(d, 'adapter_model.safetensors')) && existsSync(path.join(d, 'adapter_config.json'));
  for (const d of [dir, path.join(dir, 'lora_adapter'), path.join(dir, 'actor', 'lora_adapter')]) if (isPeft(d)) return { kind: 'peft', dir: d };
  const files = existsSync(dir) && statSync(dir).isDirectory() ? readdirSync(dir) : [];
  if (files.includes('config.json') && files.some((f) => /^model.*\.safetensors$/.test(f))) return { kind: 'merged', dir };
  const actor = files.includes('actor') ? path.join(dir, 'actor') : dir;
  const actorFiles = existsSync(actor) && statSync(actor).isDirectory() ? readdirSync(actor) : [];
  if (actorFiles.some((f) => /^model_world_size_\d+_rank_\d+\.pt$/.test(f))) return { kind: 'fsdp-shards', dir: actor };
  throw new Error(`${dir}: neither a PEFT adapter (adapter_model.safetensors + adapter_config.json, also looked in lora_adapter/ and actor/lora_adapter/), a merged Hugging Face model (config.json + model*.safetensors), nor verl FSDP shards`);
}

/** The exact commands for what is not converted here (Python is unavoidable for those: say so, do not pretend). */
export function conversionCommand(c: VerlCheckpointKind, out = 'model.gguf'): string {
  if (c.kind === 'merged') {
    return `This is a full Hugging Face model, not an adapter. Convert it with llama.cpp (Python: pip install -r requirements/requirements-convert_hf_to_gguf.txt):\n  python3 convert_hf_to_gguf.py ${JSON.stringify(c.dir)} --outfile ${JSON.stringify(out)} --outtype f16\nthen add ${out} on the Models page (or medssr models add).`;
  }
  if (c.kind === 'fsdp-shards') {
    return `These are verl's FSDP shards. Merge them with verl first (Python):\n  python3 -m verl.model_merger merge --backend fsdp --local_dir ${JSON.stringify(c.dir)} --target_dir merged\nthen import merged/lora_adapter (set its lora_alpha, which the merger writes as 0, or pass --alpha) or convert merged/ with convert_hf_to_gguf.py.`;
  }
  return '';
}

export interface PeftConversion {
  arch: string;
  rank: number;
  alpha: number;
  tensors: number;
  layers: number[];
  targets: string[];
}

interface BaseInfo {
  arch: string;
  nLayer: number;
  nHead: number;
  nHeadKv: number;
  shapes: Map<string, number[]>;
}

async function baseInfo(basePath: string): Promise<BaseInfo> {
  const info = await readGgufFileInfo(basePath, { readTensorInfo: true });
  const meta = info.metadata as unknown as { general?: { architecture?: string; type?: string } } & Record<string, Record<string, unknown> | undefined>;
  const arch = meta.general?.architecture;
  if (!arch) throw new Error(`${basePath}: no general.architecture: not a model GGUF`);
  if (meta.general?.type === 'adapter') throw new Error(`${basePath} is an adapter, not a base model`);
  const a = (meta[arch] ?? {}) as { block_count?: number; attention?: { head_count?: number; head_count_kv?: number } };
  const nLayer = Number(a.block_count);
  const nHead = Number(a.attention?.head_count);
  const nHeadKv = Number(a.attention?.head_count_kv ?? nHead);
  if (!(nLayer >= 1) || !(nHead >= 1) || !(nHeadKv >= 1)) throw new Error(`${basePath}: ${arch}.block_count / attention.head_count missing or < 1`);
  return { arch, nLayer, nHead, nHeadKv, shapes: new Map((info.tensorInfo ?? []).map((t) => [t.name, t.dimensions.map(Number)])) };
}

/** Converts a PEFT adapter folder to a GGUF LoRA adapter for `basePath`, refusing anything that does not fit the base. */
export async function peftToGguf(peftDir: string, basePath: string, outPath: string, opts: { alpha?: number } = {}): Promise<PeftConversion> {
  const cfgFile = path.join(peftDir, 'adapter_config.json');
  let cfg: { r?: unknown; lora_alpha?: unknown; use_dora?: unknown; use_rslora?: unknown; peft_type?: unknown };
  try {
    cfg = JSON.parse(readFileSync(cfgFile, 'utf8')) as typeof cfg;
  } catch (err) {
    throw new Error(`${cfgFile}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (cfg.peft_type !== undefined && cfg.peft_type !== 'LORA') throw new Error(`${cfgFile}: peft_type ${JSON.stringify(cfg.peft_type)}; only LORA adapters convert`);
  if (cfg.use_dora === true) throw new Error(`${cfgFile}: a DoRA adapter (use_dora) has magnitude vectors llama.cpp's LoRA does not apply`);
  const rank = Number(cfg.r);
  let alpha = opts.alpha ?? Number(cfg.lora_alpha);
  if (!(Number.isInteger(rank) && rank >= 1)) throw new Error(`${cfgFile}: r is ${JSON.stringify(cfg.r)}, not a positive integer`);
  if (!(alpha > 0) || !Number.isFinite(alpha)) {
    throw new Error(`${cfgFile}: lora_alpha is ${JSON.stringify(cfg.lora_alpha)} (verl's model merger writes 0); pass the alpha the run trained with (--alpha, the export's lora_alpha)`);
  }
  if (cfg.use_rslora === true) alpha = alpha * Math.sqrt(rank);

  const base = await baseInfo(basePath);
  if (!['llama', 'qwen2', 'qwen3'].includes(base.arch)) {
    throw new Error(`${basePath}: architecture ${base.arch}; converting Hugging Face LoRA names and layouts is implemented for llama, qwen2 and qwen3 (use llama.cpp's convert_lora_to_gguf.py for others)`);
  }
  const file = path.join(peftDir, 'adapter_model.safetensors');
  const { tensors, dataStart } = readSafetensorsHeader(file);
  const pairs = new Map<string, { a?: string; b?: string; layer: number; module: string }>();
  for (const name of tensors.keys()) {
    const m = peftName.exec(name);
    if (!m) throw new Error(`${file}: tensor ${name} is not a LoRA A/B matrix of a layer's attention or MLP projection (embeddings, lm_head and norms in an adapter are not supported)`);
    const layer = Number(m[1]);
    const gg = `blk.${layer}.${moduleToGguf[m[2] as string]}.weight`;
    const p = pairs.get(gg) ?? { layer, module: m[2] as string };
    if (m[3] === 'A') p.a = name;
    else p.b = name;
    pairs.set(gg, p);
  }
  if (!pairs.size) throw new Error(`${file}: no LoRA tensors`);
  const out: GgufTensor[] = [];
  const fd = openSync(file, 'r');
  try {
    for (const [gg, p] of [...pairs].sort(([x], [y]) => x.localeCompare(y, 'en', { numeric: true }))) {
      if (!p.a || !p.b) throw new Error(`${file}: ${p.a ?? p.b} has no ${p.a ? 'lora_B' : 'lora_A'} partner`);
      if (p.layer >= base.nLayer) throw new Error(`${file}: layer ${p.layer} but the base has ${base.nLayer} layers (${basePath})`);
      const w = base.shapes.get(gg);
      if (!w || w.length !== 2) throw new Error(`${file}: targets ${gg}, which ${basePath} does not have`);
      const [inDim, outDim] = w as [number, number];
      const A = tensors.get(p.a) as SafeTensor;
      const B = tensors.get(p.b) as SafeTensor;
      if (A.shape.length !== 2 || B.shape.length !== 2 || A.shape[0] !== rank || A.shape[1] !== inDim || B.shape[0] !== outDim || B.shape[1] !== rank) {
        throw new Error(
          `${file}: ${p.a} [${A.shape.join(', ')}] and ${p.b} [${B.shape.join(', ')}] do not fit ${gg} of the base (in ${inDim}, out ${outDim}) at rank ${rank}: expected [${rank}, ${inDim}] and [${outDim}, ${rank}]`,
        );
      }
      const a = readTensorF32(file, fd, dataStart, p.a, A);
      let b = readTensorF32(file, fd, dataStart, p.b, B);
      if (base.arch === 'llama' && (p.module === 'q_proj' || p.module === 'k_proj')) b = llamaPermuteRows(b, outDim, rank, p.module === 'q_proj' ? base.nHead : base.nHeadKv);
      out.push({ name: `${gg}.lora_a`, shape: [inDim, rank], type: 'f32', data: a }, { name: `${gg}.lora_b`, shape: [rank, outDim], type: 'f32', data: b });
    }
  } finally {
    closeSync(fd);
  }
  writeGguf(
    outPath,
    [
      ['general.architecture', { type: 'string', value: base.arch }],
      ['general.type', { type: 'string', value: 'adapter' }],
      ['general.name', { type: 'string', value: 'verl-lora' }],
      ['adapter.type', { type: 'string', value: 'lora' }],
      ['adapter.lora.alpha', { type: 'f32', value: alpha }],
    ],
    out,
  );
  const layers = [...new Set([...pairs.values()].map((p) => p.layer))].sort((x, y) => x - y);
  const targets = [...new Set([...pairs.values()].map((p) => moduleToGguf[p.module] as string))];
  return { arch: base.arch, rank, alpha, tensors: out.length, layers, targets };
}
