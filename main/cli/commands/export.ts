/** `medssr export --format medssr`: a dataset as a MedSSR-format JSON array, written atomically. */
import type { Command } from 'commander';
import { writeJsonAtomic } from '../../labeling/index.js';
import { CliError, withApp } from '../context.js';
import { datasetId } from './review.js';

export function registerExportCommands(program: Command): void {
  program
    .command('export')
    .description('Export a synthetic dataset (with its pseudo-labels) to a file')
    .requiredOption('--dataset <name>', 'dataset name')
    .requiredOption('--out <file>', 'output file')
    .option('--format <format>', 'output format: medssr', 'medssr')
    .option('--version <n>', 'dataset version (default: latest)')
    .option('--db <path>', 'database file (default: the app data folder; MEDSSR_DATA_DIR overrides)')
    .option('--reviewed', 'only the questions experts accepted or corrected, with the reviewers\' answer as gold (human-labelled set)', false)
    .action(async (opts: { dataset: string; out: string; format: string; version?: string; db?: string; reviewed: boolean }) => {
      if (opts.format !== 'medssr') throw new CliError(`Unknown --format "${opts.format}"; supported: medssr`);
      const version = opts.version === undefined ? undefined : Number(opts.version);
      if (version !== undefined && (!Number.isInteger(version) || version < 1)) throw new CliError(`--version must be a positive integer, got "${opts.version}"`);
      if (opts.reviewed) {
        await withApp(opts, async (app) => {
          const id = await datasetId(app, opts.dataset, version);
          const file = await app.call('review.exportHumanSet', { datasetIds: [id], name: `${opts.dataset}-reviewed` });
          writeJsonAtomic(opts.out, JSON.parse(file.content) as unknown);
          process.stderr.write(`Wrote ${file.count} reviewed questions to ${opts.out}\n`);
        });
        return;
      }
      await withApp(opts, async (app) => {
        const items = await app.call('labeling.exportMedssr', { dataset: opts.dataset, ...(version === undefined ? {} : { version }) });
        writeJsonAtomic(opts.out, items);
        process.stderr.write(`Wrote ${items.length} questions to ${opts.out}\n`);
      });
    });
}
