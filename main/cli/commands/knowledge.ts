/** `medssr import orphanet`, `medssr import hpo`, `medssr stats`, `medssr search`. */
import type { Command } from 'commander';
import { CliError, jobCommandOptions, jobResult, withApp } from '../context.js';
import { subcommandGroup } from '../program.js';

function parseLimit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 20000) throw new CliError(`--limit must be an integer from 1 to 20000, got "${value}"`);
  return n;
}

export function registerKnowledgeCommands(program: Command): void {
  const importGroup = subcommandGroup(program, 'import', 'Import data into the knowledge base');
  jobCommandOptions(importGroup.command('orphanet <source>'), 'print the import report as JSON on stdout')
    .description('Import ORPHApackets from a folder or a .zip; all or nothing unless --skip-invalid')
    .option('--skip-invalid', 'import the valid packets and list the invalid ones instead of stopping', false)
    .option('--allow-removals', 'remove entries the knowledge base has and the source lacks (otherwise such an import stops and says how many)', false)
    .action(async (source: string, opts: { db?: string; skipInvalid: boolean; allowRemovals: boolean; json: boolean; quiet: boolean }) => {
      await withApp(opts, async (app) => {
        const { jobId } = await app.call('knowledge.import', { path: source, skipInvalid: opts.skipInvalid, allowRemovals: opts.allowRemovals });
        const report = await jobResult(app, jobId, 'import-orphanet', 'Import', opts.quiet);
        for (const s of report.skipped) process.stderr.write(`skipped ${s.file}: ${s.reason}\n`);
        if (opts.json) process.stdout.write(`${JSON.stringify(report)}\n`);
        else {
          process.stdout.write(
            `Imported ${report.packets} ORPHApackets (${report.sourceVersion ?? 'unknown version'}) in ${(report.tookMs / 1000).toFixed(1)} s: ` +
              `${report.added} added, ${report.changed} changed, ${report.removed} removed, ${report.unchanged} unchanged` +
              `${report.skipped.length ? `, ${report.skipped.length} skipped` : ''}.\n`,
          );
        }
      });
    });

  jobCommandOptions(importGroup.command('hpo <file>'), 'print the import summary as JSON on stdout')
    .description('Import the HPO ontology (hp.obo): the question checker then also refuses a wrong option that is an HPO ancestor of a true finding (replaces an earlier import)')
    .action(async (file: string, opts: { db?: string; json: boolean; quiet: boolean }) => {
      await withApp(opts, async (app) => {
        const r = await app.call('knowledge.importHpo', { path: file });
        if (opts.json) process.stdout.write(`${JSON.stringify(r)}\n`);
        else process.stdout.write(`Imported ${r.terms} HPO terms (${r.version ?? 'unknown version'}) from ${r.file}\n`);
      });
    });

  program
    .command('stats')
    .description('Counts of what the knowledge base holds')
    .option('--db <path>', 'database file')
    .option('--json', 'one JSON object on stdout', false)
    .action(async (opts: { db?: string; json: boolean }) => {
      await withApp(opts, async (app) => {
        const stats = { ...(await app.call('knowledge.stats')), dbPath: app.dbPath };
        if (opts.json) process.stdout.write(`${JSON.stringify(stats)}\n`);
        else {
          for (const [k, v] of Object.entries(stats)) process.stdout.write(`${k.padEnd(24)} ${v ?? '-'}\n`);
        }
      });
    });

  program
    .command('search <text...>')
    .description('Search the knowledge base (ORPHA code, OMIM id, gene symbol, HPO id or words), best match first')
    .option('--db <path>', 'database file')
    .option('--json', 'a JSON array on stdout', false)
    .option('--limit <n>', 'maximum number of results', parseLimit, 20)
    .action(async (words: string[], opts: { db?: string; json: boolean; limit: number }) => {
      await withApp(opts, async (app) => {
        const result = await app.call('knowledge.search', { text: words.join(' '), filters: {}, limit: opts.limit, offset: 0 });
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(result.hits)}\n`);
          return;
        }
        for (const h of result.hits) process.stdout.write(`ORPHA:${h.orphaCode.padEnd(7)} ${h.name} (${h.disorderType})\n`);
        process.stderr.write(`${result.hits.length} of ${result.total} matches in ${result.tookMs} ms\n`);
      });
    });
}
