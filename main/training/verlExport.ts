/**
 * Scale-out hand-off: a run as verl input. Each stage's data as parquet in verl's RL dataset layout
 * (data_source, prompt as chat messages, ability, reward_model {style, ground_truth}, extra_info), one GRPO config
 * per stage with this run's settings, the reward function in Python (MedSSR's extraction rules, the same as here),
 * a script that runs stage 1 then stage 2 from stage 1's LoRA adapter, and a README.
 *
 * Written against verl commit b178a3c (read in its source, not guessed): every key below exists in its
 * `_generated_ppo_trainer.yaml` (a test checks), the micro-batch and LoRA keys are the ones its
 * `verl/utils/config.py::validate_config`, `workers/config/actor.py` and `docs/advance/ppo_lora.rst` require.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { TrainSettings, VerlExport } from '../../api/training.js';
import { writeFileAtomic } from '../platform/atomicFile.js';
import type { Db } from '../platform/db/open.js';
import { TrainingRepo, type RunRow, type TrainItem } from './store.js';
import { SYSTEM_PROMPT } from '../llm/index.js';
import { checkWritableFolder } from '../platform/safePath.js';
import { baseModelOf, bytesBound, countPromptTokens, type BaseModelGuess } from './verlModel.js';

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
    { name: 'extra_info', repetition_type: 'OPTIONAL' as const, num_children: 6 },
    { name: 'index', type: 'INT64' as const, repetition_type: 'OPTIONAL' as const },
    str('split'),
    str('source'),
    str('options'),
    { name: 'vote_share', type: 'DOUBLE' as const, repetition_type: 'OPTIONAL' as const },
    // The imported entry's other fields as JSON (null for dataset questions): kept, not interpreted.
    str('extra'),
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
        data: items.map((it) => ({ index: BigInt(it.idx), split, source: it.source, options: it.letters.join(''), vote_share: it.voteShare, extra: it.extra ? JSON.stringify(it.extra) : null })),
      },
    ],
  });
  return new Uint8Array(buf);
}

/** verl's commit the export is written for (v0.7.x development line, January 2026). */
export const VERL_COMMIT = 'b178a3c';

const lossAgg: Record<TrainSettings['lossAggregation'], string> = {
  'token-mean': 'token-mean',
  'seq-mean-token-mean': 'seq-mean-token-mean',
  'dr-grpo': 'seq-mean-token-sum-norm',
};

const hfModule: Record<TrainSettings['loraTargets'][number], string> = {
  attn_q: 'q_proj',
  attn_k: 'k_proj',
  attn_v: 'v_proj',
  attn_output: 'o_proj',
  ffn_gate: 'gate_proj',
  ffn_up: 'up_proj',
  ffn_down: 'down_proj',
};

/**
 * A string as one YAML/shell-comment-safe line: JSON escapes newlines and control characters, and the characters
 * PyYAML (YAML 1.1, which OmegaConf reads with) also treats as line breaks (NEL, U+2028/9) are escaped too, so a
 * run named "x\ntouch …" stays inside its comment or its quoted scalar.
 */
export function oneLine(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * A path as a YAML scalar OmegaConf reads back unchanged: double-quoted (oneLine), refusing "${" which OmegaConf
 * would resolve as an interpolation, and control characters, which no sane path holds.
 */
export function yamlPath(p: string, what: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(p)) throw new Error(`${what} ${oneLine(p)} contains a control character; choose another folder`);
  if (p.includes('${')) throw new Error(`${what} ${oneLine(p)} contains "\${", which verl's OmegaConf would read as an interpolation; choose another folder`);
  return oneLine(p);
}

/** A word for file and experiment names: the run name reduced to [A-Za-z0-9._-]. */
function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'run';
}

/** The byte bound on the longest prompt (what the export falls back to without a tokenizer; see verlModel.ts). */
export function longestPromptBound(items: readonly TrainItem[]): number {
  return bytesBound(items.map((it) => it.question));
}

export interface VerlCluster {
  gpusPerNode: number;
  nnodes: number;
  tensorParallel: number;
}

/** Per-GPU micro-batch that divides verl's normalised mini-batch (prompts × n / GPUs, fsdp_workers.py), at most 4 sequences. */
export function microBatchPerGpu(promptsPerStep: number, groupSize: number, gpus: number): number {
  const seqs = promptsPerStep * groupSize;
  if (seqs % gpus !== 0) {
    throw new Error(
      `verl needs prompts per step × group size (${promptsPerStep} × ${groupSize} = ${seqs}) divisible by the GPU count (${gpus}) (verl/utils/config.py: real_train_batch_size % n_gpus); change promptsPerStep or the GPU count`,
    );
  }
  const perGpu = seqs / gpus;
  for (let m = Math.min(4, perGpu); m >= 1; m--) if (perGpu % m === 0) return m;
  return 1;
}

export interface StageConfigInput {
  run: RunRow;
  stage: 1 | 2;
  /** Absolute export folder. */
  dir: string;
  cluster: VerlCluster;
  maxPromptLength: number;
  trainItems: number;
  /** Stage 2 only: stage 1's adapter folder (verl's checkpoint layout), or null to start from the base. */
  adapterFrom: string | null;
}

/** The folder verl's FSDP actor writes a LoRA adapter to at a checkpoint (see adapterFolder's comment). */
export function stageAdapterFolder(dir: string, stage: 1 | 2, step: number): string {
  // verl b178a3c, verl/trainer/ppo/ray_trainer.py::_save_checkpoint saves the actor under
  // <default_local_dir>/global_step_<N>/actor, and verl/workers/fsdp_workers.py::save_checkpoint (the default
  // trainer.use_legacy_worker_impl=auto path, main_ppo.py) writes the PEFT adapter beside it in
  // <that>/lora_adapter/{adapter_model.safetensors, adapter_config.json}: the layout lora_adapter_path loads
  // (docs/advance/ppo_lora.rst). verl's model merger writes full base weights plus <target_dir>/lora_adapter with
  // lora_alpha 0 (verl/model_merger/base_model_merger.py::save_lora_adapter), so the checkpoint's own folder is used.
  return path.join(dir, 'checkpoints', `stage${stage}`, `global_step_${step}`, 'actor', 'lora_adapter');
}

export function verlConfig(c: StageConfigInput): string {
  const { run, stage, dir, cluster } = c;
  const s = run.settings;
  const steps = stage === 1 ? s.stage1Steps : s.stage2Steps;
  const gpus = cluster.gpusPerNode * cluster.nnodes;
  const micro = microBatchPerGpu(s.promptsPerStep, s.groupSize, gpus);
  const batchesPerEpoch = Math.floor(c.trainItems / s.promptsPerStep);
  if (batchesPerEpoch < 1) {
    throw new Error(`Stage ${stage} has ${c.trainItems} training questions, fewer than one batch of ${s.promptsPerStep} prompts; verl's loader drops incomplete batches, so it would never step`);
  }
  if (!(s.temperature > 0)) throw new Error('verl validates with do_sample: true, which needs a rollout temperature above 0 (verl/utils/config.py); set temperature > 0');
  const alpha = Number.isInteger(s.loraAlpha) ? s.loraAlpha : Math.round(s.loraAlpha);
  const lines = [
    `# verl GRPO config for MedSSR Studio run ${run.id} ${oneLine(run.name)}, stage ${stage}: ${stage === 1 ? 'self-supervised on pseudo-labels' : 'supervised on human labels'}.`,
    `# Written for verl commit ${VERL_COMMIT}; every key exists in its _generated_ppo_trainer.yaml. See README.md.`,
    `# Run through run.sh (it sets the base model): python3 -m verl.trainer.main_ppo --config-path "$PWD" --config-name grpo_stage${stage} actor_rollout_ref.model.path=...`,
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
    `  train_files: ${yamlPath(path.join(dir, `stage${stage}_train.parquet`), 'Export folder')}`,
    `  val_files: ${yamlPath(path.join(dir, `stage${stage}_test.parquet`), 'Export folder')}`,
    `  train_batch_size: ${s.promptsPerStep}`,
    '  # The longest exported prompt fits (see README.md), and a longer one is an error rather than silently dropped.',
    `  max_prompt_length: ${c.maxPromptLength}`,
    `  max_response_length: ${s.maxCompletionTokens}`,
    '  filter_overlong_prompts: false',
    '  truncation: error',
    'actor_rollout_ref:',
    '  model:',
    `    # The Hugging Face checkpoint of the GGUF this run trained (${oneLine(path.basename(run.modelPath))}); run.sh passes it.`,
    '    path: ???',
    `    lora_rank: ${s.loraRank}`,
    `    lora_alpha: ${alpha}`,
    `    target_modules: [${s.loraTargets.map((t) => hfModule[t]).join(', ')}]`,
    ...(c.adapterFrom
      ? ["    # Stage 2 continues stage 1's LoRA adapter (PEFT folder verl's checkpoint writes): weights only, fresh optimizer.", `    lora_adapter_path: ${yamlPath(c.adapterFrom, 'Export folder')}`]
      : []),
    '  actor:',
    '    strategy: fsdp',
    '    optim:',
    `      lr: ${s.lr}`,
    `      weight_decay: ${s.weightDecay}`,
    `      lr_warmup_steps: ${s.warmupSteps}`,
    `      lr_scheduler_type: ${s.schedule}`,
    `      clip_grad: ${s.maxGradNorm}`,
    `    ppo_mini_batch_size: ${s.promptsPerStep}`,
    '    use_dynamic_bsz: false',
    `    # ${s.promptsPerStep} prompts × ${s.groupSize} completions over ${gpus} GPU(s): ${(s.promptsPerStep * s.groupSize) / gpus} sequences per GPU, in micro-batches of ${micro}.`,
    `    ppo_micro_batch_size_per_gpu: ${micro}`,
    `    ppo_epochs: ${s.ppoEpochs}`,
    `    grad_clip: ${s.maxGradNorm}`,
    `    clip_ratio_low: ${s.epsilonLow}`,
    `    clip_ratio_high: ${s.epsilonHigh}`,
    `    use_kl_loss: ${s.beta > 0}`,
    `    kl_loss_coef: ${s.beta}`,
    '    kl_loss_type: low_var_kl',
    '    entropy_coeff: 0',
    `    loss_agg_mode: ${lossAgg[s.lossAggregation]}`,
    '  ref:',
    `    log_prob_micro_batch_size_per_gpu: ${micro}`,
    '  rollout:',
    '    name: vllm',
    `    tensor_model_parallel_size: ${cluster.tensorParallel}`,
    `    log_prob_micro_batch_size_per_gpu: ${micro}`,
    '    # LoRA with vLLM, as docs/advance/ppo_lora.rst requires (safetensors) and recommends (layered summon).',
    '    load_format: safetensors',
    '    layered_summon: true',
    `    'n': ${s.groupSize}`,
    `    temperature: ${s.temperature}`,
    `    top_p: ${s.topP}`,
    `    top_k: ${s.topK > 0 ? s.topK : -1}`,
    '    # Validation samples as MedSSR evaluates: 4 generations at temperature 0.6, top-p 0.95, top-k 20.',
    '    val_kwargs:',
    '      do_sample: true',
    "      'n': 4",
    '      temperature: 0.6',
    '      top_p: 0.95',
    '      top_k: 20',
    'custom_reward_function:',
    `  path: ${yamlPath(path.join(dir, 'reward.py'), 'Export folder')}`,
    '  name: compute_score',
    'trainer:',
    '  project_name: medssr-studio',
    `  experiment_name: ${slug(run.name)}-run${run.id}-stage${stage}`,
    `  total_training_steps: ${steps}`,
    `  # ${batchesPerEpoch} batch(es) per pass over the ${c.trainItems} questions: enough passes for ${steps} steps.`,
    `  total_epochs: ${Math.max(1, Math.ceil(steps / batchesPerEpoch))}`,
    '  # A checkpoint (and the LoRA adapter) is always written at the last step when save_freq > 0.',
    `  save_freq: ${Math.min(s.checkpointEvery, Math.max(1, steps))}`,
    `  test_freq: ${s.evalEvery > 0 ? s.evalEvery : steps}`,
    `  n_gpus_per_node: ${cluster.gpusPerNode}`,
    `  nnodes: ${cluster.nnodes}`,
    `  default_local_dir: ${yamlPath(path.join(dir, 'checkpoints', `stage${stage}`), 'Export folder')}`,
    "  logger: ['console']",
    '',
  ];
  return lines.join('\n');
}

/**
 * MedSSR's extract_option (the same rules as main/labeling/answerExtraction.ts, the gemma bold rule included) and
 * this run's reward. The gemma rule keys on the model name as our labelling, evaluation and rewards do (the GGUF's
 * file name); verl's HF checkpoint path may be named differently, so the decision is fixed at export.
 */
export function rewardPython(formatReward: number, modelName: string): string {
  return String.raw`"""Reward for MedSSR GRPO (exported by MedSSR Studio): 1 when the last "The answer is X" matches the label.

Extraction follows MedSSR's evaluation script (extract_option in vllm_logitsbias_multi.py): the last match of
"The answer is X", then the boxed form, then [X] (case-sensitive, in that order), then for Gemma models the bold
form "The answer is **X**", then the first pattern case-insensitively. A letter outside the question's options is
no answer. A completion that states an option also earns FORMAT_REWARD.
"""
import re

FORMAT_REWARD = ${formatReward}
MODEL_NAME = ${oneLine(modelName)}
_PATTERNS = [r"The answer is ([A-Z])", r"The answer is \$\\boxed\{([A-Z])\}\$", r"The answer is \[([A-Z])\]"]


def extract_option(prediction, model_name=MODEL_NAME):
    if not prediction:
        return None
    text = prediction.strip()
    for pattern in _PATTERNS:
        hits = re.findall(pattern, text)
        if hits:
            return hits[-1]
    if model_name and "gemma" in model_name.lower():
        hits = re.findall(r"The answer is \*\*([A-Z])\*\*", text)
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

/** Single-quoted for bash: nothing inside is expanded. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function runScript(run: RunRow, stages: (1 | 2)[], adapter1: string | null, baseModel: BaseModelGuess): string {
  const base = path.basename(run.modelPath);
  // The message of bash's ${BASE_MODEL:?…}: characters bash would expand or that would end it are replaced.
  const need = `set BASE_MODEL to the Hugging Face checkpoint matching the GGUF this run trained${baseModel.hint ? ` (${baseModel.hint})` : ''}`.replace(/["'`$\\{}]/g, '');
  return [
    '#!/usr/bin/env bash',
    `# Both stages of MedSSR Studio run ${run.id} ${oneLine(run.name)} on verl (commit ${VERL_COMMIT}); see README.md.`,
    `# BASE_MODEL: the Hugging Face checkpoint (folder or hub id) matching the GGUF the run used, ${oneLine(base)}.`,
    'set -euo pipefail',
    'cd "$(dirname "$0")"',
    ...(baseModel.id && baseModel.from
      ? [
          `# Defaults to what the GGUF's ${baseModel.from} names; a BASE_MODEL in the environment wins.`,
          `if [ -z "\${BASE_MODEL:-}" ]; then`,
          `  BASE_MODEL=${shellQuote(baseModel.id)}`,
          `  echo "run.sh: BASE_MODEL=$BASE_MODEL (from the GGUF's ${baseModel.from}; set BASE_MODEL to use another checkpoint)" >&2`,
          'fi',
        ]
      : [`: "\${BASE_MODEL:?${need}}"`]),
    // Passed as a Hydra override, single-quoted in Hydra's grammar; quotes, backslashes and "$" (interpolation) are refused, not escaped.
    String.raw`case "$BASE_MODEL" in *"'"*|*\\*|*\$*) echo "run.sh: BASE_MODEL must not contain quotes, backslashes or \$" >&2; exit 1;; esac`,
    ...stages.flatMap((st) => {
      const runIt = `python3 -m verl.trainer.main_ppo --config-path "$PWD" --config-name grpo_stage${st} "actor_rollout_ref.model.path='$BASE_MODEL'" "$@"`;
      if (st === 2 && adapter1) {
        return [
          `STAGE1_ADAPTER=${shellQuote(adapter1)}`,
          '# Stage 2 starts from stage 1\'s LoRA adapter (grpo_stage2.yaml: actor_rollout_ref.model.lora_adapter_path).',
          'if [ ! -f "$STAGE1_ADAPTER/adapter_model.safetensors" ] || [ ! -f "$STAGE1_ADAPTER/adapter_config.json" ]; then',
          '  echo "run.sh: stage 1 left no LoRA adapter at $STAGE1_ADAPTER; stage 2 would start from the base model, so it does not start" >&2',
          '  exit 1',
          'fi',
          runIt,
        ];
      }
      return [runIt];
    }),
    `echo "Done. Back to MedSSR Studio: medssr train import-verl --checkpoint <checkpoints/stageN/global_step_M/actor/lora_adapter> --base ${base.replace(/[^A-Za-z0-9._-]/g, '_')}"`,
    '',
  ].join('\n');
}

function readme(run: RunRow, stages: (1 | 2)[], out: string, cluster: VerlCluster, maxPromptLength: number, basis: string, warnings: string[], adapter1: string | null, baseModel: BaseModelGuess): string {
  const s = run.settings;
  const last = stages.includes(2) ? stageAdapterFolder(out, 2, s.stage2Steps) : stageAdapterFolder(out, 1, s.stage1Steps);
  return [
    `# verl export of MedSSR Studio run ${run.id}`,
    '',
    `Run name: ${oneLine(run.name)}; base model (GGUF): ${oneLine(path.basename(run.modelPath))}.`,
    '',
    `Written for **verl commit ${VERL_COMMIT}** (github.com/volcengine/verl, the 0.7 development line of January 2026).`,
    'Every configuration key exists in that commit\'s `verl/trainer/config/_generated_ppo_trainer.yaml`; a later verl',
    'may rename keys (it did for `warmup_style` → `lr_scheduler_type`). Needs vLLM (the LoRA path of verl is FSDP + vLLM only).',
    "MedSSR's own code pins verl 0.3.1, which predates `lora_adapter_path` and `layered_summon`: use the commit above, not 0.3.1.",
    'verl is found as an installed package (`pip install -e .` of that commit): the configs extend its `ppo_trainer` through `pkg://verl.trainer.config`.',
    '',
    '## Run',
    '',
    '```bash',
    ...(baseModel.id
      ? [`bash run.sh   # BASE_MODEL defaults to ${baseModel.id}; extra arguments are passed to verl as Hydra overrides`, 'BASE_MODEL=/path/to/hf-checkpoint bash run.sh   # another checkpoint']
      : ['BASE_MODEL=/path/to/hf-checkpoint-of-the-base bash run.sh   # extra arguments are passed to verl as Hydra overrides']),
    '```',
    '',
    baseModel.id
      ? `\`BASE_MODEL\` defaults to \`${baseModel.id}\`, what the GGUF's \`${baseModel.from}\` names: the checkpoint it was converted from. Set it to use a local copy or another checkpoint.`
      : `\`BASE_MODEL\` has no default: the GGUF's metadata names no checkpoint it was converted from${baseModel.hint ? ` (${baseModel.hint})` : ''}. Give the Hugging Face checkpoint (folder or hub id) whose weights the GGUF holds.`,
    '',
    `Cluster written into the configs: ${cluster.nnodes} node(s) × ${cluster.gpusPerNode} GPU(s), vLLM tensor parallelism ${cluster.tensorParallel}` +
      ' (re-export with other `--gpus-per-node` / `--tensor-parallel` to change them).',
    '',
    '## Files',
    '',
    ...stages.flatMap((st) => [
      `- \`stage${st}_train.parquet\`, \`stage${st}_test.parquet\`: stage ${st} questions in verl's RL layout (data_source, prompt as chat messages, ability, reward_model {style: rule, ground_truth}, extra_info {index, split, source, options, vote_share, extra: the imported entry's other fields as JSON}).`,
      `- \`grpo_stage${st}.yaml\`: the GRPO + LoRA configuration of stage ${st} with this run's settings.`,
    ]),
    '- `reward.py`: `compute_score`, MedSSR\'s answer extraction (the same rules and results as MedSSR Studio, checked by its tests) plus the run\'s format reward.',
    '- `run.sh`: runs the stages in order' + (adapter1 ? "; stage 2 loads stage 1's LoRA adapter (`lora_adapter_path`) and refuses to start without it." : '.'),
    '',
    '## Lengths',
    '',
    `\`data.max_prompt_length\` = ${maxPromptLength}: ${basis}. \`filter_overlong_prompts\` is off and \`truncation: error\`, so no prompt is dropped or cut silently.`,
    `\`data.max_response_length\` = ${s.maxCompletionTokens} (the run's completion length).`,
    '',
    '## Going back',
    '',
    'verl writes the LoRA adapter (PEFT) at each checkpoint in `checkpoints/stageN/global_step_M/actor/lora_adapter/`. The final one:',
    '',
    '```bash',
    `medssr train import-verl --checkpoint ${oneLine(last)} --base ${oneLine(run.modelPath)}`,
    '```',
    '',
    'converts it to a GGUF LoRA adapter (in MedSSR Studio, no Python), checks it against the base and registers it.',
    'A merged full model (`python3 -m verl.model_merger merge --backend fsdp --local_dir .../actor --target_dir merged`)',
    "is a Hugging Face checkpoint: convert it with llama.cpp's `convert_hf_to_gguf.py merged --outfile merged.gguf` and add it on the Models page.",
    '',
    ...(warnings.length ? ['## Differences from the local run', '', ...warnings.map((w) => `- ${w}`), ''] : []),
  ].join('\n');
}

export async function exportVerl(db: Db, runId: number, dir: string, cluster: VerlCluster = { gpusPerNode: 1, nnodes: 1, tensorParallel: 1 }): Promise<VerlExport> {
  const repo = new TrainingRepo(db);
  const run = repo.run(runId);
  if (!run) throw new Error(`No training run ${runId}`);
  if (cluster.gpusPerNode % cluster.tensorParallel !== 0) throw new Error(`tensor parallelism ${cluster.tensorParallel} must divide the ${cluster.gpusPerNode} GPUs of a node`);
  const out = checkWritableFolder(dir, 'verl export folder');
  yamlPath(out, 'Export folder');
  const s = run.settings;
  const data = new Map<1 | 2, { train: TrainItem[]; test: TrainItem[] }>();
  for (const stage of [1, 2] as const) {
    const train = repo.items(runId, stage, 'train');
    if (!train.length) continue;
    const held = repo.items(runId, stage, 'heldout');
    data.set(stage, { train, test: held.length ? held : train.slice(0, Math.min(8, train.length)) });
  }
  const stages = [...data.keys()];
  if (!stages.length) throw new Error(`Run ${runId} has no training questions to export`);
  const warnings: string[] = [];
  const all = [...data.values()].flatMap((d) => [...d.train, ...d.test]);
  const count = await countPromptTokens(run.modelPath, all.map((it) => it.question));
  const longest = count.longest;
  const maxPromptLength = Math.ceil(longest / 64) * 64;
  const basis = `${count.basis}; rounded up to a multiple of 64`;
  if (count.method === 'bytes') warnings.push(`max_prompt_length counts bytes, not tokens (${count.basis.slice(count.basis.indexOf('(') + 1, count.basis.indexOf(')'))}): it is an upper bound, looser than the model's token count.`);
  const baseModel = await baseModelOf(run.modelPath);
  const adapter1 = data.has(1) && data.has(2) ? stageAdapterFolder(out, 1, s.stage1Steps) : null;
  if (adapter1 && s.stage2Optimizer === 'continue') warnings.push("stage2Optimizer is 'continue' here, but verl's lora_adapter_path loads adapter weights only: stage 2 starts with a fresh optimizer and schedule.");
  if (!data.has(1) && s.stage1Steps > 0) warnings.push('Stage 1 has no questions; only stage 2 is exported, starting from the base model.');
  if (!Number.isInteger(s.loraAlpha)) warnings.push(`verl types lora_alpha as an integer: ${s.loraAlpha} is written as ${Math.round(s.loraAlpha)}.`);
  if (s.skipZeroStdGroups) warnings.push('skipZeroStdGroups has no verl counterpart in GRPO without DAPO\'s filter; groups with equal rewards contribute zero advantage instead of being skipped.');
  warnings.push('Rollouts run in vLLM from the Hugging Face checkpoint, not llama.cpp from the GGUF: numbers (and the chat template) may differ slightly from the local run.');

  const files: string[] = [];
  const contents: { name: string; data: string | Uint8Array }[] = [];
  for (const [stage, d] of data) {
    const source = stage === 1 ? 'medssr-synthetic' : 'medssr-human';
    contents.push({ name: `stage${stage}_train.parquet`, data: verlParquet(d.train, source, 'train') });
    contents.push({ name: `stage${stage}_test.parquet`, data: verlParquet(d.test, source, 'test') });
    contents.push({
      name: `grpo_stage${stage}.yaml`,
      data: verlConfig({ run, stage, dir: out, cluster, maxPromptLength, trainItems: d.train.length, adapterFrom: stage === 2 ? adapter1 : null }),
    });
  }
  contents.push({ name: 'reward.py', data: rewardPython(s.formatReward, path.basename(run.modelPath)) });
  contents.push({ name: 'run.sh', data: runScript(run, stages, adapter1, baseModel) });
  contents.push({ name: 'README.md', data: readme(run, stages, out, cluster, maxPromptLength, basis, warnings, adapter1, baseModel) });
  // Everything is built (and every refusal raised) before the first file is written.
  mkdirSync(out, { recursive: true });
  for (const c of contents) {
    const f = path.join(out, c.name);
    writeFileAtomic(f, c.data);
    files.push(f);
  }
  chmodSync(path.join(out, 'run.sh'), 0o755);
  return {
    dir: out,
    files,
    format: 'parquet',
    maxPromptLength,
    longestPromptTokens: longest,
    promptLengthBasis: basis,
    promptLengthMethod: count.method,
    baseModel: baseModel.id && baseModel.from ? { id: baseModel.id, from: baseModel.from } : null,
    baseModelHint: baseModel.hint,
    warnings,
  };
}
