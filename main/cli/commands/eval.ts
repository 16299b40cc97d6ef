/**
 * `medssr eval`: MedSSR's benchmark protocol on a local model (optionally with a LoRA adapter). The dataset
 * file is imported as versioned benchmark set(s) first; results go to stdout, one object per set name in the
 * file; progress goes to stderr.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { evaluateInputSchema } from '../../../api/evaluation.js';
import { cliSetResult, scriptLogEntry } from '../../evaluation/index.js';
import { asCliError, jobCommandOptions, jobResult, optionalNumber as num, parseCliInput, samplingOptions, withApp } from '../context.js';

export function registerEvalCommands(program: Command): void {
  samplingOptions(jobCommandOptions(program.command('eval'), 'print a JSON array with one object per set on stdout'), { unit: 'generation', maxTokens: '4096', seed: '42' })
    .description('Evaluate a model on a MedSSR-format benchmark file: N sampled generations, answer extraction, recovery pass; accuracy in percent')
    .requiredOption('--model <path>', 'GGUF model')
    .requiredOption('--dataset <file>', 'benchmark file in MedSSR format (JSON array of {id, question, gold, name})')
    .option('--generations <n>', 'sampled generations per question', '4')
    .option('--limit <n>', 'evaluate only the first N questions of each set')
    .option('--recovery <method>', 'recovery pass: grammar (one token, the question’s letters) or logit-bias (MedSSR’s script: +100 on the file’s letters, 1–2 tokens by model name)', 'grammar')
    .option('--no-recovery', 'skip the constrained recovery pass (answers not found count as invalid)')
    .option('--prompt-mode <mode>', 'auto (MedSSR’s rule: COT template when "base" is in the model’s file name, else chat template), chat or base', 'auto')
    .option('--by-file', 'with --json: print the per-file scores in the shape of the script’s .eval.log entries instead of one object per set')
    .option('--context-size <n>', 'context size per sequence (default: max tokens + 2048, at most the model’s training context)')
    .action(async (opts: Record<string, string | boolean | undefined>) => {
      await withApp({ db: opts.db as string | undefined }, async (app) => {
        let imported;
        try {
          imported = await app.call('evaluation.import', { path: path.resolve(String(opts.dataset)) });
        } catch (err) {
          throw asCliError(err);
        }
        if (!opts.quiet) {
          for (const s of imported.sets) process.stderr.write(`Benchmark "${s.name}" v${s.version}: ${s.questions} questions${s.created ? ' (imported)' : ' (already imported)'}\n`);
          if (imported.warnings.length) process.stderr.write(`${imported.warnings.length} note(s) on the file, e.g. ${imported.warnings[0]}\n`);
        }
        const input = parseCliInput(evaluateInputSchema, {
          benchmarkIds: imported.sets.map((s) => s.id),
          modelPath: path.resolve(String(opts.model)),
          ...(opts.adapter ? { adapterPath: path.resolve(String(opts.adapter)) } : {}),
          generations: num(opts.generations),
          ...(opts.limit !== undefined ? { limit: num(opts.limit) } : {}),
          sampling: { temperature: num(opts.temperature), topP: num(opts.topP), topK: num(opts.topK), maxTokens: num(opts.maxTokens), seed: num(opts.seed) },
          recovery: opts.recovery !== false,
          recoveryMethod: typeof opts.recovery === 'string' ? opts.recovery : 'grammar',
          promptMode: opts.promptMode,
          parallel: num(opts.parallel),
          ...(opts.threads ? { threads: num(opts.threads) } : {}),
          ...(opts.contextSize ? { contextSize: num(opts.contextSize) } : {}),
        });
        let jobId: string;
        try {
          jobId = (await app.call('evaluation.start', input)).jobId;
        } catch (err) {
          throw asCliError(err);
        }
        if (input.adapterPath) {
          // On stderr: stdout keeps the result's contract.
          const o = await app.call('evaluation.trainingOverlap', { adapterPath: input.adapterPath, benchmarkIds: input.benchmarkIds });
          if (!o.run && !opts.quiet) process.stderr.write('Note: no training run here wrote this adapter, so its training data is unknown; overlap with the benchmarks not checked\n');
          for (const b of o.benchmarks.filter((x) => x.ngramHits > 0 || x.nearDuplicates > 0)) {
            process.stderr.write(
              `Warning: ${b.benchmark} overlaps the training data of this adapter's run "${o.run?.name ?? '?'}": ${b.ngramHits} of ${o.questions} trained questions share a ${o.ngram}-gram with it, ${b.nearDuplicates} are near-duplicates; its score measures memory as well as skill\n`,
            );
          }
        }
        const r = await jobResult(app, jobId, 'evaluate', 'Evaluation', opts.quiet === true);
        const rows = r.results.map(cliSetResult);
        if (opts.json && opts.byFile) {
          const model = path.basename(String(opts.model));
          process.stdout.write(`${JSON.stringify(r.files.map((f) => scriptLogEntry(f, model)))}\n`);
          return;
        }
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(rows)}\n`);
          return;
        }
        for (const s of rows) {
          process.stdout.write(
            `${s.name}: ${s.accuracyMean.toFixed(2)} ± ${s.accuracyStd.toFixed(2)} % over ${s.n} questions × ${s.perGeneration.length} generations ` +
              `(per generation ${s.perGeneration.map((a) => a.toFixed(2)).join(', ')}); invalid ${s.invalid}, recovered ${s.recovered}\n`,
          );
        }
        // The script reports one score per file; show it where a file held several names.
        for (const f of r.files.filter((x) => x.benchmarkIds.length > 1)) {
          process.stdout.write(`file ${f.sourcePath ? path.basename(f.sourcePath) : f.dataset}: ${f.averageAccuracy.toFixed(2)} ± ${f.stdAccuracy.toFixed(2)} % over ${f.n} questions (as MedSSR's script reports it)\n`);
        }
        process.stdout.write(`Prompt: ${r.promptMode === 'base' ? 'COT template' : r.promptMode === 'chat' ? 'chat template' : 'stored'}; recovery: ${r.recoveryMethod}\n`);
        process.stdout.write(`Run ${r.runId}: ${r.questionsPerSecond} questions/s, ${r.tokensPerSecond} tokens/s (${r.parallel} parallel, ${r.threads} threads)\n`);
      });
    });
}
