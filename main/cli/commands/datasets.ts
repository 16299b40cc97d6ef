/**
 * `medssr datasets overlap NAME`: a dataset's overlap with every imported benchmark (decontamination before
 * training); `medssr datasets unfinished`: versions whose run failed, was cancelled or interrupted.
 */
import type { Command } from 'commander';
import type { OverlapSummary } from '../../../api/decontamination.js';
import { CliError, withApp } from '../context.js';

function oneLine(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The overlap as people read it: one line per benchmark, then the example pairs of the ones that overlap. */
export function formatOverlap(what: string, r: OverlapSummary): string {
  const lines: string[] = [];
  if (r.benchmarks.length === 0) {
    lines.push(`${what}: no benchmark imported, nothing to compare (import one with \`medssr eval --benchmark FILE\` or on the Evaluation page)`);
    return `${lines.join('\n')}\n`;
  }
  lines.push(`${what}: ${r.questions} questions against ${r.benchmarks.length} benchmark${r.benchmarks.length === 1 ? '' : 's'} (shared word ${r.ngram}-grams; MinHash near-duplicates at Jaccard ≥ ${r.jaccardThreshold})`);
  for (const b of r.benchmarks) {
    const flag = b.ngramHits > 0 || b.nearDuplicates > 0 ? 'OVERLAP' : 'clean';
    lines.push(`  ${b.benchmark} v${b.benchmarkVersion} (${b.benchmarkQuestions} questions): ${b.ngramHits} with a shared ${r.ngram}-gram, ${b.nearDuplicates} near-duplicates — ${flag}`);
    for (const e of b.examples) {
      lines.push(`    ${e.kind === 'ngram' ? `${r.ngram}-gram` : `near-duplicate (Jaccard ${e.jaccard ?? '?'})`}: ${e.itemId} ↔ ${b.benchmark}:${e.benchmarkQuestionId}`);
      lines.push(`      ours:      ${oneLine(e.itemText)}`);
      lines.push(`      benchmark: ${oneLine(e.benchmarkText)}`);
    }
  }
  if (r.overlaps) lines.push('Warning: evaluating a model trained on this data on an overlapping benchmark measures memory, not skill.');
  return `${lines.join('\n')}\n`;
}

export function registerDatasetsCommands(program: Command): void {
  const group = program.command('datasets').description('Synthetic datasets: overlap with benchmarks, unfinished runs');
  group
    .command('overlap <name>')
    .description("Overlap of a dataset's accepted questions with every imported benchmark (13-gram and MinHash near-duplicates)")
    .option('--version <n>', 'dataset version (default: latest)')
    .option('--db <path>', 'database file (default: the app data folder; MEDSSR_DATA_DIR overrides)')
    .option('--json', 'print the report as JSON on stdout', false)
    .option('--fail-on-overlap', 'exit with status 3 when any benchmark overlaps', false)
    .action(async (name: string, opts: { version?: string; db?: string; json: boolean; failOnOverlap: boolean }) => {
      const version = opts.version === undefined ? undefined : Number(opts.version);
      if (version !== undefined && (!Number.isInteger(version) || version < 1)) throw new CliError(`--version must be a positive integer, got "${opts.version}"`);
      const r = await withApp(opts, (app) => app.call('synthesis.overlap', { dataset: name, ...(version === undefined ? {} : { version }) }));
      process.stdout.write(opts.json ? `${JSON.stringify(r)}\n` : formatOverlap(`Dataset "${r.dataset}" v${r.version}`, r));
      if (opts.failOnOverlap && r.overlaps) {
        const n = r.benchmarks.filter((b) => b.ngramHits > 0 || b.nearDuplicates > 0).length;
        throw new CliError(`"${r.dataset}" v${r.version} overlaps ${n} benchmark${n === 1 ? '' : 's'} (--fail-on-overlap)`, 3);
      }
    });
  group
    .command('unfinished')
    .description('Dataset versions whose synthesis run failed, was cancelled or interrupted (resume with `medssr jobs resume ID`)')
    .option('--db <path>', 'database file (default: the app data folder; MEDSSR_DATA_DIR overrides)')
    .option('--json', 'print the list as JSON on stdout', false)
    .action(async (opts: { db?: string; json: boolean }) => {
      const list = await withApp(opts, (app) => app.call('synthesis.unfinished'));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(list)}\n`);
        return;
      }
      if (list.length === 0) process.stdout.write('No unfinished dataset.\n');
      for (const d of list) {
        const resume = d.jobId && ['failed', 'cancelled', 'interrupted'].includes(d.state) ? ` — resume: medssr jobs resume ${d.jobId}` : '';
        process.stdout.write(`${d.name} v${d.version}: ${d.state}${d.error ? ` (${d.error})` : ''}, ${d.questionsSoFar} questions so far${resume}\n`);
      }
    });
}
