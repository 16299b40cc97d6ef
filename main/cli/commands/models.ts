/** `medssr models add|list|info`: the GGUF model registry from the command line. */
import type { Command } from 'commander';
import { readGgufSummary } from '../../llm/index.js';
import { asCliError, jobResult, withApp } from '../context.js';

export function registerModelsCommands(program: Command): void {
  const models = program.command('models').description('Register GGUF models and show their metadata');
  models
    .command('add <pathOrUri>')
    .description('Register a GGUF file (referenced, or copied with --copy); "hf:user/repo" URIs are downloaded when online')
    .option('--copy', 'copy the file into the data folder', false)
    .option('--db <path>', 'database file')
    .action(async (target: string, opts: { copy: boolean; db?: string }) => {
      await withApp(opts, async (app) => {
        const m = /^(hf:|https?:)/.test(target)
          ? await jobResult(app, (await app.call('models.download', { uri: target })).jobId, 'download-model', 'Download', true)
          : await app.call('models.add', { path: target, copy: opts.copy });
        process.stdout.write(`${JSON.stringify(m)}\n`);
      });
    });
  models
    .command('list')
    .option('--db <path>', 'database file')
    .action(async (opts: { db?: string }) => {
      await withApp(opts, async (app) => {
        process.stdout.write(`${JSON.stringify(await app.call('models.list'))}\n`);
      });
    });
  models
    .command('info <file>')
    .description('Print a GGUF file\'s metadata (architecture, parameters, quantization, context length, chat template)')
    .action(async (file: string) => {
      try {
        const { summary } = await readGgufSummary(file);
        process.stdout.write(`${JSON.stringify(summary)}\n`);
      } catch (err) {
        throw asCliError(err);
      }
    });
}
