/** `medssr synthesize`: runs a plan into a new version of a named dataset. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { errorMessage } from '../../../api/contract.js';
import { synthesizeInputSchema } from '../../../api/synthesis.js';
import { synthesisInputProblem } from '../../synthesis/index.js';
import { checkReadablePath } from '../../platform/safePath.js';
import { describeJsonError } from '../../platform/jsonText.js';
import { CliError, jobCommandOptions, jobResult, parseCliInput, withApp } from '../context.js';
import { subcommandGroup } from '../program.js';

function readPlan(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(checkReadablePath(file, 'Plan file'), 'utf8');
  } catch (err) {
    throw new CliError(`Cannot read the plan ${file}: ${errorMessage(err)}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new CliError(`The plan ${file} is ${describeJsonError(text, err)}`);
  }
}

function parseSeed(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 2 ** 32 - 1) throw new CliError(`--seed must be an integer from 0 to 4294967295, got "${v}"`);
  return n;
}

export function registerSynthesisCommands(program: Command): void {
  const importGroup = subcommandGroup(program, 'import', 'Import data into the knowledge base');
  jobCommandOptions(importGroup.command('seeds <file>'), 'print the imported set as JSON on stdout')
    .description('Import a seed question set (MedSSR benchmark shape: id, question with "A. …" lines, gold; extra fields kept)')
    .requiredOption('--name <name>', 'name the plan refers to in "seeds": {"sets": [NAME]} (re-importing replaces the set)')
    .action(async (file: string, opts: { name: string; db?: string; json: boolean; quiet: boolean }) => {
      const name = opts.name.trim();
      if (!name || name.length > 200) throw new CliError('--name must be 1 to 200 characters');
      await withApp(opts, async (app) => {
        const summary = await app.call('synthesis.importSeeds', { path: file, name });
        if (opts.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
        else process.stdout.write(`Imported ${summary.count} seed questions as "${summary.name}" from ${summary.file}\n`);
      });
    });

  jobCommandOptions(program.command('synthesize'))
    .description('Generate a dataset of multiple-choice questions from the knowledge base following a plan')
    .requiredOption('--plan <file>', 'plan JSON: {"count": N, "weights": {"questionType": {...}, "difficulty": {...}, ...}}')
    .requiredOption('--dataset <name>', 'dataset name (each run adds a new version)')
    .option('--generator <kind>', 'template (no model) or model', 'template')
    .option('--model <path>', 'GGUF model for the model generator and the reasoning filter')
    .option('--endpoint <url>', 'OpenAI-compatible chat-completions server that writes the questions of --generator model, seeded or not (key from MEDSSR_ENDPOINT_KEY)')
    .option('--endpoint-model <name>', 'model name to ask the --endpoint server for')
    .option('--seed <n>', 'random seed (same seed, same dataset)', '1')
    .option('--reasoning-filter', 'drop memorization questions with the model classifier', false)
    .option('--threshold <p>', 'reasoning_prob threshold', '0.75')
    .action(
      async (opts: {
        plan: string;
        dataset: string;
        generator: string;
        model?: string;
        endpoint?: string;
        endpointModel?: string;
        seed: string;
        reasoningFilter: boolean;
        threshold: string;
        db?: string;
        json: boolean;
        quiet: boolean;
      }) => {
        if (opts.endpointModel && !opts.endpoint) throw new CliError('--endpoint-model needs --endpoint');
        const raw = {
          dataset: opts.dataset,
          plan: readPlan(opts.plan),
          generator: opts.generator,
          seed: parseSeed(opts.seed),
          reasoningFilter: opts.reasoningFilter,
          reasoningThreshold: Number(opts.threshold),
          ...(opts.model ? { modelPath: path.resolve(opts.model) } : {}),
          ...(opts.endpoint ? { endpoint: { url: opts.endpoint, ...(opts.endpointModel ? { model: opts.endpointModel } : {}) } } : {}),
        };
        const input = parseCliInput(synthesizeInputSchema, raw);
        if ((input.generator === 'model' && !input.modelPath && !input.endpoint) || (input.reasoningFilter && !input.modelPath)) {
          throw new CliError('--model or --endpoint is required with --generator model; --model with --reasoning-filter');
        }
        const problem = synthesisInputProblem(input);
        if (problem) throw new CliError(problem);
        await withApp(opts, async (app) => {
          if ((await app.call('knowledge.stats')).disorders === 0) throw new CliError('The knowledge base is empty: run `medssr import orphanet <dir>` first');
          const { jobId, seedBenchmarks } = await app.call('synthesis.start', input);
          for (const f of seedBenchmarks ?? []) {
            process.stderr.write(
              `Warning: seed set "${f.seedSet}" is the benchmark ${f.benchmark} v${f.benchmarkVersion} (${f.nearDuplicates} of ${f.seeds} seeds are near-duplicates of its questions): evaluating on ${f.benchmark} afterwards measures memory, not skill\n`,
            );
          }
          const r = await jobResult(app, jobId, 'synthesize', 'Synthesis', opts.quiet);
          if (opts.json) process.stdout.write(`${JSON.stringify(r)}\n`);
          else {
            process.stdout.write(
              `Dataset "${r.dataset}" v${r.version}: ${r.accepted} questions accepted, ${r.rejected} rejected (planned ${r.planned}, achievable ${r.achievable}); ${r.questionsPerSecond} questions/s\n`,
            );
            for (const d of r.report.dimensions) process.stdout.write(`  ${d.dimension}: total variation distance ${d.tvd.toFixed(3)}\n`);
            const alpha = r.report.rareRatio;
            if (alpha) process.stdout.write(`  rare-disease cards: planned α ${alpha.planned} (${alpha.plannedCards}), achieved ${alpha.achieved.toFixed(3)} (${alpha.achievedCards} of ${r.accepted})\n`);
            const rej = Object.entries(r.report.rejections ?? {});
            if (rej.length > 0) process.stdout.write(`  rejected by rule: ${rej.map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
            if (r.accepted < r.planned) process.stdout.write(`  short of the plan by ${r.planned - r.accepted}; failures: ${JSON.stringify(r.failures)}\n`);
          }
        });
      },
    );
}
