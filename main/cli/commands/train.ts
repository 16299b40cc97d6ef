/** `medssr train`: two-stage GRPO from the command line (GPU servers, scripts); `train import-verl`, `train-runs`, `train-export`. */
import path from 'node:path';
import type { Command } from 'commander';
import { presetNames, trainSettingsSchema, type TrainInputRaw, type TrainSettings } from '../../../api/training.js';
import { asCliError, CliError, jobCommandOptions, jobResult, parseCliInput, withApp } from '../context.js';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `--set key=value` overrides of the preset's settings (numbers, booleans, comma lists for loraTargets). */
export function parseOverrides(pairs: readonly string[]): Partial<TrainSettings> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new CliError(`--set expects key=value, got "${pair}"`);
    const key = pair.slice(0, eq);
    const raw = pair.slice(eq + 1);
    out[key] = key === 'loraTargets' ? raw.split(',').filter(Boolean) : raw === 'true' ? true : raw === 'false' ? false : /^-?[\d.]+(e-?\d+)?$/i.test(raw) ? Number(raw) : raw;
  }
  return parseCliInput(trainSettingsSchema.partial(), out, '--set ');
}

export function registerTrainCommands(program: Command): void {
  const train = program.command('train');
  // A subcommand of `train` (whose own options stay as they are): commander dispatches on the first word.
  train
    .command('import-verl')
    .description("Register a verl checkpoint's LoRA adapter (PEFT) as a GGUF adapter of its base model")
    .requiredOption('--checkpoint <dir>', "verl's checkpoints/stageN/global_step_M/actor/lora_adapter (or the global_step_M / actor folder above it)")
    .requiredOption('--base <model.gguf>', 'the base GGUF the adapter was trained on')
    .option('--name <name>', 'name of the imported run')
    .option('--alpha <x>', "lora_alpha when adapter_config.json lacks it (verl's model merger writes 0)")
    .option('--db <path>', 'database file')
    .option('--json', 'print the result as JSON')
    .action(async (own: { checkpoint: string; base: string; name?: string; alpha?: string; db?: string; json?: boolean }) => {
      // `train` declares --db, --json and --name too and commander hands them to it: take them from there when given.
      const given = <K extends 'db' | 'json' | 'name'>(k: K) => own[k] ?? (train.getOptionValueSource(k) === 'cli' ? (train.opts()[k] as (typeof own)[K]) : undefined);
      const opts = { ...own, db: given('db'), json: given('json'), name: given('name') };
      await withApp(opts, async (app) => {
        try {
          const r = await app.call('training.importVerl', {
            checkpoint: path.resolve(opts.checkpoint),
            base: path.resolve(opts.base),
            ...(opts.name ? { name: opts.name } : {}),
            ...(opts.alpha !== undefined ? { alpha: Number(opts.alpha) } : {}),
          });
          if (opts.json) process.stdout.write(`${JSON.stringify(r)}\n`);
          else process.stdout.write(`Imported as run ${r.runId}, adapter ${r.adapterId}: ${r.path} (${r.arch}, rank ${r.rank}, alpha ${r.alpha}, ${r.tensors} tensors over ${r.layers} layers)\n`);
        } catch (err) {
          throw asCliError(err);
        }
      });
    });
  jobCommandOptions(train)
    .description('Two-stage GRPO with LoRA: stage 1 on a pseudo-labelled synthetic dataset, stage 2 on human-labelled MedSSR JSON files')
    // Checked in the action, not by commander: a required option on `train` would also be demanded of `train import-verl`.
    .option('--model <path>', 'base GGUF model (required)')
    .option('--dataset <name>', 'stage 1: synthetic dataset (pseudo-labelled)')
    .option('--version <n>', 'stage 1: dataset version (default: latest)')
    .option('--min-vote-share <x>', 'stage 1: minimum vote share of the pseudo-label', '0.5')
    .option('--review <filter>', 'stage 1: any | not-rejected | approved', 'any')
    .option('--stage1-file <file>', 'stage 1: pseudo-labelled MedSSR-format JSON (released synthetic set or an export; repeatable)', collect, [])
    .option('--human <file>', 'stage 2: MedSSR-format JSON file (repeatable)', collect, [])
    .option('--preset <name>', `settings preset: ${presetNames.join(' | ')}`, 'cpu-demo')
    .option('--set <key=value>', 'override a setting, e.g. --set groupSize=8 --set lr=1e-5 (repeatable)', collect, [])
    .option('--name <name>', 'run name', 'run')
    .option('--estimate', 'print the time and memory estimate and exit', false)
    .action(async (opts: Record<string, string | boolean | string[] | undefined>) => {
      if (typeof opts.model !== 'string') throw new CliError("required option '--model <path>' not specified");
      const human = (opts.human as string[]).map((f) => path.resolve(f));
      const stage1Files = (opts.stage1File as string[]).map((f) => path.resolve(f));
      const raw: TrainInputRaw = {
        name: String(opts.name),
        modelPath: path.resolve(String(opts.model)),
        preset: String(opts.preset) as TrainInputRaw['preset'],
        settings: parseOverrides(opts.set as string[]),
        ...(opts.dataset || stage1Files.length
          ? {
              stage1: {
                ...(opts.dataset ? { dataset: String(opts.dataset) } : {}),
                files: stage1Files,
                minVoteShare: Number(opts.minVoteShare),
                review: String(opts.review) as 'any',
                ...(opts.version ? { version: Number(opts.version) } : {}),
              },
            }
          : {}),
        ...(human.length ? { stage2: { files: human } } : {}),
      };
      await withApp({ db: opts.db as string | undefined }, async (app) => {
        try {
          if (opts.estimate) {
            const e = await app.call('training.estimate', { run: raw, measure: true });
            process.stdout.write(`${JSON.stringify(e)}\n`);
            return;
          }
          const { jobId } = await app.call('training.start', raw);
          const r = await jobResult(app, jobId, 'train', 'Training', opts.quiet === true);
          if (opts.json) process.stdout.write(`${JSON.stringify(r)}\n`);
          else
            process.stdout.write(
              `Run ${r.runId}: ${r.steps} steps${r.restarts ? `, ${r.restarts} trainer restart(s)` : ''}; final adapter ${r.finalAdapter ?? 'none'}` +
                `${r.lastEval ? `; quick eval ${(r.lastEval.accuracy * 100).toFixed(1)}% of ${r.lastEval.n}` : ''}` +
                `${r.meanTimings ? `; mean step ${r.meanTimings.totalS.toFixed(2)} s (rollouts ${r.meanTimings.rolloutS.toFixed(2)}, trainer ${r.meanTimings.trainerS.toFixed(2)})` : ''}\n`,
            );
        } catch (err) {
          throw asCliError(err);
        }
      });
    });

  program
    .command('train-runs')
    .description('List training runs as JSON')
    .option('--db <path>', 'database file')
    .action(async (opts: { db?: string }) => {
      await withApp(opts, async (app) => {
        process.stdout.write(`${JSON.stringify(await app.call('training.runs'))}\n`);
      });
    });

  program
    .command('train-export')
    .description('Export a run for verl (--verl DIR), an adapter as GGUF (--adapter ID --out PATH), or merged into its base (--merge)')
    .option('--run <id>', 'training run id (with --verl)')
    .option('--verl <dir>', 'write parquet datasets, GRPO configs, reward.py, run.sh and a README here')
    .option('--gpus-per-node <n>', 'with --verl: GPUs per node of the verl cluster', '1')
    .option('--nnodes <n>', 'with --verl: nodes of the verl cluster', '1')
    .option('--tensor-parallel <n>', 'with --verl: vLLM tensor parallelism of the rollouts (divides --gpus-per-node)', '1')
    .option('--adapter <id>', 'adapter id (see train-runs / the Training page)')
    .option('--out <path>', 'adapter destination (.gguf file or folder)')
    .option('--merge', 'with --adapter: write the base model with the adapter merged in (full GGUF)', false)
    .option('--db <path>', 'database file')
    .action(async (opts: { run?: string; verl?: string; adapter?: string; out?: string; merge?: boolean; db?: string; gpusPerNode: string; nnodes: string; tensorParallel: string }) => {
      await withApp(opts, async (app) => {
        try {
          if (opts.verl && opts.run) {
            const out = await app.call('training.exportVerl', {
              runId: Number(opts.run),
              dir: path.resolve(opts.verl),
              gpusPerNode: Number(opts.gpusPerNode),
              nnodes: Number(opts.nnodes),
              tensorParallel: Number(opts.tensorParallel),
            });
            for (const w of out.warnings) process.stderr.write(`warning: ${w}\n`);
            process.stdout.write(`${JSON.stringify(out)}\n`);
          } else if (opts.adapter && opts.out && opts.merge) {
            const out = await app.call('training.mergeAdapter', { adapterId: Number(opts.adapter), path: path.resolve(opts.out) });
            process.stdout.write(`${JSON.stringify(out)}\n`);
          } else if (opts.adapter && opts.out) {
            const out = await app.call('training.exportAdapter', { adapterId: Number(opts.adapter), path: path.resolve(opts.out) });
            process.stdout.write(`${JSON.stringify(out)}\n`);
          } else throw new CliError('give --run N --verl DIR, or --adapter ID --out PATH');
        } catch (err) {
          throw asCliError(err);
        }
      });
    });
}
