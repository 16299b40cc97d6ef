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

// Bytes gguf-py's quants.quantize (and numpy's float16) wrote for this input, recorded once: the writer's
// quantizers are ggml's reference ones, byte for byte, including a zero and exact halves.
const quantInput = (() => {
  const x = new Float32Array(64);
  for (let i = 0; i < 64; i++) x[i] = Math.fround(((i * 37) % 23 - 11) * 0.173 + (i % 5 === 0 ? 0.5 : 0));
  x[35] = 0;
  return x;
})();
const ggufPyBytes: Record<'q8_0' | 'q4_0' | 'q4_1' | 'bf16' | 'f16', string> = {
  q8_0: 'ac23a223bb5cf4ae2ec66800b93ad2730cc545dd7f17d151e98123dc5cf48d2ee868ac2300983a00730ca445ff7f17af510a8123bb5c168d2ec66821983ad2732da445dd',
  q4_0: '9db34ea60c72b93d95fc61a82c94fb51a71c9db3c82f74f851c71e64f840b71d53e74fa6',
  q4_1: '0f349dbfc25af39d57c36a04ae57d37b15ae68e40f349dbf37d19b17ae48e29c17bf59e3ac28c05a',
  bf16: 'b4bf053f85bfb13f31be9dbf313f5dbfc73f000087bf5d3f31bfdd3f313e62bf853f05bff43fb13e36bf9b3fb1bef4bf053f0abfb13f31beddbf313fbbbec73f0000c7bf5d3f0000dd3f313eb1bf853f9cbcf43fb13e9bbf9b3f1e3ef4bf053f85bfb13fa73eddbf313f5dbfc73f003fc7bf5d3f31bfdd3f2c3fb1bf853f05bf',
  f16: '9dbd273827bc893d89b1ecbc8939ecba3a3e00003abcec3a89b9ec3e893112bb273c27b89d3f8935b0b9d83c89b59dbf27384eb8893d89b1ecbe8939d7b53a3e00003abeec3a0000ec3e893189bd273cdda49d3f8935d8bcd83cee309dbf273827bc893d3b35ecbe8939ecba3a3e00383abeec3a89b9ec3e623989bd273c27b8',
};

test('BF16, Q8_0, Q4_0 and Q4_1 tensors are the bytes gguf-py writes; a row not a multiple of 32 is refused for a quantized type', async () => {
  for (const type of ['q8_0', 'q4_0', 'q4_1', 'bf16', 'f16'] as const) {
    const file = path.join(dir, `quant-${type}.gguf`);
    writeGguf(file, [['general.architecture', { type: 'string', value: 'llama' }]], [{ name: 't', shape: [32, 2], type, data: quantInput }]);
    const info = await readGgufFileInfo(file);
    assert.equal(info.fullTensorInfo?.length, 1, `${type}: node-llama-cpp reads the tensor`);
    // The one tensor's data ends the file (padded to 32 bytes).
    const want = Buffer.from(ggufPyBytes[type], 'hex');
    const bytes = readFileSync(file);
    const body = bytes.subarray(bytes.length - Math.ceil(want.length / 32) * 32);
    assert.equal(body.subarray(0, want.length).toString('hex'), want.toString('hex'), `${type}: the tensor's bytes equal gguf-py's`);
  }
  assert.throws(() => writeGguf(path.join(dir, 'bad-q.gguf'), [], [{ name: 'w', shape: [48, 1], type: 'q8_0', data: new Float32Array(48) }]), /multiple of 32/);
});
