/**
 * Full-parameter `sft` throughput of the native trainer on a nano llama (the shape the demo-model build trains):
 * embd 128, 4 layers, 4 heads, feed-forward 384, vocabulary 1024, context 256; random weights (tests/helpers/
 * tinyModels.ts), batches of random token sequences of the full context length.
 *
 *   npx tsx bench/sft.ts [--steps N] [--batch N] [--len N] [--threads 1,2] [--out NAME]
 *
 * Each thread count runs in its own trainer, interleaved step by step so that load from other processes on the
 * machine hits them alike; one warm-up update each, then the median and best of N. Tokens/s counts every token
 * through the model (forward + backward + AdamW on all ~1M weights); target tokens are n - 1 per sequence.
 * os.loadavg() before and after is recorded: on a shared machine the figures are only as good as that. The trainer's
 * own CPU time per update (/proc/<pid>/stat, Linux) is recorded too: at 1 thread, tokens per CPU-second is close to
 * what an idle machine gives (at 2 threads ggml's waiting threads spin, so CPU time over-counts there).
 * Writes bench/results/<NAME>.json (default sft).
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { TrainerProcess, type TrainerSftMetrics } from '../main/training/trainerProcess.js';
import { randomSequences } from '../tests/native/harness.js';
import { tinyModel } from '../tests/helpers/tinyModels.js';
import { percentile, writeBenchResult } from './results.js';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? (process.argv[i + 1] as string) : def;
}

const steps = Number(arg('steps', '6'));
const batch = Number(arg('batch', '16'));
const len = Number(arg('len', '256'));
const threadList = arg('threads', '1,2').split(',').map(Number);
const shape = { arch: 'llama' as const, nEmbd: 128, nLayer: 4, nHead: 4, nHeadKv: 4, nFf: 384, nVocab: 1024, contextLength: 256, seed: 7 };

/** utime + stime of a process in seconds (Linux; NaN elsewhere). */
function cpuSeconds(pid: number | undefined): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / 100;
  } catch {
    return NaN;
  }
}

async function main(): Promise<void> {
  const model = tinyModel(shape);
  const loadBefore = os.loadavg();
  const trainers = threadList.map(() => TrainerProcess.start());
  const metrics: TrainerSftMetrics[][] = threadList.map(() => []);
  const cpu: number[][] = threadList.map(() => []);
  try {
    let nParams = 0;
    for (const [i, t] of trainers.entries()) {
      const r = await t.init({ model, mode: 'full', threads: threadList[i], backend: 'cpu', seed: 1, optim: { lr: 1e-3 }, sft: { microBatch: batch } });
      nParams = r.nParams;
    }
    for (let s = 0; s <= steps; s++) {
      const data = randomSequences(1000 + s, batch, len, shape.nVocab, 1);
      for (const [i, t] of trainers.entries()) {
        const c0 = cpuSeconds(t.pid);
        const m = await t.sft(data);
        if (s > 0) {
          metrics[i]?.push(m);
          cpu[i]?.push(cpuSeconds(t.pid) - c0);
        }
      }
    }
    const loadAfter = os.loadavg();
    const rows = threadList.map((threads, i) => {
      const ms = metrics[i] ?? [];
      const seqTokPerS = ms.map((m) => m.sequence_tokens / m.step_time_s);
      return {
        threads,
        steps: ms.length,
        sequenceTokensPerStep: ms[0]?.sequence_tokens,
        medianTokensPerS: Math.round(percentile(seqTokPerS, 50)),
        bestTokensPerS: Math.round(Math.max(...seqTokPerS)),
        medianTargetTokensPerS: Math.round(percentile(ms.map((m) => m.tokens_per_s), 50)),
        medianStepTimeS: percentile(ms.map((m) => m.step_time_s), 50),
        medianCpuSecondsPerStep: percentile(cpu[i] ?? [], 50),
        tokensPerCpuSecond: Math.round(((ms[0]?.sequence_tokens ?? 0) * (cpu[i]?.length ?? 0)) / (cpu[i] ?? []).reduce((a, b) => a + b, 0)),
        peakMemoryBytes: Math.max(...ms.map((m) => m.peak_memory_bytes ?? 0)),
        lossFirst: ms[0]?.loss,
        lossLast: ms[ms.length - 1]?.loss,
      };
    });
    const result = {
      measuredAt: new Date().toISOString(),
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, loadavgBefore: loadBefore, loadavgAfter: loadAfter },
      model: { ...shape, nParams },
      batch: { sequences: batch, length: len },
      rows,
    };
    const file = writeBenchResult(arg('out', 'sft'), result);
    for (const r of rows)
      console.log(
        `threads ${r.threads}: ${r.medianTokensPerS} tokens/s median (best ${r.bestTokensPerS}), ${r.medianStepTimeS.toFixed(3)} s per ${r.sequenceTokensPerStep}-token update, ${r.tokensPerCpuSecond} tokens per CPU-second`,
      );
    console.log(`load average ${loadBefore.map((x) => x.toFixed(2)).join(' ')} -> ${loadAfter.map((x) => x.toFixed(2)).join(' ')}; wrote ${file}`);
  } finally {
    for (const t of trainers) await t.shutdown();
  }
}

await main();
