/**
 * GGUF files that make llama.cpp misbehave, made from a good one by editing a copy in place with llama.cpp's
 * gguf-py (python3 + numpy, like tinyModels.ts): `block_count` 100000 and `head_count` 0 make llama.cpp abort the
 * process (GGML_ASSERT), NaN weights load and sample garbage.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, renameSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './shared.js';

export type BadModelKind = 'block-count-100000' | 'head-count-0' | 'nan-weights';

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
  const r = spawnSync('python3', ['-c', script, tmp, kind], {
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: path.join(repoRoot, 'native', 'deps', 'llama.cpp', 'gguf-py') },
  });
  if (r.status !== 0) throw new Error(`making the ${kind} model failed: ${r.stderr.trim().split('\n').slice(-5).join('\n')}`);
  renameSync(tmp, out);
  return out;
}
