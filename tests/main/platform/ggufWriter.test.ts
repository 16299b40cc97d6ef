/**
 * The GGUF writer: every metadata type and F32/F16 tensors read back as written, by node-llama-cpp's reader and
 * (when python3 with numpy and the bundled gguf-py are there) by llama.cpp's own gguf-py; the same input gives the
 * same bytes; a file is never left half-written.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { readGgufFileInfo } from 'node-llama-cpp';
import { f32ToF16Bits, writeGguf, type GgufKv, type GgufTensor } from '../../../main/platform/ggufWriter.js';
import { repoRoot } from '../../helpers/shared.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'medssr-gguf-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const kvs: [string, GgufKv][] = [
  ['general.architecture', { type: 'string', value: 'llama' }],
  ['general.name', { type: 'string', value: 'tëst ▁model' }],
  ['test.u8', { type: 'u8', value: 200 }],
  ['test.i8', { type: 'i8', value: -100 }],
  ['test.u16', { type: 'u16', value: 60000 }],
  ['test.i16', { type: 'i16', value: -30000 }],
  ['test.u32', { type: 'u32', value: 4_000_000_000 }],
  ['test.i32', { type: 'i32', value: -2_000_000_000 }],
  ['test.f32', { type: 'f32', value: 0.5 }],
  ['test.f64', { type: 'f64', value: 0.1 }],
  ['test.bool', { type: 'bool', value: true }],
  ['test.u64', { type: 'u64', value: 2n ** 40n }],
  ['test.i64', { type: 'i64', value: -(2n ** 40n) }],
  ['test.strings', { type: 'array', itemType: 'string', value: ['a', '▁b', '<0x0A>'] }],
  ['test.floats', { type: 'array', itemType: 'f32', value: [1.5, -2, 0] }],
  ['test.ints', { type: 'array', itemType: 'i32', value: [1, -2, 3] }],
];
const tensors: GgufTensor[] = [
  { name: 'a.weight', shape: [3, 2], type: 'f32', data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
  { name: 'b.weight', shape: [5], type: 'f16', data: Float32Array.from([0.5, -1, 65504, 1e-8, 0.1]) },
  { name: 'c.weight', shape: [7], type: 'f32', data: Float32Array.from([7, 6, 5, 4, 3, 2, 1]) },
];

test('node-llama-cpp reads back every key and tensor; offsets aligned to 32', async () => {
  const file = path.join(dir, 'a.gguf');
  writeGguf(file, kvs, tensors);
  const info = await readGgufFileInfo(file, { readTensorInfo: true });
  const m = info.metadata as unknown as { general: { name: string }; test: Record<string, unknown> };
  assert.equal(m.general.name, 'tëst ▁model');
  assert.equal(m.test.u8, 200);
  assert.equal(m.test.i8, -100);
  assert.equal(m.test.u16, 60000);
  assert.equal(m.test.i16, -30000);
  assert.equal(m.test.u32, 4_000_000_000);
  assert.equal(m.test.i32, -2_000_000_000);
  assert.equal(m.test.f32, 0.5);
  assert.equal(m.test.f64, 0.1);
  assert.equal(m.test.bool, true);
  assert.equal(BigInt(m.test.u64 as number), 2n ** 40n);
  assert.equal(BigInt(m.test.i64 as number), -(2n ** 40n));
  assert.deepEqual(m.test.strings, ['a', '▁b', '<0x0A>']);
  assert.deepEqual(m.test.floats, [1.5, -2, 0]);
  assert.deepEqual(m.test.ints, [1, -2, 3]);
  const t = info.tensorInfo ?? [];
  assert.deepEqual(t.map((x) => x.name), ['a.weight', 'b.weight', 'c.weight']);
  assert.deepEqual(t.map((x) => x.dimensions.map(Number)), [[3, 2], [5], [7]]);
  for (const x of t) assert.equal(Number(x.offset) % 32, 0);
  // Data: F32 bytes as given, F16 rounded to nearest even.
  const bytes = readFileSync(file);
  const dataStart = bytes.length - (32 + 32 + 32);
  assert.equal(bytes.readFloatLE(dataStart + 4 * 5), 6);
  assert.equal(bytes.readUInt16LE(dataStart + 32), f32ToF16Bits(0.5));
  assert.equal(f32ToF16Bits(0.5), 0x3800);
  assert.equal(f32ToF16Bits(65504), 0x7bff);
  assert.equal(f32ToF16Bits(-1), 0xbc00);
  assert.equal(bytes.readFloatLE(dataStart + 64), 7);
});

test('the same input gives the same bytes; duplicate keys and wrong sizes are refused; nothing left behind', () => {
  const a = path.join(dir, 'x.gguf');
  const b = path.join(dir, 'y.gguf');
  writeGguf(a, kvs, tensors);
  writeGguf(b, kvs, tensors);
  assert.ok(readFileSync(a).equals(readFileSync(b)));
  assert.throws(() => writeGguf(path.join(dir, 'dup.gguf'), [kvs[0] as [string, GgufKv], kvs[0] as [string, GgufKv]], []), /given twice/);
  assert.throws(() => writeGguf(path.join(dir, 'bad.gguf'), kvs, [{ name: 'x', shape: [4], type: 'f32', data: new Float32Array(3) }]), /3 values for shape \[4\]/);
  assert.ok(!existsSync(path.join(dir, 'bad.gguf')));
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp.')), []);
});

const gguf = path.join(repoRoot, 'native', 'deps', 'llama.cpp', 'gguf-py');
const pySkip = !existsSync(path.join(gguf, 'gguf')) ? `skipped: ${gguf} is absent` : spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status !== 0 ? 'skipped: python3 with numpy is not available' : undefined;

test("llama.cpp's gguf-py reads the file the same way", { skip: pySkip }, () => {
  const file = path.join(dir, 'py.gguf');
  writeGguf(file, kvs, tensors);
  const script = `
import sys, json
from gguf import GGUFReader
r = GGUFReader(sys.argv[1])
out = {'name': r.fields['general.name'].contents(), 'strings': r.fields['test.strings'].contents(), 'u32': int(r.fields['test.u32'].contents()),
       'tensors': [[t.name, [int(x) for x in t.shape], t.data.astype('float32').reshape(-1).tolist()] for t in r.tensors]}
print(json.dumps(out))`;
  const r = spawnSync('python3', ['-c', script, file], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: gguf } });
  assert.equal(r.status, 0, r.stderr);
  const o = JSON.parse(r.stdout) as { name: string; strings: string[]; u32: number; tensors: [string, number[], number[]][] };
  assert.equal(o.name, 'tëst ▁model');
  assert.deepEqual(o.strings, ['a', '▁b', '<0x0A>']);
  assert.equal(o.u32, 4_000_000_000);
  assert.deepEqual(o.tensors[0], ['a.weight', [3, 2], [1, 2, 3, 4, 5, 6]]);
  assert.deepEqual(o.tensors[2], ['c.weight', [7], [7, 6, 5, 4, 3, 2, 1]]);
  const f16 = o.tensors[1]?.[2] ?? [];
  assert.equal(f16[0], 0.5);
  assert.equal(f16[2], 65504);
});
