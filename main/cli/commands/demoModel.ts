/** `medssr demo-model build`: the nano demo model (issue 13), trained here from the imported knowledge base. */
import path from 'node:path';
import type { Command } from 'commander';
import { DEMO_DEFAULT_MINUTES } from '../../../api/demoModel.js';
import { asCliError, jobCommandOptions, jobResult, optionalNumber, withApp } from '../context.js';

export function registerDemoModelCommands(program: Command): void {
  const group = program.command('demo-model').description('The nano demo model: a tiny model trained here so the offline demo shows MedSSR working');
  jobCommandOptions(group.command('build'))
    .description('Build the corpus from the knowledge base, train a tiny llama model on it within the budget, write FILE.gguf, FILE.card.json and FILE.questions.json')
    .requiredOption('--out <file.gguf>', 'model file to write')
    .option('--minutes <n>', `training budget in minutes (a fixed step count per minute, so a seed reproduces)`, String(DEMO_DEFAULT_MINUTES))
    .option('--seed <n>', 'seed of the split, the initialisation and the data order', '1')
    .option('--threads <n>', 'trainer CPU threads (part of what a build reproduces)', '2')
    .option('--steps <n>', 'exactly this many optimizer steps instead of the minutes\'')
    .option('--max-disorders <n>', 'at most this many disorders (seeded sample); 0 = all', '400')
    .option('--no-register', 'do not add the model to the Models list')
    .action(async (opts: Record<string, string | boolean | undefined>) => {
      await withApp({ db: opts.db as string | undefined }, async (app) => {
        try {
          const out = path.resolve(String(opts.out));
          const { jobId } = await app.call('demoModel.build', {
            out,
            minutes: Number(opts.minutes),
            seed: Number(opts.seed),
            threads: Number(opts.threads),
            maxDisorders: Number(opts.maxDisorders),
            register: opts.register !== false,
            ...(opts.steps !== undefined ? { steps: optionalNumber(opts.steps) } : {}),
          });
          const r = await jobResult(app, jobId, 'demoModel.build', 'Demo model build', opts.quiet === true);
          if (opts.json) process.stdout.write(`${JSON.stringify(r)}\n`);
          else process.stdout.write(`Wrote ${r.path} (${r.steps} steps, loss ${r.firstLoss.toFixed(3)} → ${r.finalLoss.toFixed(3)}); card ${r.cardPath}; questions ${r.questionsPath}\n`);
        } catch (err) {
          throw asCliError(err);
        }
      });
    });
}
