/**
 * The verl hand-off: parquet in verl's RL layout that reads back with the nested prompt and reward_model columns,
 * a GRPO config per stage that verl b178a3c accepts (every key exists in its generated reference config, the
 * micro-batch and LoRA keys it requires are set, stage 2 loads stage 1's adapter), a run.sh that cannot be made
 * to execute a run name, and a Python reward that gives exactly what our reward (MedSSR's extraction rules) gives.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { parquetReadObjects } from 'hyparquet';
import { load as loadYaml } from 'js-yaml';
import { getLlama, LlamaLogLevel } from 'node-llama-cpp';
import { exportVerlSchema, trainInputSchema, type TrainInputRaw } from '../../../api/training.js';
import { openAppDatabase } from '../../../main/app/index.js';
import { extractOption } from '../../../main/labeling/index.js';
import { TrainingRepo } from '../../../main/training/store.js';
import { scoreCompletion } from '../../../main/training/rewards.js';
import { createRun } from '../../../main/training/trainJob.js';
import { exportVerl, longestPromptBound, stageAdapterFolder } from '../../../main/training/verlExport.js';
import { baseModelFromMetadata, countPromptTokens, RENDERED_PROMPTS } from '../../../main/training/verlModel.js';
import { SYSTEM_PROMPT } from '../../../main/llm/index.js';
import { needTinyModels, tinyModel } from '../../helpers/tinyModels.js';
import { needShared, sharedPath } from '../../helpers/shared.js';
import { fakeTrainerBin, seedLabelledDataset, writeMedssrFile } from './fixtures.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'medssr-verl-'));
after(() => (process.env.KEEP_VERL ? console.log(`# kept ${dir}`) : rmSync(dir, { recursive: true, force: true })));

const python = spawnSync('python3', ['--version']).status === 0;
const pyYaml = python && spawnSync('python3', ['-c', 'import yaml']).status === 0;

type Yaml = Record<string, unknown>;
const get = (o: unknown, p: string): unknown => p.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Yaml)[k] : undefined), o);

/** Leaf key paths of a parsed YAML mapping (lists are leaves). */
function keyPaths(o: Yaml, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) => (v && typeof v === 'object' && !Array.isArray(v) ? keyPaths(v as Yaml, `${prefix}${k}.`) : [`${prefix}${k}`]));
}

function hasPath(o: unknown, p: string): boolean {
  let v: unknown = o;
  for (const k of p.split('.')) {
    if (!v || typeof v !== 'object' || !(k in (v as Yaml))) return false;
    v = (v as Yaml)[k];
  }
  return true;
}

/** A two-stage run (10 stage-1 questions with share ≥ 0.75, 2 held out; 9 human questions) exported to `out`. */
async function exported(sub: string, input: Partial<TrainInputRaw>, cluster = { gpusPerNode: 4, nnodes: 1, tensorParallel: 2 }, modelPath: string = fakeTrainerBin) {
  const d = mkdtempSync(path.join(dir, `${sub}-`));
  const db = openAppDatabase(path.join(d, 'v.db'));
  try {
    seedLabelledDataset(db, 'syn', 20);
    const run = createRun(
      db,
      d,
      trainInputSchema.parse({
        name: 'verl',
        modelPath,
        stage1: { dataset: 'syn', minVoteShare: 0.75 },
        stage2: { files: [writeMedssrFile(d, 9)] },
        settings: { groupSize: 8, promptsPerStep: 4, lr: 3e-6, lossAggregation: 'dr-grpo', scaleRewards: false, stage1Steps: 40, stage2Steps: 20, heldOut: 2, formatReward: 0.1, checkpointEvery: 10, temperature: 1 },
        ...input,
      }),
      null,
    );
    const out = await exportVerl(db, run.id, path.join(d, 'verl'), cluster);
    const items = [1, 2].flatMap((st) => [...new TrainingRepo(db).items(run.id, st as 1 | 2, 'train'), ...new TrainingRepo(db).items(run.id, st as 1 | 2, 'heldout')]);
    return { out, run, db, items, stage1Train: new TrainingRepo(db).items(run.id, 1, 'train') };
  } catch (err) {
    db.close();
    throw err;
  }
}

test('a run exports as verl parquet, GRPO configs that carry its settings and the cluster, the reward, run.sh and a README', async () => {
  const { out, db, items, stage1Train, run } = await exported('main', {});
  try {
    const names = out.files.map((f) => path.basename(f)).sort();
    assert.deepEqual(names, ['README.md', 'grpo_stage1.yaml', 'grpo_stage2.yaml', 'reward.py', 'run.sh', 'stage1_test.parquet', 'stage1_train.parquet', 'stage2_test.parquet', 'stage2_train.parquet']);

    const buf = readFileSync(path.join(out.dir, 'stage1_train.parquet'));
    const rows = (await parquetReadObjects({ file: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) })) as {
      data_source: string;
      prompt: { role: string; content: string }[];
      reward_model: { style: string; ground_truth: string };
      extra_info: { index: bigint; options: string };
    }[];
    assert.equal(rows.length, 8, '10 questions with vote share ≥ 0.75, 2 held out');
    rows.forEach((r, i) => {
      const it = stage1Train[i]!;
      assert.equal(r.data_source, 'medssr-synthetic');
      assert.deepEqual(r.prompt.map((m) => m.role), ['system', 'user']);
      assert.equal(r.prompt[1]?.content, it.question);
      assert.deepEqual(r.reward_model, { ground_truth: it.label, style: 'rule' });
      assert.equal(r.extra_info.options, 'ABCD');
      assert.equal(Number(r.extra_info.index), it.idx);
    });

    const c1 = loadYaml(readFileSync(path.join(out.dir, 'grpo_stage1.yaml'), 'utf8')) as Yaml;
    const c2 = loadYaml(readFileSync(path.join(out.dir, 'grpo_stage2.yaml'), 'utf8')) as Yaml;
    const want: Record<string, unknown> = {
      'algorithm.adv_estimator': 'grpo',
      'algorithm.norm_adv_by_std_in_grpo': false,
      'data.train_batch_size': 4,
      'data.max_response_length': run.settings.maxCompletionTokens,
      'data.filter_overlong_prompts': false,
      'data.truncation': 'error',
      'actor_rollout_ref.model.path': '???',
      'actor_rollout_ref.model.lora_rank': run.settings.loraRank,
      'actor_rollout_ref.model.lora_alpha': run.settings.loraAlpha,
      'actor_rollout_ref.actor.optim.lr': 3e-6,
      'actor_rollout_ref.actor.loss_agg_mode': 'seq-mean-token-sum-norm',
      'actor_rollout_ref.actor.use_dynamic_bsz': false,
      // 4 prompts × 8 completions over 4 GPUs = 8 per GPU, micro-batches of 4.
      'actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu': 4,
      'actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu': 4,
      'actor_rollout_ref.ref.log_prob_micro_batch_size_per_gpu': 4,
      'actor_rollout_ref.rollout.load_format': 'safetensors',
      'actor_rollout_ref.rollout.layered_summon': true,
      'actor_rollout_ref.rollout.tensor_model_parallel_size': 2,
      'actor_rollout_ref.rollout.n': 8,
      'actor_rollout_ref.rollout.val_kwargs.do_sample': true,
      'actor_rollout_ref.rollout.val_kwargs.n': 4,
      'actor_rollout_ref.rollout.val_kwargs.temperature': 0.6,
      'actor_rollout_ref.rollout.val_kwargs.top_p': 0.95,
      'custom_reward_function.name': 'compute_score',
      'trainer.n_gpus_per_node': 4,
      'trainer.nnodes': 1,
      'trainer.total_training_steps': 40,
      // 8 questions per pass, 4 per step: 2 steps a pass, 20 passes for 40 steps.
      'trainer.total_epochs': 20,
    };
    for (const [k, v] of Object.entries(want)) assert.deepEqual(get(c1, k), v, `stage 1 ${k}`);
    assert.deepEqual(get(c1, 'actor_rollout_ref.model.target_modules'), ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj']);
    assert.equal(get(c1, 'actor_rollout_ref.model.lora_adapter_path'), undefined, 'stage 1 starts a new adapter');
    assert.equal(get(c2, 'trainer.total_training_steps'), 20);
    assert.equal(get(c2, 'actor_rollout_ref.model.lora_adapter_path'), stageAdapterFolder(out.dir, 1, 40), "stage 2 loads stage 1's adapter");
    assert.equal(get(c2, 'actor_rollout_ref.model.lora_adapter_path'), path.join(out.dir, 'checkpoints/stage1/global_step_40/actor/lora_adapter'));
    assert.equal(get(c1, 'trainer.default_local_dir'), path.join(out.dir, 'checkpoints/stage1'));

    // Every prompt fits: the bound covers the longest question, and the written length covers the bound.
    assert.equal(out.longestPromptTokens, longestPromptBound(items));
    assert.ok(out.maxPromptLength >= out.longestPromptTokens && out.maxPromptLength % 64 === 0);
    assert.equal(get(c1, 'data.max_prompt_length'), out.maxPromptLength);
    const readme = readFileSync(path.join(out.dir, 'README.md'), 'utf8');
    for (const s of ['b178a3c', 'BASE_MODEL=', 'bash run.sh', 'import-verl', 'convert_hf_to_gguf.py', 'reward.py', 'max_prompt_length']) assert.ok(readme.includes(s), `README mentions ${s}`);
  } finally {
    db.close();
  }
});

test('every exported key exists in verl b178a3c _generated_ppo_trainer.yaml', { skip: needShared('reference', 'verl', '_generated_ppo_trainer.yaml') }, async () => {
  const ref = loadYaml(readFileSync(sharedPath('reference', 'verl', '_generated_ppo_trainer.yaml'), 'utf8')) as Yaml;
  const { out, db } = await exported('keys', { settings: { groupSize: 4, promptsPerStep: 2, stage1Steps: 3, stage2Steps: 2, heldOut: 2, beta: 0.01, temperature: 0.9 } }, { gpusPerNode: 8, nnodes: 1, tensorParallel: 4 });
  db.close();
  for (const f of ['grpo_stage1.yaml', 'grpo_stage2.yaml']) {
    const cfg = loadYaml(readFileSync(path.join(out.dir, f), 'utf8')) as Yaml;
    // hydra and defaults are Hydra's own directives (search path, base config), not keys of verl's config.
    const paths = keyPaths(cfg).filter((p) => !p.startsWith('hydra.') && p !== 'defaults');
    assert.ok(paths.length > 40);
    const missing = paths.filter((p) => !hasPath(ref, p));
    assert.deepEqual(missing, [], `${f}: keys verl does not know`);
    for (const k of ['actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu', 'actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu', 'actor_rollout_ref.ref.log_prob_micro_batch_size_per_gpu']) {
      assert.equal(typeof get(cfg, k), 'number', `${f}: ${k} set`);
    }
    // 2 prompts × 4 completions over 8 GPUs: one sequence per GPU.
    assert.equal(get(cfg, 'actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu'), 1);
    assert.equal(get(cfg, 'actor_rollout_ref.actor.use_kl_loss'), true);
  }
});

/** A python3 that has OmegaConf (what verl's Hydra composes with), if any here. */
const omegaPython = ['python3', '/usr/bin/python3'].find((py) => spawnSync(py, ['-c', 'import omegaconf'], { stdio: 'ignore' }).status === 0);

test(
  "OmegaConf merges every exported config into verl's generated one in struct mode and resolves it",
  { skip: needShared('reference', 'verl', '_generated_ppo_trainer.yaml') ?? (omegaPython ? undefined : (console.log('# skipped: no python3 with omegaconf (Debian python3-omegaconf)'), 'skipped: no python3 with omegaconf')) },
  async () => {
    const { out, db } = await exported('omega', {});
    db.close();
    // Hydra's struct mode is what refuses a key verl does not declare: OmegaConf's merge into a struct config does the same.
    const prog = `
import sys, json
from omegaconf import OmegaConf
ref = OmegaConf.load(sys.argv[1]); OmegaConf.set_struct(ref, True)
res = []
for f in sys.argv[2:]:
    ours = OmegaConf.load(f); ours.pop('hydra'); ours.pop('defaults')
    m = OmegaConf.merge(ref, ours); m.actor_rollout_ref.model.path = '/models/base'
    c = OmegaConf.to_container(m, resolve=True); r = c['actor_rollout_ref']['rollout']
    res.append([r['prompt_length'], r['response_length'], r['val_kwargs']['n'], r['n'], c['actor_rollout_ref']['model'].get('lora_adapter_path')])
print(json.dumps(res))
`;
    const py = spawnSync(omegaPython as string, ['-c', prog, sharedPath('reference', 'verl', '_generated_ppo_trainer.yaml'), path.join(out.dir, 'grpo_stage1.yaml'), path.join(out.dir, 'grpo_stage2.yaml')], { encoding: 'utf8' });
    assert.equal(py.status, 0, py.stderr);
    const [s1, s2] = JSON.parse(py.stdout) as [number, number, number, number, string | null][];
    assert.deepEqual(s1, [out.maxPromptLength, 48, 4, 8, null]);
    assert.deepEqual(s2, [out.maxPromptLength, 48, 4, 8, stageAdapterFolder(out.dir, 1, 40)]);
  },
);

test('cluster shapes verl would refuse are refused at export', async () => {
  assert.equal(exportVerlSchema.safeParse({ runId: 1, dir: '/tmp/x', gpusPerNode: 4, tensorParallel: 3 }).success, false, 'TP must divide the GPUs');
  assert.equal(exportVerlSchema.safeParse({ runId: 1, dir: '/tmp/x', gpusPerNode: 0 }).success, false);
  assert.deepEqual(exportVerlSchema.parse({ runId: 1, dir: '/tmp/x' }), { runId: 1, dir: '/tmp/x', gpusPerNode: 1, nnodes: 1, tensorParallel: 1 });
  // 3 prompts × 2 completions = 6 sequences cannot split over 4 GPUs (verl's real_train_batch_size check).
  await assert.rejects(() => exported('bad', { settings: { groupSize: 2, promptsPerStep: 3, heldOut: 2 } }, { gpusPerNode: 4, nnodes: 1, tensorParallel: 1 }), /divisible by the GPU count \(4\)/);
  // 8 stage-1 questions cannot fill a batch of 16 prompts (verl's loader drops incomplete batches).
  await assert.rejects(() => exported('big', { settings: { groupSize: 2, promptsPerStep: 16, heldOut: 2 } }, { gpusPerNode: 1, nnodes: 1, tensorParallel: 1 }), /fewer than one batch/);
});

test('a hostile run name executes nothing in run.sh and stays inside its YAML comment', { skip: python ? undefined : 'skipped: python3 is absent' }, async () => {
  const marker = path.join(dir, 'pwned');
  const name = `x\ntouch ${marker}\n# \u2028experiment_name: evil\u0085$(touch ${marker})'"\`touch ${marker}\``;
  const { out, db } = await exported('evil', { name });
  db.close();
  for (const f of ['grpo_stage1.yaml', 'grpo_stage2.yaml']) {
    const text = readFileSync(path.join(out.dir, f), 'utf8');
    const cfg = loadYaml(text) as Yaml;
    assert.match(String(get(cfg, 'trainer.experiment_name')), /^x-touch-.*-run\d+-stage[12]$/);
    assert.deepEqual(Object.keys(cfg).sort(), ['actor_rollout_ref', 'algorithm', 'custom_reward_function', 'data', 'defaults', 'hydra', 'trainer']);
    if (pyYaml) {
      // PyYAML (what OmegaConf reads with) treats NEL and U+2028 as line breaks, unlike js-yaml: it must agree.
      const py = spawnSync('python3', ['-c', 'import sys,yaml,json;print(json.dumps(sorted(yaml.safe_load(open(sys.argv[1],encoding="utf-8")).keys())))', path.join(out.dir, f)], { encoding: 'utf8' });
      assert.equal(py.status, 0, py.stderr);
      assert.deepEqual(JSON.parse(py.stdout), ['actor_rollout_ref', 'algorithm', 'custom_reward_function', 'data', 'defaults', 'hydra', 'trainer']);
    }
  }
  // run.sh with a stand-in python3 that records its arguments and, for stage 1, writes the adapter verl would.
  const bin = mkdtempSync(path.join(dir, 'bin-'));
  writeFileSync(
    path.join(bin, 'python3'),
    `#!/usr/bin/env bash\nprintf '%s\\n' "$*" >> "$PWD/calls.log"\nif [[ "$*" == *grpo_stage1* && -z "\${NO_ADAPTER:-}" ]]; then mkdir -p checkpoints/stage1/global_step_40/actor/lora_adapter; touch checkpoints/stage1/global_step_40/actor/lora_adapter/adapter_model.safetensors checkpoints/stage1/global_step_40/actor/lora_adapter/adapter_config.json; fi\n`,
    { mode: 0o755 },
  );
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, BASE_MODEL: '/models/base model' };
  const r = spawnSync('bash', [path.join(out.dir, 'run.sh')], { env, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(existsSync(marker), false, 'the run name ran a command');
  const calls = readFileSync(path.join(out.dir, 'calls.log'), 'utf8').trim().split('\n');
  assert.equal(calls.length, 2);
  assert.match(calls[0]!, /-m verl\.trainer\.main_ppo --config-path .* --config-name grpo_stage1 actor_rollout_ref\.model\.path='\/models\/base model'$/);
  assert.match(calls[1]!, /--config-name grpo_stage2 /);

  // Without stage 1's adapter, stage 2 does not start from the base model silently.
  rmSync(path.join(out.dir, 'checkpoints'), { recursive: true });
  rmSync(path.join(out.dir, 'calls.log'));
  const r2 = spawnSync('bash', [path.join(out.dir, 'run.sh')], { env: { ...env, NO_ADAPTER: '1' }, encoding: 'utf8' });
  assert.equal(r2.status, 1);
  assert.match(r2.stderr, /stage 1 left no LoRA adapter/);
  assert.equal(readFileSync(path.join(out.dir, 'calls.log'), 'utf8').trim().split('\n').length, 1);
  const r3 = spawnSync('bash', [path.join(out.dir, 'run.sh')], { env: { ...env, BASE_MODEL: "/m/x'; touch /tmp/y" }, encoding: 'utf8' });
  assert.equal(r3.status, 1);
  assert.match(r3.stderr, /must not contain quotes/);
  const r4 = spawnSync('bash', [path.join(out.dir, 'run.sh')], { env: { ...env, BASE_MODEL: '' }, encoding: 'utf8' });
  assert.notEqual(r4.status, 0);
  assert.match(r4.stderr, /set BASE_MODEL/);
});

/** 60+ completions covering each rule of MedSSR's extract_option, the gemma bold form and our option check. */
function rewardCases(): string[] {
  const cases = [
    'The answer is B',
    'so the answer is B. The answer is C',
    'The answer is $\\boxed{D}$',
    'The answer is [A].',
    'The answer is [E].',
    'the answer is b',
    'The answer is E',
    'I think B',
    'The answer is clearly B',
    '',
    '   ',
    'The answer is **C**',
    'The answer is **C**. Wait, the answer is **A**',
    'the answer is **B**',
    'The answer is ** B**',
    'The answer is **c**',
    'THE ANSWER IS D',
    'The answer is A.\nThe answer is $\\boxed{B}$',
    'The answer is $\\boxed{b}$',
    'The answer is [B] and the answer is c',
    'The answer is: B',
    'The answer isB',
    'Answer: B',
    '\n\nThe answer is D\n\n',
    'The answer is Z',
    'The answer is AB',
    'The answer is\nB',
    'The answer is 2',
    'the answer is **D** so The answer is **A**',
    'The answer is ＢB',
    'The answer is ÀB',
  ];
  for (const l of ['A', 'B', 'C', 'D', 'E', 'a', 'd']) {
    cases.push(`Reasoning... The answer is ${l}`, `The answer is **${l}**`, `the answer is ${l}.`, `The answer is [${l}]`);
  }
  return cases;
}

test('the exported Python reward agrees with ours and with MedSSR\'s own extract_option, gemma rule included', { skip: python ? undefined : 'skipped: python3 is absent' }, async () => {
  const cases = rewardCases();
  assert.ok(cases.length >= 50, `${cases.length} cases`);
  const d = mkdtempSync(path.join(dir, 'r-'));
  const gemma = path.join(d, 'gemma-2-2b-it-Q4_K_M.gguf');
  copyFileSync(fakeTrainerBin, gemma);
  const rewardPy: Record<string, string> = {};
  const db = openAppDatabase(path.join(d, 'r.db'));
  try {
    seedLabelledDataset(db, 'syn', 8);
    for (const [key, model] of [['plain', fakeTrainerBin], ['gemma', gemma]] as const) {
      const run = createRun(db, d, trainInputSchema.parse({ modelPath: model, stage1: { dataset: 'syn', minVoteShare: 0 }, settings: { formatReward: 0.1, promptsPerStep: 2, heldOut: 0 } }), null);
      const sub = path.join(d, key);
      mkdirSync(sub);
      rewardPy[key] = path.join((await exportVerl(db, run.id, sub)).dir, 'reward.py');
    }
  } finally {
    db.close();
  }
  const script = sharedPath('reference', 'medssr', 'vllm_logitsbias_multi.py');
  const haveScript = existsSync(script);
  if (!haveScript) console.log(`# skipped the comparison with MedSSR's script: ${script} is absent`);
  // The script imports torch and vllm at the top: only its extract_option function is taken (by the AST) and run.
  const prog = `
import ast, json, re, sys, importlib.util
cases = json.loads(sys.argv[1])
out = {}
for key, file in json.loads(sys.argv[2]).items():
    spec = importlib.util.spec_from_file_location('r_' + key, file)
    m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
    out[key] = {'score': [m.compute_score('x', c, 'B', {'options': 'ABCD'}) for c in cases], 'extract': [m.extract_option(c) for c in cases]}
if sys.argv[3]:
    tree = ast.parse(open(sys.argv[3], encoding='utf-8').read())
    fn = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == 'extract_option')
    ns = {'re': re}; exec(compile(ast.Module(body=[fn], type_ignores=[]), 'extract_option', 'exec'), ns)
    out['script'] = {name: [ns['extract_option'](c, name) for c in cases] for name in ['fakeTrainer.mjs', 'gemma-2-2b-it-Q4_K_M.gguf']}
print(json.dumps(out))
`;
  const py = spawnSync('python3', ['-c', prog, JSON.stringify(cases), JSON.stringify(rewardPy), haveScript ? script : ''], { encoding: 'utf8' });
  assert.equal(py.status, 0, py.stderr);
  const res = JSON.parse(py.stdout) as Record<'plain' | 'gemma', { score: number[]; extract: (string | null)[] }> & { script?: Record<string, (string | null)[]> };
  let gemmaDiffers = 0;
  cases.forEach((c, i) => {
    for (const [key, name] of [['plain', 'fakeTrainer.mjs'], ['gemma', 'gemma-2-2b-it-Q4_K_M.gguf']] as const) {
      const ours = scoreCompletion(c, 'B', ['A', 'B', 'C', 'D'], 0.1, name);
      assert.ok(Math.abs(res[key].score[i]! - ours.reward) < 1e-9, `${key} ${JSON.stringify(c)}: python ${res[key].score[i]}, ours ${ours.reward}`);
      assert.equal(res[key].extract[i], extractOption(c, name), `${key} extract ${JSON.stringify(c)}`);
      if (res.script) assert.equal(res.script[name]![i], extractOption(c, name), `script ${name} ${JSON.stringify(c)}`);
    }
    if (extractOption(c, 'gemma') !== extractOption(c, 'qwen')) gemmaDiffers++;
  });
  assert.ok(gemmaDiffers >= 5, `the gemma rule decides ${gemmaDiffers} cases`);
});

test('BASE_MODEL defaults only from metadata naming the checkpoint the GGUF was converted from', () => {
  assert.deepEqual(baseModelFromMetadata({ source: { repo_url: 'https://huggingface.co/Qwen/Qwen2.5-0.5B-Instruct' } }), { id: 'Qwen/Qwen2.5-0.5B-Instruct', from: 'general.source.repo_url', hint: null });
  assert.deepEqual(baseModelFromMetadata({ source: { huggingface: { repository: 'meta-llama/Llama-3.2-1B' } } }).id, 'meta-llama/Llama-3.2-1B');
  assert.deepEqual(baseModelFromMetadata({ repo_url: 'https://hf.co/google/gemma-2-2b-it/tree/main' }), { id: 'google/gemma-2-2b-it', from: 'general.repo_url', hint: null });
  assert.deepEqual(baseModelFromMetadata({ name: 'Qwen/Qwen3-8B-Base' }), { id: 'Qwen/Qwen3-8B-Base', from: 'general.name', hint: null });
  // The source wins over the name; a non-Hugging Face URL or a dataset is no checkpoint.
  assert.equal(baseModelFromMetadata({ name: 'x/y', source: { repo_url: 'https://huggingface.co/a/b' } }).id, 'a/b');
  assert.equal(baseModelFromMetadata({ source: { repo_url: 'https://github.com/a/b' } }).id, null);
  assert.equal(baseModelFromMetadata({ source: { repo_url: 'https://huggingface.co/datasets/a' } }).id, null);
  // A human-readable name and the fine-tune's parent are hints only: the parent's weights are not the GGUF's.
  const bartowski = baseModelFromMetadata({
    name: 'Qwen2.5 0.5B Instruct',
    organization: 'Qwen',
    basename: 'Qwen2.5',
    size_label: '0.5B',
    finetune: 'Instruct',
    base_model: { count: 1, '0': { name: 'Qwen2.5 0.5B', organization: 'Qwen', repo_url: 'https://huggingface.co/Qwen/Qwen2.5-0.5B' } },
  });
  assert.equal(bartowski.id, null);
  assert.match(bartowski.hint ?? '', /suggest Qwen\/Qwen2\.5-0\.5B-Instruct; general\.base_model\.0 names Qwen\/Qwen2\.5-0\.5B, the model this GGUF was derived from/);
  assert.match(baseModelFromMetadata({ name: 'stories260K' }).hint ?? '', /general\.name is "stories260K", not a hub id/);
  // Nothing that could break out of run.sh's quoting passes as an id.
  for (const bad of ["a/b'c", 'a/b c', 'a/$(x)', 'a/b\\c', '../../etc']) assert.equal(baseModelFromMetadata({ name: bad }).id, null, bad);
});

/** run.sh with a stand-in python3 that records its arguments and, for stage 1, writes the adapter verl would at step 2. */
function runShWithStub(outDir: string, env: Record<string, string | undefined>): { status: number | null; stderr: string; calls: string[] } {
  const bin = mkdtempSync(path.join(dir, 'bin-'));
  const adapter = 'checkpoints/stage1/global_step_2/actor/lora_adapter';
  writeFileSync(
    path.join(bin, 'python3'),
    `#!/usr/bin/env bash\nprintf '%s\\n' "$*" >> "$PWD/calls.log"\nif [[ "$*" == *grpo_stage1* ]]; then mkdir -p ${adapter}; touch ${adapter}/adapter_model.safetensors ${adapter}/adapter_config.json; fi\n`,
    { mode: 0o755 },
  );
  const { BASE_MODEL: _drop, ...rest } = process.env;
  const r = spawnSync('bash', [path.join(outDir, 'run.sh')], { env: { ...rest, PATH: `${bin}:${process.env.PATH ?? ''}`, ...env }, encoding: 'utf8' });
  const log = path.join(outDir, 'calls.log');
  const calls = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
  rmSync(log, { force: true });
  return { status: r.status, stderr: r.stderr, calls };
}

test(
  "a GGUF with a tokenizer and chat template: max_prompt_length counted in its tokens, BASE_MODEL defaulted from its source and still overridable",
  { skip: needTinyModels(), timeout: 120_000 },
  async () => {
    const model = tinyModel({ arch: 'qwen2', strings: { 'general.source.repo_url': 'https://huggingface.co/Qwen/Qwen2.5-0.5B-Instruct' } });
    const { out, db, items } = await exported('tok', { settings: { groupSize: 4, promptsPerStep: 2, stage1Steps: 2, stage2Steps: 0, heldOut: 2, temperature: 1 } }, { gpusPerNode: 1, nnodes: 1, tensorParallel: 1 }, model);
    db.close();
    assert.equal(out.promptLengthMethod, 'tokenizer');
    // Independently of node-llama-cpp's chat wrapper: Qwen's ChatML written out by hand, tokenized with special tokens.
    const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
    const m = await llama.loadModel({ modelPath: model, vocabOnly: true });
    let longest = 0;
    for (const it of items) {
      const text = `<|im_start|>system\n${SYSTEM_PROMPT}<|im_end|>\n<|im_start|>user\n${it.question}<|im_end|>\n<|im_start|>assistant\n`;
      longest = Math.max(longest, m.tokenize(text, true).length);
    }
    await m.dispose();
    assert.equal(out.longestPromptTokens, longest, out.promptLengthBasis);
    assert.ok(out.longestPromptTokens < longestPromptBound(items), `tokens (${out.longestPromptTokens}) are fewer than the byte bound (${longestPromptBound(items)})`);
    assert.equal(out.maxPromptLength, Math.ceil(longest / 64) * 64);
    const cfg = loadYaml(readFileSync(path.join(out.dir, 'grpo_stage1.yaml'), 'utf8')) as Yaml;
    assert.equal(get(cfg, 'data.max_prompt_length'), out.maxPromptLength);
    const readme = readFileSync(path.join(out.dir, 'README.md'), 'utf8');
    assert.match(readme, new RegExp(`is ${longest} tokens, counted with the run's GGUF tokenizer on its chat template's rendering`));
    assert.doesNotMatch(readme, /counting bytes/);
    assert.ok(!out.warnings.some((w) => w.includes('bytes')), out.warnings.join(' | '));

    assert.deepEqual(out.baseModel, { id: 'Qwen/Qwen2.5-0.5B-Instruct', from: 'general.source.repo_url' });
    assert.match(readme, /`BASE_MODEL` defaults to `Qwen\/Qwen2\.5-0\.5B-Instruct`, what the GGUF's `general\.source\.repo_url` names/);
    if (!python) return;
    const byDefault = runShWithStub(out.dir, {});
    assert.equal(byDefault.status, 0, byDefault.stderr);
    assert.match(byDefault.stderr, /BASE_MODEL=Qwen\/Qwen2\.5-0\.5B-Instruct \(from the GGUF's general\.source\.repo_url/);
    assert.match(byDefault.calls[0] ?? '', /actor_rollout_ref\.model\.path='Qwen\/Qwen2\.5-0\.5B-Instruct'$/);
    const overridden = runShWithStub(out.dir, { BASE_MODEL: '/models/local copy' });
    assert.equal(overridden.status, 0, overridden.stderr);
    assert.match(overridden.calls[0] ?? '', /actor_rollout_ref\.model\.path='\/models\/local copy'$/);
  },
);

test('stories260K (a tokenizer, no chat template, no hub id): tokens plus a template allowance, BASE_MODEL required', { skip: needShared('models', 'stories260K.gguf'), timeout: 120_000 }, async () => {
  const { out, db, items } = await exported('spm', { settings: { groupSize: 4, promptsPerStep: 2, stage1Steps: 2, stage2Steps: 0, heldOut: 2, temperature: 1 } }, { gpusPerNode: 1, nnodes: 1, tensorParallel: 1 }, sharedPath('models', 'stories260K.gguf'));
  db.close();
  assert.equal(out.promptLengthMethod, 'tokenizer');
  const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
  const m = await llama.loadModel({ modelPath: sharedPath('models', 'stories260K.gguf'), vocabOnly: true });
  const sys = m.tokenize(SYSTEM_PROMPT).length;
  const q = Math.max(...items.map((it) => m.tokenize(it.question).length));
  await m.dispose();
  assert.equal(out.longestPromptTokens, sys + q + 65, out.promptLengthBasis);
  assert.match(out.promptLengthBasis, /has no chat template, so 65 tokens are added/);
  assert.equal(out.baseModel, null);
  const readme = readFileSync(path.join(out.dir, 'README.md'), 'utf8');
  assert.match(readme, /`BASE_MODEL` has no default: the GGUF's metadata names no checkpoint/);
  if (!python) return;
  const r = runShWithStub(out.dir, {});
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /set BASE_MODEL to the Hugging Face checkpoint/);
  assert.deepEqual(r.calls, []);
});

test('a model file that is no GGUF: the byte bound, said in the README and the warnings', async () => {
  const { out, db } = await exported('bytes', { settings: { groupSize: 4, promptsPerStep: 2, stage1Steps: 2, stage2Steps: 0, heldOut: 2, temperature: 1 } }, { gpusPerNode: 1, nnodes: 1, tensorParallel: 1 });
  db.close();
  assert.equal(out.promptLengthMethod, 'bytes');
  assert.match(out.promptLengthBasis, /by counting bytes, not tokens \(the run's model could not be read: /);
  assert.ok(out.warnings.some((w) => w.startsWith('max_prompt_length counts bytes, not tokens')), out.warnings.join(' | '));
  const readme = readFileSync(path.join(out.dir, 'README.md'), 'utf8');
  assert.match(readme, /counting bytes, not tokens/);
  assert.match(readme, /`BASE_MODEL` has no default/);
});

test('many prompts: the longest are rendered in full, the rest bounded, and the count never falls under the exact one', { skip: needTinyModels(), timeout: 120_000 }, async () => {
  const model = tinyModel({ arch: 'qwen2', strings: { 'general.source.repo_url': 'https://huggingface.co/Qwen/Qwen2.5-0.5B-Instruct' } });
  const qs = Array.from({ length: RENDERED_PROMPTS + 60 }, (_, i) => `Case ${i}: a ${i % 80}-year-old with${' recurrent fevers'.repeat(i % 9)} and café-au-lait macules.\nA. NF1\nB. Marfan syndrome\nC. Fabry disease`);
  const r = await countPromptTokens(model, qs);
  assert.equal(r.method, 'tokenizer');
  assert.match(r.basis, new RegExp(`the ${RENDERED_PROMPTS} longest rendered in full`));
  const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
  const m = await llama.loadModel({ modelPath: model, vocabOnly: true });
  const exact = Math.max(...qs.map((q) => m.tokenize(`<|im_start|>system\n${SYSTEM_PROMPT}<|im_end|>\n<|im_start|>user\n${q}<|im_end|>\n<|im_start|>assistant\n`, true).length));
  await m.dispose();
  assert.ok(r.longest >= exact && r.longest <= exact + 2, `counted ${r.longest}, exact ${exact}`);
});
