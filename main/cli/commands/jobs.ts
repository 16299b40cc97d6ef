/** `medssr jobs list|resume|cancel`: the durable job queue from the command line. */
import type { Command } from 'commander';
import { completedJob, withApp } from '../context.js';

export function registerJobsCommands(program: Command): void {
  const jobs = program.command('jobs').description('List, resume or cancel long-running jobs');
  jobs
    .command('list')
    .option('--db <path>', 'database file')
    .option('--json', 'JSON array on stdout', false)
    .action(async (opts: { db?: string; json: boolean }) => {
      await withApp(opts, async (app) => {
        const list = await app.call('jobs.list');
        if (opts.json) process.stdout.write(`${JSON.stringify(list)}\n`);
        else for (const j of list) process.stdout.write(`${j.id}  ${j.state.padEnd(11)} ${j.kind.padEnd(16)} ${j.title}\n`);
      });
    });
  jobs
    .command('resume <id>')
    .description('Run an interrupted, failed or cancelled job again, from its checkpoint when it has one')
    .option('--db <path>', 'database file')
    .action(async (id: string, opts: { db?: string }) => {
      await withApp(opts, async (app) => {
        await app.call('jobs.resume', { id });
        process.stdout.write(`${JSON.stringify((await completedJob(app, id, 'Job')).result)}\n`);
      });
    });
  jobs
    .command('cancel <id>')
    .option('--db <path>', 'database file')
    .action(async (id: string, opts: { db?: string }) => {
      await withApp(opts, async (app) => {
        const job = await app.call('jobs.cancel', { id });
        process.stdout.write(`${job.id} ${job.state}\n`);
      });
    });
}
