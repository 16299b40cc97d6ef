/**
 * `training.importVerl`: a verl checkpoint's LoRA adapter converted (verlImport.ts) and registered as an
 * imported run with one final adapter, so it appears beside local adapters (Training page, `eval --adapter`,
 * merge) with its base model. The run has no steps, data or metrics of its own and says where it came from.
 */
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { presets, resolveSettings, type VerlImport } from '../../api/training.js';
import type { Db } from '../platform/db/open.js';
import { checkReadablePath } from '../platform/safePath.js';
import { TrainingRepo } from './store.js';
import { conversionCommand, locateVerlCheckpoint, peftToGguf } from './verlImport.js';

export async function importVerlCheckpoint(db: Db, dataDir: string, input: { checkpoint: string; base: string; name?: string | undefined; alpha?: number | undefined }): Promise<VerlImport> {
  const checkpoint = checkReadablePath(input.checkpoint, 'verl checkpoint', 'folder');
  const base = checkReadablePath(input.base, 'Base model file');
  const found = locateVerlCheckpoint(checkpoint);
  if (found.kind !== 'peft') throw new Error(conversionCommand(found, `${path.basename(path.dirname(checkpoint))}-merged.gguf`));
  const repo = new TrainingRepo(db);
  // Convert into a scratch file first: nothing is registered unless the adapter fits its base.
  const scratch = path.join(dataDir, 'training', `.verl-import-${process.pid}-${Date.now()}.gguf`);
  mkdirSync(path.dirname(scratch), { recursive: true });
  let conv;
  try {
    conv = await peftToGguf(found.dir, base, scratch, input.alpha !== undefined ? { alpha: input.alpha } : {});
  } catch (err) {
    rmSync(scratch, { force: true });
    throw err;
  }
  const step = Number(/global_step_(\d+)/.exec(found.dir)?.[1] ?? 0);
  const stage = /stage2/.test(found.dir) ? 2 : 1;
  const settings = resolveSettings({
    preset: 'full-gpu',
    settings: { loraRank: conv.rank, loraAlpha: conv.alpha, loraTargets: conv.targets as (typeof presets)['full-gpu']['settings']['loraTargets'], stage1Steps: 0, stage2Steps: 0 },
  });
  const run = repo.createRun({
    name: input.name ?? `verl import: ${path.basename(path.dirname(path.dirname(found.dir))) || path.basename(found.dir)}`,
    jobId: null,
    modelPath: base,
    preset: 'full-gpu',
    input: { importedFrom: { verlCheckpoint: found.dir, step, stage } },
    settings,
    data: { stage1: null, stage2: null },
    outDir: (id) => path.join(dataDir, 'training', `run-${id}`),
    items: [],
  });
  mkdirSync(run.outDir, { recursive: true });
  const dest = path.join(run.outDir, `verl-step-${step}.gguf`);
  renameSync(scratch, dest);
  repo.insertAdapter(run.id, { step, stage, kind: 'final', path: dest });
  repo.log(run.id, 'info', `Imported from the verl checkpoint ${found.dir}: ${conv.arch}, rank ${conv.rank}, alpha ${conv.alpha}, ${conv.tensors} tensors over ${conv.layers.length} layers (${conv.targets.join(', ')}); trained outside MedSSR Studio, so this run has no steps or metrics`);
  repo.setState(run.id, 'completed');
  const adapter = repo.adapters(run.id)[0];
  if (!adapter) throw new Error('the imported adapter was not recorded');
  return { runId: run.id, adapterId: adapter.id, path: dest, arch: conv.arch, rank: conv.rank, alpha: conv.alpha, tensors: conv.tensors, layers: conv.layers.length };
}
