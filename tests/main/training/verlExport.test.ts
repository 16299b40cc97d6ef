/**
 * The verl hand-off: parquet in verl's RL layout that reads back with the nested prompt and reward_model columns,
 * a GRPO config per stage carrying the run's settings, and a Python reward that gives exactly what our reward
 * (MedSSR's extraction rules) gives on the same completions.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { parquetReadObjects } from 'hyparquet';
import { trainInputSchema } from '../../../api/training.js';
import { openAppDatabase } from '../../../main/app/index.js';
import { TrainingRepo } from '../../../main/training/store.js';
import { scoreCompletion } from '../../../main/training/rewards.js';
import { createRun } from '../../../main/training/trainJob.js';
import { exportVerl } from '../../../main/training/verlExport.js';
import { fakeTrainerBin, seedLabelledDataset, writeMedssrFile } from './fixtures.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'medssr-verl-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const python = spawnSync('python3', ['--version']).status === 0;

test('a run exports as verl parquet, GRPO configs for both stages and the reward function', async () => {
  const db = openAppDatabase(path.join(dir, 'v.db'));
  try {
    seedLabelledDataset(db, 'syn', 20);
    const input = trainInputSchema.parse({
      name: 'verl',
      modelPath: fakeTrainerBin,
      stage1: { dataset: 'syn', minVoteShare: 0.75 },
      stage2: { files: [writeMedssrFile(dir, 9)] },
      settings: { groupSize: 8, promptsPerStep: 16, lr: 3e-6, lossAggregation: 'dr-grpo', scaleRewards: false, stage1Steps: 40, stage2Steps: 20, heldOut: 2, formatReward: 0.1 },
    });
    const run = createRun(db, dir, input, null);
    const out = exportVerl(db, run.id, path.join(dir, 'verl'));
    assert.equal(out.format, 'parquet');
    const names = out.files.map((f) => path.basename(f)).sort();
    assert.deepEqual(names, ['grpo_stage1.yaml', 'grpo_stage2.yaml', 'reward.py', 'run.sh', 'stage1_test.parquet', 'stage1_train.parquet', 'stage2_test.parquet', 'stage2_train.parquet']);

    const buf = readFileSync(path.join(out.dir, 'stage1_train.parquet'));
    const rows = (await parquetReadObjects({ file: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) })) as {
      data_source: string;
      prompt: { role: string; content: string }[];
      ability: string;
      reward_model: { style: string; ground_truth: string };
      extra_info: { index: bigint; split: string; options: string; vote_share: number | null };
    }[];
    const items = new TrainingRepo(db).items(run.id, 1, 'train');
    assert.equal(rows.length, items.length);
    assert.equal(rows.length, 8, '10 questions with vote share ≥ 0.75, 2 held out');
    rows.forEach((r, i) => {
      const it = items[i]!;
      assert.equal(r.data_source, 'medssr-synthetic');
      assert.deepEqual(r.prompt.map((m) => m.role), ['system', 'user']);
      assert.equal(r.prompt[1]?.content, it.question);
      assert.deepEqual(r.reward_model, { ground_truth: it.label, style: 'rule' });
      assert.equal(r.extra_info.options, 'ABCD');
      assert.equal(Number(r.extra_info.index), it.idx);
    });

    const yaml = readFileSync(path.join(out.dir, 'grpo_stage1.yaml'), 'utf8');
    for (const line of ['adv_estimator: grpo', 'norm_adv_by_std_in_grpo: false', 'n: 8', 'train_batch_size: 16', 'lr: 0.000003', 'loss_agg_mode: seq-mean-token-sum-norm', 'total_training_steps: 40', 'name: compute_score']) {
      assert.ok(yaml.includes(line), `stage 1 config has "${line}"`);
    }
    assert.ok(readFileSync(path.join(out.dir, 'grpo_stage2.yaml'), 'utf8').includes('total_training_steps: 20'));
  } finally {
    db.close();
  }
});

test('the exported Python reward agrees with ours', { skip: python ? undefined : 'skipped: python3 is absent' }, () => {
  const dir2 = mkdtempSync(path.join(dir, 'r-'));
  const db = openAppDatabase(path.join(dir2, 'r.db'));
  let rewardPy = '';
  try {
    seedLabelledDataset(db, 'syn', 8);
    const run = createRun(db, dir2, trainInputSchema.parse({ modelPath: fakeTrainerBin, stage1: { dataset: 'syn', minVoteShare: 0 }, settings: { formatReward: 0.1 } }), null);
    rewardPy = path.join(exportVerl(db, run.id, path.join(dir2, 'out')).dir, 'reward.py');
  } finally {
    db.close();
  }
  const cases = [
    'The answer is B',
    'so the answer is B. The answer is C',
    'The answer is $\\boxed{D}$',
    'The answer is [A].',
    'the answer is b',
    'The answer is E',
    'I think B',
    'The answer is clearly B',
    '',
  ];
  const py = spawnSync(
    'python3',
    ['-c', `import json,sys,importlib.util\nspec=importlib.util.spec_from_file_location('r', ${JSON.stringify(rewardPy)})\nm=importlib.util.module_from_spec(spec);spec.loader.exec_module(m)\nprint(json.dumps([m.compute_score('x', c, 'B', {'options':'ABCD'}) for c in json.loads(sys.argv[1])]))`, JSON.stringify(cases)],
    { encoding: 'utf8' },
  );
  assert.equal(py.status, 0, py.stderr);
  const theirs = JSON.parse(py.stdout) as number[];
  const ours = cases.map((c) => scoreCompletion(c, 'B', ['A', 'B', 'C', 'D'], 0.1).reward);
  theirs.forEach((t, i) => assert.ok(Math.abs(t - (ours[i] as number)) < 1e-9, `case ${JSON.stringify(cases[i])}: python ${t}, ours ${ours[i]}`));
});
