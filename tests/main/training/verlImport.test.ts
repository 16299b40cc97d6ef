/**
 * Back from verl: a PEFT adapter (as verl's FSDP actor writes it) becomes a GGUF LoRA adapter that llama.cpp
 * applies; on llama the q/k rows follow convert_hf_to_gguf's permutation (checked with numpy and gguf-py's own
 * reader); an adapter of the trainer's, written out as PEFT and brought back, is the same adapter; adapters that do
 * not fit their base are refused before anything is registered; merged models get the exact converter command.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readSync, openSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { GgmlType, readGgufFileInfo } from 'node-llama-cpp';
import { openAppDatabase } from '../../../main/app/index.js';
import { mergeAdapter } from '../../../main/training/mergeAdapter.js';
import { TrainingRepo } from '../../../main/training/store.js';
import { findTrainerBinary, TrainerProcess } from '../../../main/training/trainerProcess.js';
import { llamaPermuteRows, readSafetensorsHeader } from '../../../main/training/verlImport.js';
import { importVerlCheckpoint } from '../../../main/training/verlImportRun.js';
import { runMedssr } from '../../helpers/cli.js';
import { repoRoot } from '../../helpers/shared.js';
import { needTinyModels, tinyModel } from '../../helpers/tinyModels.js';
import { cpuLlama, llamaLogprobs, maxAbsDiff, randomSequences } from '../../native/harness.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'medssr-verl-import-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const noTiny = needTinyModels();
const noTrainer = findTrainerBinary() ? undefined : 'skipped: native trainer binary absent (npm run build:native)';
if (noTrainer) console.log(`# ${noTrainer}`);

const modules = [
  ['self_attn', 'q_proj', 'attn_q'],
  ['self_attn', 'k_proj', 'attn_k'],
  ['self_attn', 'v_proj', 'attn_v'],
  ['self_attn', 'o_proj', 'attn_output'],
  ['mlp', 'gate_proj', 'ffn_gate'],
  ['mlp', 'up_proj', 'ffn_up'],
  ['mlp', 'down_proj', 'ffn_down'],
] as const;

function f32ToF16(v: number): number {
  const f = new Float32Array([v]);
  const x = new Uint32Array(f.buffer)[0] as number;
  const sign = (x >>> 16) & 0x8000;
  const e = ((x >>> 23) & 0xff) - 127 + 15;
  if (e <= 0) return sign;
  return sign | (e << 10) | ((x >>> 13) & 0x3ff);
}

/** A safetensors file: 8-byte header length, JSON header, raw little-endian tensors. */
function writeSafetensors(file: string, tensors: { name: string; shape: number[]; data: Float32Array }[], dtype: 'F32' | 'F16' = 'F32'): void {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  const blobs: Buffer[] = [];
  let off = 0;
  for (const t of tensors) {
    const b = Buffer.alloc(t.data.length * (dtype === 'F32' ? 4 : 2));
    t.data.forEach((v, i) => (dtype === 'F32' ? b.writeFloatLE(v, i * 4) : b.writeUInt16LE(f32ToF16(v), i * 2)));
    header[t.name] = { dtype, shape: t.shape, data_offsets: [off, off + b.length] };
    blobs.push(b);
    off += b.length;
  }
  const h = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(h.length));
  writeFileSync(file, Buffer.concat([len, h, ...blobs]));
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

/** Base tensor shapes in ggml order ([in, out]) by GGUF name. */
async function shapes(model: string): Promise<Map<string, number[]>> {
  const info = await readGgufFileInfo(model, { readTensorInfo: true });
  return new Map((info.tensorInfo ?? []).map((t) => [t.name, t.dimensions.map(Number)]));
}

/** A PEFT folder as verl writes it (checkpoints/stage2/global_step_7/actor/lora_adapter) with random A and B. */
async function syntheticPeft(model: string, name: string, rank: number, alpha: number, opts: { dtype?: 'F32' | 'F16'; mutate?: (t: { name: string; shape: number[]; data: Float32Array }[]) => void; config?: Record<string, unknown> } = {}): Promise<string> {
  const sh = await shapes(model);
  const nLayer = [...sh.keys()].filter((k) => /^blk\.\d+\.attn_q\.weight$/.test(k)).length;
  const r = rng(rank * 7 + nLayer);
  const tensors: { name: string; shape: number[]; data: Float32Array }[] = [];
  for (let l = 0; l < nLayer; l++) {
    for (const [block, mod, gg] of modules) {
      const [inDim, outDim] = sh.get(`blk.${l}.${gg}.weight`) as [number, number];
      const p = `base_model.model.model.layers.${l}.${block}.${mod}`;
      tensors.push({ name: `${p}.lora_A.weight`, shape: [rank, inDim], data: Float32Array.from({ length: rank * inDim }, () => r() * 0.5) });
      tensors.push({ name: `${p}.lora_B.weight`, shape: [outDim, rank], data: Float32Array.from({ length: outDim * rank }, () => r() * 0.5) });
    }
  }
  opts.mutate?.(tensors);
  const d = path.join(dir, name, 'checkpoints', 'stage2', 'global_step_7', 'actor', 'lora_adapter');
  mkdirSync(d, { recursive: true });
  writeSafetensors(path.join(d, 'adapter_model.safetensors'), tensors, opts.dtype);
  writeFileSync(path.join(d, 'adapter_config.json'), JSON.stringify({ peft_type: 'LORA', task_type: 'CAUSAL_LM', r: rank, lora_alpha: alpha, target_modules: modules.map((m) => m[1]), ...opts.config }));
  return d;
}

function dbAt(name: string) {
  const d = path.join(dir, `${name}-data`);
  mkdirSync(d, { recursive: true });
  return { db: openAppDatabase(path.join(d, 'app.db')), dataDir: d };
}

async function checkApplies(model: string, adapter: string, vocab: number, tokens = 24): Promise<void> {
  const llama = await cpuLlama();
  const m = await llama.loadModel({ modelPath: model });
  const merged = path.join(dir, `${path.basename(adapter)}.merged.gguf`);
  await mergeAdapter(model, adapter, merged);
  const mm = await llama.loadModel({ modelPath: merged });
  try {
    const seqs = randomSequences(5, tokens > 8 ? 2 : 1, tokens, vocab, 1);
    const withAdapter = await llamaLogprobs(m, seqs, adapter);
    const without = await llamaLogprobs(m, seqs);
    const fromMerged = await llamaLogprobs(mm, seqs);
    const moved = maxAbsDiff(withAdapter, without);
    const d = maxAbsDiff(withAdapter, fromMerged);
    console.log(`# ${path.basename(model)}: adapter moves log-probs by up to ${moved.toFixed(3)}; llama.cpp's adapter vs merged weights: ${d.toExponential(2)}`);
    assert.ok(moved > 1e-2, 'the converted adapter changes the model');
    assert.ok(d < 1e-3, `llama.cpp applies the adapter as written (merged differs by ${d})`);
  } finally {
    await m.dispose();
    await mm.dispose();
  }
}

test('a verl PEFT adapter imports as a GGUF adapter llama.cpp applies (qwen2, F16 safetensors), registered as an imported run', { skip: noTiny, timeout: 180_000 }, async () => {
  // qwen2's BPE tokenizer needs its merges, which a cut vocabulary drops: the full vocabulary, so llama.cpp loads it.
  const model = tinyModel({ arch: 'qwen2' });
  const peft = await syntheticPeft(model, 'qwen2', 4, 8, { dtype: 'F16' });
  const { db, dataDir } = dbAt('qwen2');
  try {
    // The global_step folder above actor/lora_adapter is accepted too.
    const r = await importVerlCheckpoint(db, dataDir, { checkpoint: path.resolve(peft, '..', '..'), base: model, name: 'from verl' });
    assert.deepEqual({ arch: r.arch, rank: r.rank, alpha: r.alpha, tensors: r.tensors, layers: r.layers }, { arch: 'qwen2', rank: 4, alpha: 8, tensors: 28, layers: 2 });
    const repo = new TrainingRepo(db);
    const run = repo.run(r.runId);
    assert.equal(run?.name, 'from verl');
    assert.equal(run?.state, 'completed');
    assert.equal(run?.modelPath, model);
    assert.equal(run?.totalSteps, 0);
    const a = repo.adapters(r.runId);
    assert.equal(a.length, 1);
    assert.deepEqual({ step: a[0]?.step, stage: a[0]?.stage, kind: a[0]?.kind, path: a[0]?.path }, { step: 7, stage: 2, kind: 'final', path: r.path });
    const meta = (await readGgufFileInfo(r.path)).metadata as unknown as { general: { type: string; architecture: string }; adapter: { type: string; lora: { alpha: number } } };
    assert.deepEqual([meta.general.type, meta.general.architecture, meta.adapter.type, meta.adapter.lora.alpha], ['adapter', 'qwen2', 'lora', 8]);
    // A few tokens only: log-probs over a 151k vocabulary are computed in JavaScript.
    await checkApplies(model, r.path, 512, 6);
  } finally {
    db.close();
  }
});

test("llama's q/k rows are permuted as convert_hf_to_gguf does (numpy, gguf-py's reader), and the adapter applies", { skip: noTiny, timeout: 180_000 }, async () => {
  const model = tinyModel({ arch: 'llama', nVocab: 512, nHead: 4, nHeadKv: 2 });
  const peft = await syntheticPeft(model, 'llama', 8, 16);
  const { db, dataDir } = dbAt('llama');
  let out = '';
  try {
    out = (await importVerlCheckpoint(db, dataDir, { checkpoint: peft, base: model })).path;
  } finally {
    db.close();
  }
  // llama.cpp's LlamaModel.permute, verbatim, on the PEFT lora_B; the GGUF read back with llama.cpp's gguf-py.
  const prog = `
import json, sys, numpy as np
from gguf import GGUFReader
st, gg = sys.argv[1], sys.argv[2]
raw = open(st, 'rb').read(); n = int.from_bytes(raw[:8], 'little'); hdr = json.loads(raw[8:8+n]); base = 8 + n
def t(name):
    h = hdr[name]; a, b = h['data_offsets']; return np.frombuffer(raw[base+a:base+b], dtype=np.float32).reshape(h['shape'])
def permute(weights, n_head, n_head_kv):
    if n_head_kv is not None and n_head != n_head_kv:
        n_head = n_head_kv
    return (weights.reshape(n_head, 2, weights.shape[0] // n_head // 2, *weights.shape[1:]).swapaxes(1, 2).reshape(weights.shape))
r = GGUFReader(gg); got = {x.name: np.array(x.data) for x in r.tensors}
worst = 0.0
for l in range(2):
    for mod, gname, perm in [('self_attn.q_proj', 'attn_q', (4, 4)), ('self_attn.k_proj', 'attn_k', (4, 2)), ('self_attn.v_proj', 'attn_v', None), ('mlp.down_proj', 'ffn_down', None)]:
        p = 'base_model.model.model.layers.%d.%s' % (l, mod)
        B = t(p + '.lora_B.weight'); A = t(p + '.lora_A.weight')
        wantB = permute(B, *perm) if perm else B
        gb = got['blk.%d.%s.weight.lora_b' % (l, gname)].reshape(wantB.shape); ga = got['blk.%d.%s.weight.lora_a' % (l, gname)].reshape(A.shape)
        worst = max(worst, float(np.abs(gb - wantB).max()), float(np.abs(ga - A).max()))
        if perm: assert float(np.abs(gb - B).max()) > 0, 'q/k rows were not permuted'
print(worst)
`;
  const py = spawnSync('python3', ['-c', prog, path.join(peft, 'adapter_model.safetensors'), out], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: path.join(repoRoot, 'native', 'deps', 'llama.cpp', 'gguf-py') } });
  assert.equal(py.status, 0, py.stderr);
  assert.equal(Number(py.stdout.trim()), 0, 'lora_a unchanged, lora_b rows permuted exactly as llama.cpp permutes q/k');
  await checkApplies(model, out, 512);
});

test("the trainer's own adapter, written out as PEFT and imported back, is the same adapter", { skip: noTiny ?? noTrainer, timeout: 180_000 }, async () => {
  const model = tinyModel({ arch: 'llama', nVocab: 512 });
  const trained = path.join(dir, 'trained.gguf');
  const t = TrainerProcess.start();
  try {
    await t.init({ model, threads: 1, seed: 3, lora: { rank: 4, alpha: 8 }, optim: { lr: 2e-2 } });
    for (let s = 0; s < 3; s++) await t.step([{ prompt: [1, 5, 9, 13], completions: [[20 + s, 21, 22], [40, 41 + s, 42], [60, 61, 62 + s]], rewards: [1, 0, 0.5] }]);
    await t.save({ adapter: trained });
  } finally {
    await t.shutdown();
  }
  const info = await readGgufFileInfo(trained, { readTensorInfo: true });
  const base = await readGgufFileInfo(model);
  const nHead = Number((base.metadata as unknown as { llama: { attention: { head_count: number; head_count_kv: number } } }).llama.attention.head_count);
  const nHeadKv = Number((base.metadata as unknown as { llama: { attention: { head_count_kv: number } } }).llama.attention.head_count_kv);
  const fd = openSync(trained, 'r');
  const ours = new Map<string, Float32Array>();
  const peft: { name: string; shape: number[]; data: Float32Array }[] = [];
  try {
    for (const ti of info.tensorInfo ?? []) {
      assert.equal(ti.ggmlType, GgmlType.F32);
      const [d0, d1] = ti.dimensions.map(Number) as [number, number];
      const buf = Buffer.alloc(d0 * d1 * 4);
      readSync(fd, buf, 0, buf.length, Number(ti.fileOffset));
      const data = new Float32Array(buf.buffer, buf.byteOffset, d0 * d1).slice();
      ours.set(ti.name, data);
      const m = /^blk\.(\d+)\.(\w+)\.weight\.lora_([ab])$/.exec(ti.name);
      assert.ok(m, ti.name);
      const [, l, gg, ab = ''] = m;
      const [block, mod] = modules.find((x) => x[2] === gg) as readonly [string, string, string];
      let hf: Float32Array = data;
      // Undo llama.cpp's q/k permutation: the PEFT file holds Hugging Face's row order.
      if (ab === 'b' && (gg === 'attn_q' || gg === 'attn_k')) hf = invertPermute(data, d1, d0, gg === 'attn_q' ? nHead : nHeadKv);
      peft.push({ name: `base_model.model.model.layers.${l}.${block}.${mod}.lora_${ab.toUpperCase()}.weight`, shape: [d1, d0], data: hf });
    }
  } finally {
    closeSync(fd);
  }
  const d = path.join(dir, 'roundtrip', 'lora_adapter');
  mkdirSync(d, { recursive: true });
  writeSafetensors(path.join(d, 'adapter_model.safetensors'), peft);
  writeFileSync(path.join(d, 'adapter_config.json'), JSON.stringify({ peft_type: 'LORA', r: 4, lora_alpha: 8 }));
  const { db, dataDir } = dbAt('roundtrip');
  try {
    const r = await importVerlCheckpoint(db, dataDir, { checkpoint: d, base: model });
    const back = await readGgufFileInfo(r.path, { readTensorInfo: true });
    assert.equal(back.tensorInfo?.length, ours.size);
    const fd2 = openSync(r.path, 'r');
    try {
      for (const ti of back.tensorInfo ?? []) {
        const want = ours.get(ti.name);
        assert.ok(want, ti.name);
        const buf = Buffer.alloc(want.length * 4);
        readSync(fd2, buf, 0, buf.length, Number(ti.fileOffset));
        assert.deepEqual(ti.dimensions.map(Number), (info.tensorInfo ?? []).find((x) => x.name === ti.name)?.dimensions.map(Number));
        assert.ok(Buffer.from(want.buffer, want.byteOffset, want.byteLength).equals(buf), `${ti.name} equal bit for bit`);
      }
    } finally {
      closeSync(fd2);
    }
  } finally {
    db.close();
  }
});

/** The inverse of llama.cpp's q/k row permutation: the permutation is found by permuting row indices. */
function invertPermute(m: Float32Array, rows: number, cols: number, nHead: number): Float32Array {
  const idx = llamaPermuteRows(Float32Array.from({ length: rows }, (_, i) => i), rows, 1, nHead);
  const out = new Float32Array(m.length);
  for (let dst = 0; dst < rows; dst++) out.set(m.subarray(dst * cols, (dst + 1) * cols), (idx[dst] as number) * cols);
  return out;
}

test('adapters that do not fit the base are refused by name, and nothing is registered', { skip: noTiny, timeout: 120_000 }, async () => {
  const model = tinyModel({ arch: 'qwen2', nVocab: 512 });
  const other = tinyModel({ arch: 'qwen2', nVocab: 512, nEmbd: 96, nHead: 4, nHeadKv: 2 });
  const { db, dataDir } = dbAt('bad');
  try {
    const cases: [string, Promise<string>, RegExp][] = [
      ['shape', syntheticPeft(other, 'wrong-shape', 4, 8), /do not fit blk\.0\.attn_k\.weight of the base \(in 64, out 32\) at rank 4: expected \[4, 64\] and \[32, 4\]/],
      ['rank', syntheticPeft(model, 'wrong-rank', 4, 8, { config: { r: 8 } }), /expected \[8, 64\]/],
      ['layers', syntheticPeft(model, 'extra-layer', 4, 8, { mutate: (ts) => ts.forEach((t) => (t.name = t.name.replace('layers.1.', 'layers.5.'))) }), /layer 5 but the base has 2 layers/],
      ['embeddings', syntheticPeft(model, 'embed', 4, 8, { mutate: (ts) => ts.push({ name: 'base_model.model.model.embed_tokens.lora_embedding_A', shape: [4, 512], data: new Float32Array(2048) }) }), /embed_tokens.*not a LoRA A\/B matrix/],
      ['alpha', syntheticPeft(model, 'alpha0', 4, 0), /lora_alpha is 0 \(verl's model merger writes 0\)/],
      ['dora', syntheticPeft(model, 'dora', 4, 8, { config: { use_dora: true } }), /DoRA/],
      ['half', syntheticPeft(model, 'half', 4, 8, { mutate: (ts) => ts.splice(1, 1) }), /has no lora_B partner/],
    ];
    for (const [what, peft, re] of cases) await assert.rejects(importVerlCheckpoint(db, dataDir, { checkpoint: await peft, base: model }), re, what);
    await assert.rejects(importVerlCheckpoint(db, dataDir, { checkpoint: await syntheticPeft(model, 'as-base', 4, 8), base: path.join(dir, 'wrong-rank-missing.gguf') }), /No base model file at/);
    // A truncated safetensors header.
    const trunc = await syntheticPeft(model, 'trunc', 4, 8);
    writeFileSync(path.join(trunc, 'adapter_model.safetensors'), Buffer.from([0xff, 0xff, 0, 0, 0, 0, 0, 0, 0x7b]));
    await assert.rejects(importVerlCheckpoint(db, dataDir, { checkpoint: trunc, base: model }), /not a safetensors file/);
    assert.equal(new TrainingRepo(db).runs().length, 0, 'nothing registered');
    // An adapter given as the base.
    const good = await importVerlCheckpoint(db, dataDir, { checkpoint: await syntheticPeft(model, 'good', 4, 8), base: model });
    await assert.rejects(importVerlCheckpoint(db, dataDir, { checkpoint: await syntheticPeft(model, 'good2', 4, 8), base: good.path }), /is an adapter, not a base model/);
    assert.equal(new TrainingRepo(db).runs().length, 1);
  } finally {
    db.close();
  }
});

test('the safetensors reader refuses offsets outside the file', () => {
  const f = path.join(dir, 'bad.safetensors');
  const h = Buffer.from(JSON.stringify({ x: { dtype: 'F32', shape: [4], data_offsets: [0, 1000] } }));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(h.length));
  writeFileSync(f, Buffer.concat([len, h, Buffer.alloc(16)]));
  assert.throws(() => readSafetensorsHeader(f), /tensor x lies outside the file/);
});

test('a merged model or raw FSDP shards get the exact conversion command; the CLI imports an adapter', { skip: noTiny, timeout: 120_000 }, async () => {
  const merged = path.join(dir, 'merged');
  mkdirSync(merged, { recursive: true });
  writeFileSync(path.join(merged, 'config.json'), '{}');
  writeFileSync(path.join(merged, 'model.safetensors'), '');
  const shards = path.join(dir, 'shards', 'global_step_3', 'actor');
  mkdirSync(shards, { recursive: true });
  writeFileSync(path.join(shards, 'model_world_size_2_rank_0.pt'), '');
  const model = tinyModel({ arch: 'qwen2', nVocab: 512 });
  const { db, dataDir } = dbAt('cmd');
  try {
    await assert.rejects(importVerlCheckpoint(db, dataDir, { checkpoint: merged, base: model }), /python3 convert_hf_to_gguf\.py ".*merged" --outfile ".*\.gguf" --outtype f16/);
    await assert.rejects(importVerlCheckpoint(db, dataDir, { checkpoint: path.dirname(shards), base: model }), /python3 -m verl\.model_merger merge --backend fsdp --local_dir ".*actor" --target_dir merged/);
  } finally {
    db.close();
  }
  const peft = await syntheticPeft(model, 'cli', 4, 8);
  const cliDb = path.join(dir, 'cli.db');
  // MEDSSR_DATA_DIR as a guard: the run must land in --db, never in a default data folder.
  const env = { MEDSSR_DATA_DIR: path.join(dir, 'default-data') };
  const r = await runMedssr(['train', 'import-verl', '--checkpoint', peft, '--base', model, '--name', 'cli import', '--db', cliDb, '--json'], { env });
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { runId: number; tensors: number; path: string };
  assert.equal(out.tensors, 28);
  assert.ok(readFileSync(out.path).subarray(0, 4).equals(Buffer.from('GGUF')));
  assert.ok(out.path.startsWith(path.join(dir, 'training')), out.path);
  const check = openAppDatabase(cliDb);
  try {
    assert.equal(new TrainingRepo(check).run(out.runId)?.name, 'cli import');
  } finally {
    check.close();
  }
  assert.equal(existsSync(env.MEDSSR_DATA_DIR), false);
  const bad = await runMedssr(['train', 'import-verl', '--checkpoint', merged, '--base', model, '--db', cliDb], { env });
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /convert_hf_to_gguf\.py/);
});
