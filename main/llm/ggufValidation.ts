/**
 * Checks a GGUF file before llama.cpp (or node-llama-cpp's own reader) sees it. llama.cpp trusts its input: an
 * absurd `block_count` or a `head_count` of 0 ends the process in a GGML_ASSERT, a truncated header turns into
 * "Cannot read properties of undefined", a dimension that overflows into "Cannot mix BigInt". Here the header is
 * read with bounds on every count and size, the tensors must lie inside the file, and the hyperparameters must be
 * in range and agree with each other and with the tensors; each refusal names the file and the field.
 *
 * The reader is its own (no node-llama-cpp), reads in bounded chunks and never allocates from a count in the file.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';

export class GgufValidationError extends Error {
  constructor(
    readonly file: string,
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'GgufValidationError';
  }
}

/**
 * Architectures the bundled llama.cpp loads (LLM_ARCH_NAMES in native/deps/llama.cpp/src/llama-arch.cpp, less
 * its placeholders); tests/main/llm/ggufValidation.test.ts compares the list with that file where it is present.
 */
export const llamaArchitectures: ReadonlySet<string> = new Set([
  'llama', 'llama4', 'deci', 'falcon', 'grok', 'gpt2', 'gptj', 'gptneox', 'mpt', 'baichuan', 'starcoder', 'refact', 'bert', 'modern-bert',
  'nomic-bert', 'nomic-bert-moe', 'neo-bert', 'jina-bert-v2', 'jina-bert-v3', 'eurobert', 'bloom', 'stablelm', 'qwen', 'qwen2', 'qwen2moe',
  'qwen2vl', 'qwen3', 'qwen3moe', 'qwen3next', 'qwen3vl', 'qwen3vlmoe', 'qwen35', 'qwen35moe', 'qwen4exp', 'phi2', 'phi3', 'phimoe', 'plamo',
  'plamo2', 'plamo3', 'codeshell', 'orion', 'internlm2', 'minicpm', 'minicpm3', 'gemma', 'gemma2', 'gemma3', 'gemma3n', 'gemma4',
  'gemma4-assistant', 'gemma-embedding', 'starcoder2', 'mamba', 'mamba2', 'jamba', 'falcon-h1', 'xverse', 'command-r', 'cohere2', 'cohere2moe',
  'dbrx', 'olmo', 'olmo2', 'olmoe', 'muse-glimmer', 'openelm', 'arctic', 'deepseek', 'deepseek2', 'deepseek2-ocr', 'deepseek32', 'deepseek4',
  'chatglm', 'glm4', 'glm4moe', 'glm-dsa', 'bitnet', 't5', 't5encoder', 'jais', 'jais2', 'nemotron', 'nemotron_h', 'nemotron_h_moe', 'exaone',
  'exaone4', 'exaone-moe', 'rwkv6', 'rwkv6qwen2', 'rwkv7', 'arwkv7', 'granite', 'granitemoe', 'granitehybrid', 'graniteswitch', 'granite_swa',
  'chameleon', 'wavtokenizer-dec', 'plm', 'bailingmoe', 'bailingmoe2', 'bailingmoe3', 'dots1', 'dots3note', 'arcee', 'afmoe', 'laguna',
  'ernie4_5', 'ernie4_5-moe', 'hunyuan-moe', 'hunyuan-dense', 'hunyuan_vl', 'hy_v3', 'smollm3', 'gpt-oss', 'lfm2', 'lfm2moe', 'dream',
  'smallthinker', 'llada', 'llada-moe', 'seed_oss', 'grovemoe', 'apertus', 'minimax-01', 'minimax-m2', 'minimax-m3', 'cogvlm', 'rnd1',
  'pangu-embedded', 'mistral3', 'eagle3', 'dflash', 'mistral4', 'paddleocr', 'mimo2', 'step35', 'llama-embed', 'maincoder', 'kimi-linear',
  'kimi-k3', 'talkie', 'mellum', 'nanbeige', 'qwen3tts', 'pockettts',
]);

/** Dense decoders whose layers are exactly blk.0 … blk.(block_count-1): the count must match the tensors. */
const exactLayerArchitectures = new Set(['llama', 'qwen2', 'qwen3', 'qwen2moe', 'qwen3moe', 'mistral3', 'gemma', 'gemma2', 'gemma3', 'phi3', 'smollm3', 'granite']);
/** State-space models: no attention heads, but these keys (llama.cpp requires them). */
const ssmKeys: Record<string, string[]> = {
  mamba: ['ssm.conv_kernel', 'ssm.inner_size', 'ssm.state_size', 'ssm.time_step_rank'],
  mamba2: ['ssm.conv_kernel', 'ssm.inner_size', 'ssm.state_size', 'ssm.time_step_rank', 'ssm.group_count'],
};

/** ggml types by id: [elements per block, bytes per block] (gguf-py's GGML_QUANT_SIZES). */
const ggmlTypes: Record<number, [number, number, string]> = {
  0: [1, 4, 'F32'], 1: [1, 2, 'F16'], 2: [32, 18, 'Q4_0'], 3: [32, 20, 'Q4_1'], 6: [32, 22, 'Q5_0'], 7: [32, 24, 'Q5_1'], 8: [32, 34, 'Q8_0'],
  9: [32, 40, 'Q8_1'], 10: [256, 84, 'Q2_K'], 11: [256, 110, 'Q3_K'], 12: [256, 144, 'Q4_K'], 13: [256, 176, 'Q5_K'], 14: [256, 210, 'Q6_K'],
  15: [256, 292, 'Q8_K'], 16: [256, 66, 'IQ2_XXS'], 17: [256, 74, 'IQ2_XS'], 18: [256, 98, 'IQ3_XXS'], 19: [256, 50, 'IQ1_S'], 20: [32, 18, 'IQ4_NL'],
  21: [256, 110, 'IQ3_S'], 22: [256, 82, 'IQ2_S'], 23: [256, 136, 'IQ4_XS'], 24: [1, 1, 'I8'], 25: [1, 2, 'I16'], 26: [1, 4, 'I32'], 27: [1, 8, 'I64'],
  28: [1, 8, 'F64'], 29: [256, 56, 'IQ1_M'], 30: [1, 2, 'BF16'], 34: [256, 54, 'TQ1_0'], 35: [256, 66, 'TQ2_0'], 39: [32, 17, 'MXFP4'],
};

/** llama.cpp's LLAMA_MAX_LAYERS. */
export const MAX_LAYERS = 512;
const MAX_EMBD = 1 << 20;
const MAX_KEY_BYTES = 65_536;
const MAX_TENSOR_NAME = 64;
const CHUNK = 1 << 20;

export interface GgufTensor {
  name: string;
  /** ggml order: ne[0] is the innermost (row) dimension. */
  dims: number[];
  type: number;
  /** Where its data starts in the file, and how many bytes it takes. */
  offset: number;
  bytes: number;
}

export interface GgufHeader {
  version: number;
  fileSize: number;
  /** Scalars and strings by key; arrays as their length (numeric arrays of up to 4,096 items as their values too). */
  kv: Map<string, unknown>;
  arrays: Map<string, { length: number; values: number[] | null }>;
  tensors: Map<string, GgufTensor>;
}

class Reader {
  private buf = Buffer.alloc(0);
  private bufStart = 0;
  pos = 0;
  constructor(
    private readonly fd: number,
    readonly size: number,
    private readonly fail: (field: string, problem: string) => never,
  ) {}

  private ensure(n: number, what: string): void {
    if (this.pos + n > this.size) this.fail(what, `truncated: the file ends inside ${what} (offset ${this.pos} of ${this.size} bytes)`);
    if (this.pos >= this.bufStart && this.pos + n <= this.bufStart + this.buf.length) return;
    const len = Math.min(Math.max(n, CHUNK), this.size - this.pos);
    this.buf = Buffer.alloc(len);
    let got = 0;
    while (got < len) {
      const r = readSync(this.fd, this.buf, got, len - got, this.pos + got);
      if (r === 0) this.fail(what, `truncated: the file ends inside ${what} (offset ${this.pos + got})`);
      got += r;
    }
    this.bufStart = this.pos;
  }

  private at(n: number, what: string): number {
    this.ensure(n, what);
    const off = this.pos - this.bufStart;
    this.pos += n;
    return off;
  }

  /** Ensures the bytes first, then reads them from the (possibly new) buffer. */
  private read<T>(n: number, what: string, get: (b: Buffer, o: number) => T): T {
    const off = this.at(n, what);
    return get(this.buf, off);
  }

  u8(what: string): number {
    return this.read(1, what, (b, o) => b.readUInt8(o));
  }
  u32(what: string): number {
    return this.read(4, what, (b, o) => b.readUInt32LE(o));
  }
  u64(what: string): number {
    const v = this.read(8, what, (b, o) => b.readBigUInt64LE(o));
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(what, `${what} is ${v}, beyond any size a file can have`);
    return Number(v);
  }
  scalar(type: number, what: string): number | boolean {
    switch (type) {
      case 0: return this.read(1, what, (b, o) => b.readUInt8(o));
      case 1: return this.read(1, what, (b, o) => b.readInt8(o));
      case 2: return this.read(2, what, (b, o) => b.readUInt16LE(o));
      case 3: return this.read(2, what, (b, o) => b.readInt16LE(o));
      case 4: return this.read(4, what, (b, o) => b.readUInt32LE(o));
      case 5: return this.read(4, what, (b, o) => b.readInt32LE(o));
      case 6: return this.read(4, what, (b, o) => b.readFloatLE(o));
      case 7: return this.read(1, what, (b, o) => b.readUInt8(o)) !== 0;
      case 10: return Number(this.read(8, what, (b, o) => b.readBigUInt64LE(o)));
      case 11: return Number(this.read(8, what, (b, o) => b.readBigInt64LE(o)));
      case 12: return this.read(8, what, (b, o) => b.readDoubleLE(o));
      default: return this.fail(what, `${what} has value type ${type}, which GGUF does not define`);
    }
  }
  string(what: string, max = this.size): string {
    const len = this.u64(`the length of ${what}`);
    if (len > max || this.pos + len > this.size) this.fail(what, `${what} claims ${len} bytes${this.pos + len > this.size ? `, past the end of the ${this.size}-byte file` : ''}`);
    if (len > 16 * CHUNK) {
      this.pos += len;
      return '';
    }
    const off = this.at(len, what);
    return this.buf.toString('utf8', off, off + len);
  }
  skipString(what: string): void {
    const len = this.u64(`the length of ${what}`);
    if (this.pos + len > this.size) this.fail(what, `${what} claims ${len} bytes, past the end of the ${this.size}-byte file`);
    this.pos += len;
  }
}

const scalarBytes: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };

/** Reads and bounds-checks the header and tensor table of `file` (the data itself is not read). */
export function readGgufHeader(file: string): GgufHeader {
  const shown = path.basename(file);
  const fail = (field: string, problem: string): never => {
    throw new GgufValidationError(shown, field, problem);
  };
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const r = new Reader(fd, size, fail);
    if (size < 4) fail('magic', `not a GGUF file: ${size} bytes`);
    const magic = Buffer.from([r.u8('the magic'), r.u8('the magic'), r.u8('the magic'), r.u8('the magic')]).toString('latin1');
    if (magic !== 'GGUF') fail('magic', `not a GGUF file: it starts with ${JSON.stringify(magic)}, not "GGUF"`);
    const version = r.u32('the version');
    if (version === 1) fail('version', 'GGUF version 1 is no longer read by llama.cpp; convert the model again');
    if (version !== 2 && version !== 3) {
      fail('version', `GGUF version ${version} is not one llama.cpp reads (2 or 3)${version > 0xffff ? '; a big-endian file?' : ''}`);
    }
    const tensorCount = r.u64('tensor_count');
    const kvCount = r.u64('kv_count');
    // Each key/value takes at least 13 bytes and each tensor entry at least 24: counts beyond that cannot be true.
    if (kvCount * 13 > size) fail('kv_count', `kv_count ${kvCount} cannot fit a ${size}-byte file`);
    if (tensorCount * 24 > size) fail('tensor_count', `tensor_count ${tensorCount} cannot fit a ${size}-byte file`);
    const kv = new Map<string, unknown>();
    const arrays = new Map<string, { length: number; values: number[] | null }>();
    for (let i = 0; i < kvCount; i++) {
      const key = r.string(`key ${i + 1}`, MAX_KEY_BYTES);
      const type = r.u32(`the type of ${key}`);
      if (type === 8) {
        // Chat templates run to kilobytes; anything stored is kept only when it is short enough to matter here.
        kv.set(key, r.string(key));
      } else if (type === 9) {
        const itemType = r.u32(`the item type of ${key}`);
        const length = r.u64(`the length of ${key}`);
        if (itemType === 8) {
          for (let k = 0; k < length; k++) r.skipString(`${key}[${k}]`);
          arrays.set(key, { length, values: null });
        } else if (itemType === 9) {
          fail(key, `${key} is an array of arrays, which llama.cpp does not read`);
        } else {
          const bytes = scalarBytes[itemType];
          if (bytes === undefined) fail(key, `${key} has item type ${itemType}, which GGUF does not define`);
          if (r.pos + length * (bytes as number) > size) fail(key, `${key} claims ${length} items, past the end of the ${size}-byte file`);
          if (length <= 4096) {
            const values: number[] = [];
            for (let k = 0; k < length; k++) values.push(Number(r.scalar(itemType, key)));
            arrays.set(key, { length, values });
          } else {
            r.pos += length * (bytes as number);
            arrays.set(key, { length, values: null });
          }
        }
      } else {
        kv.set(key, r.scalar(type, key));
      }
    }
    const alignment = kv.get('general.alignment') ?? 32;
    if (typeof alignment !== 'number' || !Number.isInteger(alignment) || alignment < 1 || (alignment & (alignment - 1)) !== 0) {
      fail('general.alignment', `general.alignment is ${String(alignment)}; it must be a power of two`);
    }
    const tensors = new Map<string, GgufTensor>();
    for (let i = 0; i < tensorCount; i++) {
      const name = r.string(`the name of tensor ${i + 1}`, 1024);
      if (Buffer.byteLength(name) >= MAX_TENSOR_NAME) fail(name, `tensor name "${name.slice(0, 80)}" is longer than llama.cpp's ${MAX_TENSOR_NAME - 1} bytes`);
      if (tensors.has(name)) fail(name, `tensor ${name} appears twice`);
      const nDims = r.u32(`the dimension count of ${name}`);
      if (nDims < 1 || nDims > 4) fail(name, `tensor ${name} has ${nDims} dimensions; ggml allows 1 to 4`);
      const dims: number[] = [];
      let elements = 1;
      for (let d = 0; d < nDims; d++) {
        const ne = r.u64(`dimension ${d} of ${name}`);
        if (ne < 1) fail(name, `tensor ${name} has a dimension of ${ne}`);
        elements *= ne;
        if (elements > Number.MAX_SAFE_INTEGER) fail(name, `tensor ${name} has more elements than any file can hold (${dims.concat(ne).join(' × ')})`);
        dims.push(ne);
      }
      const type = r.u32(`the type of ${name}`);
      const t = ggmlTypes[type];
      if (!t) fail(name, `tensor ${name} has ggml type ${type}, which this llama.cpp does not know`);
      const [block, blockBytes] = t as [number, number, string];
      if ((dims[0] as number) % block !== 0) fail(name, `tensor ${name}: its rows of ${dims[0]} are not a whole number of ${block}-element ${(t as [number, number, string])[2]} blocks`);
      const offset = r.u64(`the offset of ${name}`);
      if (offset % (alignment as number) !== 0) fail(name, `tensor ${name} starts at offset ${offset}, not a multiple of the alignment ${String(alignment)}`);
      tensors.set(name, { name, dims, type, offset, bytes: (elements / block) * blockBytes });
    }
    const dataStart = Math.ceil(r.pos / (alignment as number)) * (alignment as number);
    for (const t of tensors.values()) {
      t.offset += dataStart;
      if (t.offset + t.bytes > size) {
        fail(t.name, `tensor ${t.name} lies outside the file: bytes ${t.offset}–${t.offset + t.bytes} of a ${size}-byte file (truncated?)`);
      }
    }
    return { version, fileSize: size, kv, arrays, tensors };
  } finally {
    closeSync(fd);
  }
}

function intIn(h: GgufHeader, key: string, min: number, max: number, fail: (f: string, p: string) => never, required: boolean): number | null {
  const v = h.kv.get(key);
  if (v === undefined) {
    if (required) fail(key, `${key} is missing`);
    return null;
  }
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(key, `${key} is ${String(v)}; llama.cpp needs ${min} to ${max}`);
  return v as number;
}

/** Per-layer values of a key that may be one number or an array with one entry per layer. */
function perLayer(h: GgufHeader, key: string, layers: number, fail: (f: string, p: string) => never): number[] | null {
  const arr = h.arrays.get(key);
  if (arr) {
    if (arr.length !== layers) fail(key, `${key} has ${arr.length} entries for ${layers} layers`);
    return arr.values;
  }
  const v = h.kv.get(key);
  if (v === undefined) return null;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) fail(key, `${key} is ${String(v)}`);
  return Array.from({ length: layers }, () => v as number);
}

export interface GgufModelCheck {
  header: GgufHeader;
  architecture: string;
  layers: number;
  embedding: number;
  vocab: number | null;
}

/**
 * A model llama.cpp can load without tripping an assertion: the header (readGgufHeader), a supported
 * architecture, and layers, embedding, heads and vocabulary in range and consistent with each other and the
 * tensors. Throws GgufValidationError naming the file and field.
 */
export function validateGgufModel(file: string): GgufModelCheck {
  const header = readGgufHeader(file);
  const shown = path.basename(file);
  const fail = (field: string, problem: string): never => {
    throw new GgufValidationError(shown, field, problem);
  };
  const arch = header.kv.get('general.architecture');
  if (typeof arch !== 'string' || !arch) return fail('general.architecture', 'general.architecture is missing: not a model GGUF');
  if (header.kv.get('general.type') === 'adapter') fail('general.type', 'is a LoRA adapter (general.type "adapter"), not a model');
  if (!llamaArchitectures.has(arch)) fail('general.architecture', `general.architecture "${arch.slice(0, 60)}" is not an architecture this llama.cpp loads`);
  if (header.tensors.size === 0) fail('tensor_count', 'holds no tensors (a vocabulary-only GGUF?), so there is no model to load');
  const layers = intIn(header, `${arch}.block_count`, 1, MAX_LAYERS, fail, true) as number;
  const embedding = intIn(header, `${arch}.embedding_length`, 1, MAX_EMBD, fail, true) as number;
  intIn(header, `${arch}.context_length`, 1, 1 << 30, fail, false);
  // Layer tensors blk.N.*: none may name a layer the count leaves out, and dense decoders must have them all.
  let maxLayer = -1;
  for (const name of header.tensors.keys()) {
    const m = /^blk\.(\d+)\./.exec(name);
    if (m) maxLayer = Math.max(maxLayer, Number(m[1]));
  }
  if (maxLayer >= layers) fail(`${arch}.block_count`, `${arch}.block_count is ${layers} but the file has tensors for layer ${maxLayer}`);
  if (exactLayerArchitectures.has(arch) && maxLayer + 1 !== layers) {
    fail(`${arch}.block_count`, `${arch}.block_count is ${layers} but the file holds tensors for ${maxLayer + 1} layers`);
  }
  for (const key of ssmKeys[arch] ?? []) intIn(header, `${arch}.${key}`, 1, MAX_EMBD, fail, true);
  const hasAttention = [...header.tensors.keys()].some((n) => /\.attn_(q|qkv|k|v)\.weight$/.test(n));
  const heads = perLayer(header, `${arch}.attention.head_count`, layers, fail);
  if (hasAttention) {
    if (!heads) fail(`${arch}.attention.head_count`, `${arch}.attention.head_count is missing for a model with attention layers`);
    const kvHeads = perLayer(header, `${arch}.attention.head_count_kv`, layers, fail);
    const keyLength = intIn(header, `${arch}.attention.key_length`, 1, MAX_EMBD, fail, false);
    intIn(header, `${arch}.attention.value_length`, 1, MAX_EMBD, fail, false);
    if (heads) {
      if (heads.every((n) => n === 0)) fail(`${arch}.attention.head_count`, `${arch}.attention.head_count is 0; a model with attention needs at least one head`);
      heads.forEach((n, layer) => {
        const kvN = kvHeads?.[layer] ?? n;
        if (n === 0) return;
        if (kvN < 1) fail(`${arch}.attention.head_count_kv`, `${arch}.attention.head_count_kv is ${kvN}${kvHeads && kvHeads.length > 1 ? ` at layer ${layer}` : ''}; at least 1 is needed`);
        if (n % kvN !== 0) fail(`${arch}.attention.head_count_kv`, `${arch}.attention.head_count ${n} is not a multiple of head_count_kv ${kvN}`);
        if (keyLength === null && embedding % n !== 0) fail(`${arch}.attention.head_count`, `${arch}.embedding_length ${embedding} does not divide into ${n} heads`);
      });
    }
  }
  // Vocabulary: a tokenizer with tokens, and the embedding matrix [embedding, vocab] agreeing with both.
  const tokens = header.arrays.get('tokenizer.ggml.tokens');
  const vocab = tokens?.length ?? null;
  if (tokens && tokens.length === 0) fail('tokenizer.ggml.tokens', 'tokenizer.ggml.tokens is empty: a vocabulary of 0 tokens');
  const tokenEmbd = header.tensors.get('token_embd.weight');
  if (tokenEmbd) {
    if (tokenEmbd.dims[0] !== embedding) fail('token_embd.weight', `token_embd.weight has rows of ${tokenEmbd.dims[0]} but ${arch}.embedding_length is ${embedding}`);
    if (vocab !== null && tokenEmbd.dims[1] !== vocab) fail('token_embd.weight', `token_embd.weight holds ${tokenEmbd.dims[1]} tokens but tokenizer.ggml.tokens has ${vocab}`);
  }
  return { header, architecture: arch, layers, embedding, vocab };
}

export interface GgufAdapterCheck {
  architecture: string;
  /** The largest rank of its tensors. */
  rank: number;
  tensors: number;
}

/**
 * A LoRA adapter llama.cpp will apply to `base`: a GGUF adapter (general.type "adapter", adapter.type "lora") of
 * the base's architecture whose every lora_a/lora_b pair sits on a tensor of the base with matching shapes
 * (a: [in, r], b: [r, out] for a base [in, out]) and ranks that agree within each pair.
 */
export function validateGgufAdapter(adapterFile: string, base: GgufModelCheck): GgufAdapterCheck {
  const header = readGgufHeader(adapterFile);
  const shown = path.basename(adapterFile);
  const fail = (field: string, problem: string): never => {
    throw new GgufValidationError(shown, field, problem);
  };
  const type = header.kv.get('general.type');
  if (type !== 'adapter') fail('general.type', `is not a LoRA adapter (general.type is ${type === undefined ? 'missing' : JSON.stringify(type)}${type === 'model' || type === undefined ? ': a model given as an adapter?' : ''})`);
  const kind = header.kv.get('adapter.type');
  if (kind !== 'lora') fail('adapter.type', `adapter.type is ${JSON.stringify(kind ?? null)}; llama.cpp applies "lora" adapters`);
  const arch = header.kv.get('general.architecture');
  if (arch !== base.architecture) fail('general.architecture', `is an adapter for "${String(arch)}", but the model is "${base.architecture}"`);
  const pairs = new Map<string, { a?: GgufTensor; b?: GgufTensor }>();
  for (const t of header.tensors.values()) {
    const m = /^(.*)\.lora_(a|b)$/.exec(t.name);
    if (!m) continue;
    const pair = pairs.get(m[1] as string) ?? {};
    pair[m[2] as 'a' | 'b'] = t;
    pairs.set(m[1] as string, pair);
  }
  if (pairs.size === 0) fail('tensors', 'holds no lora_a/lora_b tensors');
  let rank: number | null = null;
  for (const [name, { a, b }] of pairs) {
    if (!a || !b) fail(name, `${name} has lora_${a ? 'a' : 'b'} but no lora_${a ? 'b' : 'a'}`);
    const target = base.header.tensors.get(name);
    const layer = /^blk\.(\d+)\./.exec(name);
    if (layer && Number(layer[1]) >= base.layers) fail(name, `${name} is for layer ${layer[1]}, but the model has ${base.layers} layers`);
    if (!target) fail(name, `${name} is not a tensor of the model`);
    const [inA, r] = (a as GgufTensor).dims as [number, number];
    const [rB, outB] = (b as GgufTensor).dims as [number, number];
    const [inT, outT] = (target as GgufTensor).dims as [number, number];
    if (inA !== inT || outB !== outT) fail(name, `${name}: the adapter is ${inA} → ${outB} but the model's tensor is ${inT} → ${outT}`);
    if (r !== rB) fail(name, `${name}: lora_a has rank ${r} but lora_b has rank ${rB}`);
    // Ranks may differ between tensors (PEFT's rank_pattern); llama.cpp only needs each pair to agree.
    rank = Math.max(rank ?? 0, r);
  }
  return { architecture: base.architecture, rank: rank as number, tensors: pairs.size };
}

/** Files up to this size are read whole by scanGgufWeights; larger ones by a sample of every tensor. */
export const FULL_WEIGHT_SCAN_BYTES = 64 * 1024 * 1024;
const SAMPLE_WINDOWS = 8;
const SAMPLE_WINDOW_BYTES = 4096;
const SCAN_CHUNK = 1 << 20;

/**
 * What scanGgufWeights can read: plain floats by element, quantized blocks by their f16 scales (byte offsets
 * within a block, from ggml-common.h). Other types (IQ*, I8…) carry no scale that can hold a NaN this simply.
 */
const scannable: Record<number, { unit: number; float?: 'f32' | 'f16' | 'bf16'; halves?: number[] }> = {
  0: { unit: 4, float: 'f32' },
  1: { unit: 2, float: 'f16' },
  30: { unit: 2, float: 'bf16' },
  2: { unit: 18, halves: [0] },
  3: { unit: 20, halves: [0, 2] },
  6: { unit: 22, halves: [0] },
  7: { unit: 24, halves: [0, 2] },
  8: { unit: 34, halves: [0] },
  10: { unit: 84, halves: [80, 82] },
  11: { unit: 110, halves: [108] },
  12: { unit: 144, halves: [0, 2] },
  13: { unit: 176, halves: [0, 2] },
  14: { unit: 210, halves: [208] },
};

export interface WeightScan {
  /** 'sampled': a file over FULL_WEIGHT_SCAN_BYTES, of which every tensor was read in a few windows only. */
  mode: 'full' | 'sampled';
  /** Tensors whose values (floats) or block scales (quantized) were read. */
  tensors: number;
  /** Tensors of a type with nothing to check here (IQ*, integers). */
  unchecked: number;
  bytesRead: number;
}

/** NaN or infinity of an f32 / f16 / bf16 bit pattern: an exponent of all ones. */
function badFloat(kind: 'f32' | 'f16' | 'bf16', bits: number): 'NaN' | 'an infinite value' | null {
  const [exp, mant] = kind === 'f32' ? [0x7f800000, 0x007fffff] : kind === 'f16' ? [0x7c00, 0x03ff] : [0x7f80, 0x007f];
  if ((bits & exp) >>> 0 !== exp) return null;
  return bits & mant ? 'NaN' : 'an infinite value';
}

/** Byte ranges of a tensor to read: all of it, or SAMPLE_WINDOWS windows spread from its first to its last unit. */
function rangesOf(t: GgufTensor, unit: number, full: boolean): [number, number][] {
  const window = Math.max(unit, Math.floor(SAMPLE_WINDOW_BYTES / unit) * unit);
  if (full || t.bytes <= window * SAMPLE_WINDOWS) return [[t.offset, t.offset + t.bytes]];
  const units = t.bytes / unit;
  const perWindow = window / unit;
  const out: [number, number][] = [];
  for (let k = 0; k < SAMPLE_WINDOWS; k++) {
    const first = Math.floor((k * (units - perWindow)) / (SAMPLE_WINDOWS - 1));
    out.push([t.offset + first * unit, t.offset + (first + perWindow) * unit]);
  }
  return out;
}

/**
 * Looks for NaN and infinite weights, which llama.cpp loads without a word and which make every output NaN:
 * F32/F16/BF16 values, and the f16 scales of Q4/Q5/Q8 and K-quant blocks. A file up to `fullBelowBytes` is read
 * whole; a larger one in SAMPLE_WINDOWS windows of about 4 KB from every tensor (first and last included), which
 * catches a tensor broken throughout but may miss a single bad value (the model host's first forward pass is the
 * check behind this one). The file is read in async chunks so the process keeps answering while a big model is
 * scanned. Throws GgufValidationError naming the file and the tensor.
 */
export async function scanGgufWeights(file: string, header: GgufHeader, opts: { fullBelowBytes?: number } = {}): Promise<WeightScan> {
  const full = header.fileSize <= (opts.fullBelowBytes ?? FULL_WEIGHT_SCAN_BYTES);
  const shown = path.basename(file);
  const buf = Buffer.alloc(SCAN_CHUNK);
  const fh = await open(file, 'r');
  const scan: WeightScan = { mode: full ? 'full' : 'sampled', tensors: 0, unchecked: 0, bytesRead: 0 };
  try {
    for (const t of header.tensors.values()) {
      const kind = scannable[t.type];
      if (!kind) {
        scan.unchecked++;
        continue;
      }
      scan.tensors++;
      const typeName = (ggmlTypes[t.type] as [number, number, string])[2];
      for (const [start, end] of rangesOf(t, kind.unit, full)) {
        // Chunks hold whole units, so a float or a block never straddles two reads.
        const step = Math.floor(SCAN_CHUNK / kind.unit) * kind.unit;
        for (let pos = start; pos < end; pos += step) {
          const len = Math.min(step, end - pos);
          let got = 0;
          while (got < len) {
            const { bytesRead } = await fh.read(buf, got, len - got, pos + got);
            if (bytesRead === 0) throw new GgufValidationError(shown, t.name, `tensor ${t.name} is cut off at byte ${pos + got} (truncated?)`);
            got += bytesRead;
          }
          scan.bytesRead += len;
          const firstUnit = (pos - t.offset) / kind.unit;
          const found = kind.float ? firstBadFloat(buf, len, kind.float) : firstBadScale(buf, len, kind.unit, kind.halves as number[]);
          if (found) {
            const where = kind.float ? `${typeName} element ${firstUnit + found.index}` : `the scale of ${typeName} block ${firstUnit + found.index}`;
            throw new GgufValidationError(shown, t.name, `tensor ${t.name} holds ${found.what} (${where}): its weights are broken and every output would be NaN`);
          }
        }
      }
    }
    return scan;
  } finally {
    await fh.close();
  }
}

function firstBadFloat(buf: Buffer, len: number, kind: 'f32' | 'f16' | 'bf16'): { index: number; what: string } | null {
  // Buffer.alloc owns its ArrayBuffer from byte 0, so the typed views are aligned; GGUF is little-endian, as are the hosts.
  const values = kind === 'f32' ? new Uint32Array(buf.buffer, buf.byteOffset, len / 4) : new Uint16Array(buf.buffer, buf.byteOffset, len / 2);
  const exp = kind === 'f32' ? 0x7f800000 : kind === 'f16' ? 0x7c00 : 0x7f80;
  for (let i = 0; i < values.length; i++) {
    if (((values[i] as number) & exp) >>> 0 === exp) return { index: i, what: badFloat(kind, values[i] as number) as string };
  }
  return null;
}

function firstBadScale(buf: Buffer, len: number, unit: number, halves: number[]): { index: number; what: string } | null {
  for (let b = 0, o = 0; o < len; b++, o += unit) {
    for (const h of halves) {
      const what = badFloat('f16', buf.readUInt16LE(o + h));
      if (what) return { index: b, what };
    }
  }
  return null;
}
