/**
 * GGUF files that make llama.cpp misbehave, made from a good one by editing a copy in place with llama.cpp's
 * gguf-py (python3 + numpy; tinyModels.ts no longer needs them): `block_count` 100000 and `head_count` 0 make llama.cpp abort the
 * process (GGML_ASSERT), NaN weights load and sample garbage; the others are what the GGUF validation
 * (main/llm/ggufValidation.ts) must refuse by field: bad hyperparameters, an unknown architecture, a tensor of an
 * unknown type, too large or outside the file, an unknown version, a cut-off file.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './shared.js';

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

const script = String.raw`
import sys
import numpy as np
from gguf import GGUFReader
path, kind = sys.argv[1], sys.argv[2]
r = GGUFReader(path, 'r+')
arch = r.fields['general.architecture'].contents()
def setf(key, value):
    f = r.fields[key]
    f.parts[f.data[0]][0] = value
if kind == 'block-count-100000':
    setf(arch + '.block_count', 100000)
elif kind == 'head-count-0':
    setf(arch + '.attention.head_count', 0)
elif kind == 'head-count-kv-0':
    setf(arch + '.attention.head_count_kv', 0)
elif kind == 'embedding-0':
    setf(arch + '.embedding_length', 0)
elif kind == 'heads-not-dividing':
    setf(arch + '.attention.head_count', 5)
    setf(arch + '.attention.head_count_kv', 5)
elif kind == 'arch-unknown':
    f = r.fields['general.architecture']
    part = f.parts[f.data[0]]
    part[-1] = ord('x')
elif kind in ('tensor-type-99', 'dimension-overflow', 'tensor-outside-file'):
    t = r.tensors[-1]
    parts = t.field.parts
    if kind == 'tensor-type-99':
        parts[4][0] = 99
    elif kind == 'dimension-overflow':
        parts[3][0] = 2 ** 62
    else:
        parts[5][0] = 1 << 40
elif kind == 'nan-weights':
    done = 0
    for t in r.tensors:
        if t.tensor_type == 0 and len(t.shape) == 2:
            t.data[...] = np.nan
            done += 1
    if done == 0:
        sys.exit('no F32 matrix to fill with NaN')
`;

/** A copy of `source` broken as `kind` says, cached in the temp folder; its path. */
export function badModel(source: string, kind: BadModelKind): string {
  const dir = path.join(os.tmpdir(), 'medssr-bad-models');
  mkdirSync(dir, { recursive: true });
  const out = path.join(dir, `${path.basename(source, '.gguf')}-${kind}.gguf`);
  if (existsSync(out)) return out;
  const tmp = `${out}.tmp-${process.pid}`;
  copyFileSync(source, tmp);
  // Byte edits that gguf-py cannot make (it refuses such files): the version field, a cut-off file.
  if (kind === 'version-99' || kind === 'truncated-header' || kind === 'truncated-data') {
    const bytes = readFileSync(source);
    if (kind === 'version-99') bytes.writeUInt32LE(99, 4);
    writeFileSync(tmp, kind === 'truncated-header' ? bytes.subarray(0, 200) : kind === 'truncated-data' ? bytes.subarray(0, bytes.length - 4096) : bytes);
    renameSync(tmp, out);
    return out;
  }
  const r = spawnSync('python3', ['-c', script, tmp, kind], {
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: path.join(repoRoot, 'native', 'deps', 'llama.cpp', 'gguf-py') },
  });
  if (r.status !== 0) throw new Error(`making the ${kind} model failed: ${r.stderr.trim().split('\n').slice(-5).join('\n')}`);
  renameSync(tmp, out);
  return out;
}

export type AdapterKind = 'good' | 'rank-mismatch' | 'shape-mismatch' | 'layer-outside' | 'other-architecture' | 'not-lora';

const adapterScript = String.raw`
import sys
import numpy as np
from gguf import GGUFWriter
out, kind, n_in, n_out = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
w = GGUFWriter(out, 'qwen2' if kind == 'other-architecture' else 'llama')
w.add_string('general.type', 'adapter')
w.add_string('adapter.type', 'ia3' if kind == 'not-lora' else 'lora')
w.add_float32('adapter.lora.alpha', 8.0)
r = 4
layer = 9 if kind == 'layer-outside' else 0
a_in = n_in // 2 if kind == 'shape-mismatch' else n_in
b_rank = 3 if kind == 'rank-mismatch' else r
# numpy shapes are ggml's reversed: lora_a ne = [in, r], lora_b ne = [r, out]
w.add_tensor(f'blk.{layer}.attn_q.weight.lora_a', np.zeros((r, a_in), dtype=np.float32))
w.add_tensor(f'blk.{layer}.attn_q.weight.lora_b', np.zeros((n_out, b_rank), dtype=np.float32))
w.write_header_to_file()
w.write_kv_data_to_file()
w.write_tensors_to_file()
w.close()
`;

/** A LoRA adapter GGUF for a model whose blk.N.attn_q.weight is [nIn, nOut], made wrong as `kind` says; its path. */
export function craftAdapter(kind: AdapterKind, nIn = 64, nOut = 64): string {
  const dir = path.join(os.tmpdir(), 'medssr-bad-models');
  mkdirSync(dir, { recursive: true });
  const out = path.join(dir, `adapter-${kind}-${nIn}x${nOut}.gguf`);
  if (existsSync(out)) return out;
  const tmp = `${out}.tmp-${process.pid}`;
  const r = spawnSync('python3', ['-c', adapterScript, tmp, kind, String(nIn), String(nOut)], {
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: path.join(repoRoot, 'native', 'deps', 'llama.cpp', 'gguf-py') },
  });
  if (r.status !== 0) throw new Error(`making the ${kind} adapter failed: ${r.stderr.trim().split('\n').slice(-5).join('\n')}`);
  renameSync(tmp, out);
  return out;
}
