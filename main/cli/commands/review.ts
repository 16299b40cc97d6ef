/**
 * `medssr reviewers add|list|passwd` (profiles and the passwords browser mode's login checks) and
 * `medssr review export-audit` (the append-only audit log as CSV or JSON).
 * Passwords come from MEDSSR_PASSWORD or stdin, never from the command line where `ps` would show them.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { addReviewerSchema, reviewerRoles, type ReviewerRole } from '../../../api/review.js';
import type { AppRuntime } from '../../app/index.js';
import { accountKey } from '../../review/index.js';
import { writeFileAtomic } from '../../platform/atomicFile.js';
import { asCliError, CliError, parseCliInput, withApp } from '../context.js';

function readPassword(): string {
  const fromEnv = process.env.MEDSSR_PASSWORD;
  if (fromEnv) return fromEnv;
  if (process.stdin.isTTY) throw new CliError('Give the password in MEDSSR_PASSWORD or on stdin (echo … | medssr reviewers add …)');
  return readFileSync(0, 'utf8').replace(/\r?\n$/, '');
}

function role(value: string): ReviewerRole {
  if (!(reviewerRoles as readonly string[]).includes(value)) throw new CliError(`--role must be one of ${reviewerRoles.join(', ')}, got "${value}"`);
  return value as ReviewerRole;
}

async function handle<T>(fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw asCliError(err);
  }
}

export function registerReviewCommands(program: Command): void {
  const reviewers = program.command('reviewers').description('Reviewer profiles for expert review (and browser-mode login)');
  reviewers
    .command('list')
    .option('--db <path>', 'database file')
    .action(async (opts: { db?: string }) => {
      await withApp(opts, async (app) => {
        const s = await app.call('review.session');
        for (const r of s.reviewers) process.stdout.write(`${r.id}\t${r.name}\t${r.role}${r.isLocal ? '\tlocal' : ''}${r.hasPassword ? '\tpassword set' : ''}\n`);
      });
    });
  reviewers
    .command('add')
    .description('Add a reviewer with a password (MEDSSR_PASSWORD or stdin)')
    .requiredOption('--name <name>', 'display and login name')
    .option('--role <role>', 'reviewer or admin', 'reviewer')
    .option('--db <path>', 'database file')
    .action(async (opts: { name: string; role: string; db?: string }) => {
      const input = parseCliInput(addReviewerSchema, { name: opts.name, role: role(opts.role), password: readPassword() });
      await withApp(opts, async (app) => {
        const r = await handle(() => app.call('review.addReviewer', input));
        process.stderr.write(`Added ${r.role} "${r.name}" (id ${r.id})\n`);
      });
    });
  reviewers
    .command('passwd')
    .description('Set a reviewer\'s password (MEDSSR_PASSWORD or stdin)')
    .requiredOption('--name <name>', 'reviewer name')
    .option('--db <path>', 'database file')
    .action(async (opts: { name: string; db?: string }) => {
      const password = readPassword();
      await withApp(opts, async (app) => {
        const s = await app.call('review.session');
        const r = s.reviewers.find((x) => accountKey(x.name) === accountKey(opts.name));
        if (!r) throw new CliError(`No reviewer named "${opts.name}"`);
        await handle(() => app.call('review.updateReviewer', { id: r.id, password }));
        process.stderr.write(`Password set for "${r.name}"\n`);
      });
    });

  const review = program.command('review').description('Expert review: exports');
  review
    .command('export-audit')
    .description('Write the audit log (every decision, with before and after) as CSV or JSON')
    .requiredOption('--out <file>', 'output file')
    .option('--format <format>', 'csv or json', 'csv')
    .option('--dataset <name>', 'only this dataset (latest version)')
    .option('--db <path>', 'database file')
    .action(async (opts: { out: string; format: string; dataset?: string; db?: string }) => {
      if (opts.format !== 'csv' && opts.format !== 'json') throw new CliError(`--format must be csv or json, got "${opts.format}"`);
      const format = opts.format;
      await withApp(opts, async (app) => {
        const datasetIds = opts.dataset ? [await datasetId(app, opts.dataset)] : undefined;
        const file = await handle(() => app.call('review.exportAudit', { format, datasetIds }));
        writeFileAtomic(opts.out, file.content);
        process.stderr.write(`Wrote ${file.count} audit entries to ${opts.out}\n`);
      });
    });
}

/** The id of a complete dataset, through the same handler the Api answers (never the store). */
export async function datasetId(app: AppRuntime, name: string, version?: number): Promise<number> {
  const d = await app.call('synthesis.dataset', { dataset: name, version });
  if (!d) throw new CliError(`No complete dataset named "${name}"${version ? ` with version ${version}` : ''}`);
  return d.id;
}
