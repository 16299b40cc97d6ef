/**
 * Scale-out hand-off: a run as verl input. Each stage's data as parquet in verl's RL dataset layout
 * (data_source, prompt as chat messages, ability, reward_model {style, ground_truth}, extra_info), one GRPO config
 * per stage with this run's settings, the reward function in Python (MedSSR's extraction rules, the same as here),
 * and a script that runs stage 1 then stage 2 from stage 1's result.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { TrainSettings, VerlExport } from '../../api/training.js';
import { writeFileAtomic } from '../platform/atomicFile.js';
import type { Db } from '../platform/db/open.js';
import { TrainingRepo, type RunRow, type TrainItem } from './store.js';
import { SYSTEM_PROMPT } from '../llm/index.js';
import { checkWritableFolder } from '../platform/safePath.js';

const str = (name: string) => ({ name, type: 'BYTE_ARRAY' as const, converted_type: 'UTF8' as const, repetition_type: 'OPTIONAL' as const });

/** verl's RL parquet: one row per question; nested columns spelled out so pandas/pyarrow read them as lists and dicts. */
export function verlParquet(items: TrainItem[], dataSource: string, split: 'train' | 'test'): Uint8Array {
  const schema = [
    { name: 'root', num_children: 5 },
    str('data_source'),
    { name: 'prompt', repetition_type: 'OPTIONAL' as const, converted_type: 'LIST' as const, num_children: 1 },
    { name: 'list', repetition_type: 'REPEATED' as const, num_children: 1 },
    { name: 'element', repetition_type: 'OPTIONAL' as const, num_children: 2 },
    str('content'),
    str('role'),
    str('ability'),
    { name: 'reward_model', repetition_type: 'OPTIONAL' as const, num_children: 2 },
    str('ground_truth'),
    str('style'),
    { name: 'extra_info', repetition_type: 'OPTIONAL' as const, num_children: 5 },
    { name: 'index', type: 'INT64' as const, repetition_type: 'OPTIONAL' as const },
    str('split'),
    str('source'),
    str('options'),
    { name: 'vote_share', type: 'DOUBLE' as const, repetition_type: 'OPTIONAL' as const },
  ];
  const buf = parquetWriteBuffer({
    schema,
    columnData: [
      { name: 'data_source', data: items.map(() => dataSource) },
      {
        name: 'prompt',
        data: items.map((it) => [
          { content: SYSTEM_PROMPT, role: 'system' },
          { content: it.question, role: 'user' },
        ]),
      },
      { name: 'ability', data: items.map(() => 'medical-mcq') },
      { name: 'reward_model', data: items.map((it) => ({ ground_truth: it.label, style: 'rule' })) },
      {
        name: 'extra_info',
        data: items.map((it) => ({ index: BigInt(it.idx), split, source: it.source, options: it.letters.join(''), vote_share: it.voteShare })),
      },
    ],
  });
  return new Uint8Array(buf);
}

const lossAgg: Record<TrainSettings['lossAggregation'], string> = {
  'token-mean': 'token-mean',
  'seq-mean-token-mean': 'seq-mean-token-mean',
  'dr-grpo': 'seq-mean-token-sum-norm',
};

export function verlConfig(run: RunRow, stage: 1 | 2, dir: string, modelRef: string): string {
  const s = run.settings;
  const steps = stage === 1 ? s.stage1Steps : s.stage2Steps;
  const lines = [
    `# verl GRPO config for "${run.name}" (MedSSR Studio run ${run.id}), stage ${stage}: ${stage === 1 ? 'self-supervised on pseudo-labels' : 'supervised on human labels'}.`,
    `# Run: python3 -m verl.trainer.main_ppo --config-path ${dir} --config-name grpo_stage${stage}`,
    'hydra:',
    '  searchpath:',
    '    - pkg://verl.trainer.config',
    'defaults:',
    '  - ppo_trainer',
    '  - _self_',
    'algorithm:',
    '  adv_estimator: grpo',
    `  norm_adv_by_std_in_grpo: ${s.scaleRewards}`,
    '  use_kl_in_reward: false',
    'data:',
    `  train_files: ${path.join(dir, `stage${stage}_train.parquet`)}`,
    `  val_files: ${path.join(dir, `stage${stage}_test.parquet`)}`,
    `  train_batch_size: ${s.promptsPerStep}`,
    '  max_prompt_length: 1024',
    `  max_response_length: ${s.maxCompletionTokens}`,
    '  filter_overlong_prompts: true',
    '  truncation: error',
    'actor_rollout_ref:',
    '  model:',
    `    # The Hugging Face checkpoint of the GGUF this run trained (${path.basename(run.modelPath)}).`,
    `    path: ${stage === 1 ? modelRef : '${oc.env:STAGE1_MODEL,./checkpoints/stage1/merged}'}`,
    `    lora_rank: ${s.loraRank}`,
    `    lora_alpha: ${s.loraAlpha}`,
    `    target_modules: [${s.loraTargets.map((t) => ({ attn_q: 'q_proj', attn_k: 'k_proj', attn_v: 'v_proj', attn_output: 'o_proj', ffn_gate: 'gate_proj', ffn_up: 'up_proj', ffn_down: 'down_proj' })[t]).join(', ')}]`,
    '  actor:',
    '    optim:',
    `      lr: ${s.lr}`,
    `      weight_decay: ${s.weightDecay}`,
    `      lr_warmup_steps: ${s.warmupSteps}`,
    `      warmup_style: ${s.schedule}`,
    `    ppo_mini_batch_size: ${s.promptsPerStep}`,
    '    ppo_epochs: 1',
    `    grad_clip: ${s.maxGradNorm}`,
    `    clip_ratio_low: ${s.epsilonLow}`,
    `    clip_ratio_high: ${s.epsilonHigh}`,
    `    use_kl_loss: ${s.beta > 0}`,
    `    kl_loss_coef: ${s.beta}`,
    '    kl_loss_type: low_var_kl',
    '    entropy_coeff: 0',
    `    loss_agg_mode: ${lossAgg[s.lossAggregation]}`,
    '  rollout:',
    '    name: vllm',
    `    n: ${s.groupSize}`,
    `    temperature: ${s.temperature}`,
    `    top_p: ${s.topP}`,
    `    top_k: ${s.topK > 0 ? s.topK : -1}`,
    '    val_kwargs:',
    '      temperature: 0.6',
    '      top_p: 0.95',
    '      top_k: 20',
    'custom_reward_function:',
    `  path: ${path.join(dir, 'reward.py')}`,
    '  name: compute_score',
    'trainer:',
    `  project_name: medssr-studio`,
    `  experiment_name: ${JSON.stringify(`${run.name}-stage${stage}`)}`,
    `  total_training_steps: ${steps}`,
    `  save_freq: ${s.checkpointEvery}`,
    `  test_freq: ${s.evalEvery > 0 ? s.evalEvery : steps}`,
    '  n_gpus_per_node: 8',
    '  nnodes: 1',
    `  default_local_dir: ./checkpoints/stage${stage}`,
    "  logger: ['console']",
    '',
  ];
  return lines.join('\n');
}

/** MedSSR's extract_option (the same rules as main/labeling/answerExtraction.ts) and this run's reward. */
export function rewardPython(formatReward: number): string {
  return String.raw`"""Reward for MedSSR GRPO (exported by MedSSR Studio): 1 when the last "The answer is X" matches the label.

Extraction follows MedSSR's evaluation script: the last match of "The answer is X", then the boxed form, then
[X], then the first pattern case-insensitively. A completion that states an option also earns FORMAT_REWARD.
"""
import re

FORMAT_REWARD = ${formatReward}
_PATTERNS = [r"The answer is ([A-Z])", r"The answer is \$\\boxed\{([A-Z])\}\$", r"The answer is \[([A-Z])\]"]


def extract_option(prediction):
    if not prediction:
        return None
    text = prediction.strip()
    for pattern in _PATTERNS:
        hits = re.findall(pattern, text)
        if hits:
            return hits[-1]
    hits = re.findall(r"The answer is ([A-Z])", text, flags=re.IGNORECASE)
    return hits[-1].upper() if hits else None


def compute_score(data_source, solution_str, ground_truth, extra_info=None):
    options = (extra_info or {}).get("options") or "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    answer = extract_option(solution_str)
    if answer is not None:
        answer = answer.strip().rstrip(".").upper()
        if answer not in options:
            answer = None
    score = 1.0 if answer is not None and answer == ground_truth else 0.0
    if answer is not None:
        score += FORMAT_REWARD
    return score
`;
}

export function exportVerl(db: Db, runId: number, dir: string): VerlExport {
  const repo = new TrainingRepo(db);
  const run = repo.run(runId);
  if (!run) throw new Error(`No training run ${runId}`);
  const out = checkWritableFolder(dir, 'verl export folder');
  mkdirSync(out, { recursive: true });
  const files: string[] = [];
  const put = (name: string, data: string | Uint8Array) => {
    const f = path.join(out, name);
    writeFileAtomic(f, data);
    files.push(f);
  };
  const modelRef = `\${oc.env:BASE_MODEL,${(run.trainer?.arch as string | undefined) ?? 'hf-model'}-matching-${path.basename(run.modelPath, '.gguf')}}`;
  const stages: (1 | 2)[] = [];
  for (const stage of [1, 2] as const) {
    const train = repo.items(runId, stage, 'train');
    if (!train.length) continue;
    stages.push(stage);
    const held = repo.items(runId, stage, 'heldout');
    const source = stage === 1 ? 'medssr-synthetic' : 'medssr-human';
    put(`stage${stage}_train.parquet`, verlParquet(train, source, 'train'));
    put(`stage${stage}_test.parquet`, verlParquet(held.length ? held : train.slice(0, Math.min(8, train.length)), source, 'test'));
    put(`grpo_stage${stage}.yaml`, verlConfig(run, stage, out, modelRef));
  }
  put('reward.py', rewardPython(run.settings.formatReward));
  const script = [
    '#!/usr/bin/env bash',
    `# Both stages of MedSSR Studio run ${run.id} ("${run.name}") on a verl cluster.`,
    '# BASE_MODEL: the Hugging Face checkpoint matching the GGUF the run used.',
    '# STAGE1_MODEL: stage 1 merged into a full model (verl\'s model_merger), the starting point of stage 2.',
    'set -euo pipefail',
    'cd "$(dirname "$0")"',
    ...stages.map((s) =>
      s === 2 && stages.includes(1)
        ? `python3 -m verl.model_merger merge --backend fsdp --local_dir ./checkpoints/stage1/global_step_${run.settings.stage1Steps}/actor --target_dir ./checkpoints/stage1/merged\nSTAGE1_MODEL=./checkpoints/stage1/merged python3 -m verl.trainer.main_ppo --config-path "$PWD" --config-name grpo_stage2`
        : `python3 -m verl.trainer.main_ppo --config-path "$PWD" --config-name grpo_stage${s}`,
    ),
    '# Back to MedSSR Studio: convert the result to GGUF (llama.cpp convert_hf_to_gguf.py) and add it on the Models page.',
    '',
  ].join('\n');
  put('run.sh', script);
  return { dir: out, files, format: 'parquet' };
}
