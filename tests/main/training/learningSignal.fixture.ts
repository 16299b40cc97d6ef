/**
 * A finished training run stored as the trainer would leave one that learned nothing: every step's groups had
 * equal rewards (frac_reward_zero_std 1), the model never wrote an answer, and two adapters were written.
 */
import path from 'node:path';
import { trainInputSchema } from '../../../api/training.js';
import type { Db } from '../../../main/platform/db/open.js';
import { TrainingRepo } from '../../../main/training/store.js';
import { createRun } from '../../../main/training/trainJob.js';
import { fakeTrainerBin, seedLabelledDataset } from './fixtures.js';

const timings = { rolloutS: 1, policyReloadS: 0, rewardS: 0, trainerS: 1, adapterSaveS: 0, overheadS: 0, totalS: 2 };

/** Steps 1..steps; `signalAt` lists steps where some group's rewards differed. Returns the run id. */
export function seedTrainedRun(db: Db, dataDir: string, opts: { name: string; steps: number; signalAt?: number[]; state?: 'completed' | 'running'; dataset?: string }): number {
  const dataset = opts.dataset ?? `${opts.name} data`;
  seedLabelledDataset(db, dataset, 12);
  const input = trainInputSchema.parse({ name: opts.name, modelPath: fakeTrainerBin, stage1: { dataset, minVoteShare: 0 }, settings: { stage1Steps: opts.steps, heldOut: 0 } });
  const run = createRun(db, dataDir, input, null);
  const repo = new TrainingRepo(db);
  repo.setState(run.id, 'running');
  for (let step = 1; step <= opts.steps; step++) {
    const signal = opts.signalAt?.includes(step) ?? false;
    // future_metric: a name the catalogue lacks, as a newer trainer might report; the charts still show it.
    repo.insertStep(run.id, {
      step,
      stage: 1,
      stageStep: step,
      metrics: { reward_mean: signal ? 0.5 : 0, reward_std: signal ? 0.5 : 0, frac_reward_zero_std: signal ? 0.5 : 1, grad_norm: signal ? 0.3 : 0, kl: 0, accuracy: signal ? 0.5 : 0, format_rate: signal ? 0.5 : 0, future_metric: step / 10 },
      timings,
    });
    if (step % 2 === 0 || step === opts.steps) {
      repo.insertAdapter(run.id, { step, stage: 1, kind: step === opts.steps ? 'final' : 'checkpoint', path: path.join(dataDir, `run-${run.id}-step-${step}.gguf`) });
    }
  }
  if ((opts.state ?? 'completed') === 'completed') repo.setState(run.id, 'completed');
  return run.id;
}
