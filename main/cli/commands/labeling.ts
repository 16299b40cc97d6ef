/** `medssr label`: pseudo-labels a dataset by majority vote over N samples of a local model. */
import path from 'node:path';
import type { Command } from 'commander';
import { labelInputSchema } from '../../../api/synthesis.js';
import { jobCommandOptions, jobResult, optionalNumber as num, parseCliInput, samplingOptions, withApp } from '../context.js';

export function registerLabelingCommands(program: Command): void {
  samplingOptions(jobCommandOptions(program.command('label')), { unit: 'sample', maxTokens: '1024', seed: '1' })
    .description('Pseudo-label a synthetic dataset: N chain-of-thought samples per question, majority vote')
    .requiredOption('--dataset <name>', 'dataset name')
    .requiredOption('--model <path>', 'GGUF policy model')
    .option('--version <n>', 'dataset version (default: latest)')
    .option('--samples <n>', 'samples per question', '8')
    .action(async (opts: Record<string, string | boolean | undefined>) => {
      const input = parseCliInput(labelInputSchema, {
        dataset: opts.dataset,
        modelPath: path.resolve(String(opts.model)),
        ...(opts.adapter ? { adapterPath: path.resolve(String(opts.adapter)) } : {}),
        ...(opts.version ? { version: num(opts.version) } : {}),
        sampling: {
          samples: num(opts.samples),
          temperature: num(opts.temperature),
          topP: num(opts.topP),
          topK: num(opts.topK),
          maxTokens: num(opts.maxTokens),
          seed: num(opts.seed),
        },
        parallel: num(opts.parallel),
        ...(opts.threads ? { threads: num(opts.threads) } : {}),
      });
      await withApp({ db: opts.db as string | undefined }, async (app) => {
        const { jobId } = await app.call('labeling.start', input);
        const r = await jobResult(app, jobId, 'label', 'Labelling', opts.quiet === true);
        if (opts.json) process.stdout.write(`${JSON.stringify(r)}\n`);
        else
          process.stdout.write(
            `Labelled "${r.dataset}" v${r.version}: ${r.labelled}/${r.questions} with a label, ${r.ties} ties, mean vote share ${r.meanVoteShare.toFixed(3)}` +
              `${r.agreement === null ? '' : `, agreement with the intended answer ${(r.agreement * 100).toFixed(1)}%`}; ${r.tokensPerSecond} tokens/s (${r.parallel} parallel, ${r.threads} threads)\n`,
          );
      });
    });
}
