/**
 * The demo's example over a built nano model: its held-out questions (the Evaluation page's set) and its stage-2
 * questions with gold answers (the Training page's stage-2 file), each a MedSSR JSON file beside the model, cut
 * from the split's question file the build wrote. Written only when absent or different, so that importing the
 * held-out file twice finds the same set (the evaluation keys a set by its content).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { DemoExample } from '../../api/demoModel.js';
import { writeFileAtomic } from '../platform/atomicFile.js';
import { readCard, sidecarPaths } from './build.js';

interface SplitEntry {
  id: string;
  question: string;
  gold: string;
  name: string;
}

export function examplePaths(model: string): { heldOut: string; stage2: string } {
  const base = model.replace(/\.gguf$/i, '');
  return { heldOut: `${base}.heldout.json`, stage2: `${base}.stage2.json` };
}

function writeIfChanged(file: string, text: string): void {
  if (existsSync(file) && readFileSync(file, 'utf8') === text) return;
  writeFileAtomic(file, text);
}

/** The example's files beside `model` (the handler adds the registry id). */
export function writeExample(model: string): Omit<DemoExample, 'modelId'> {
  if (!existsSync(model)) throw new Error(`${model} does not exist`);
  const side = sidecarPaths(model);
  const card = readCard(side.card);
  if (!card) throw new Error(`${model} is not a nano demo model: no card (${side.card})`);
  let entries: SplitEntry[];
  try {
    entries = JSON.parse(readFileSync(side.questions, 'utf8')) as SplitEntry[];
  } catch (err) {
    throw new Error(`${side.questions} cannot be read: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!Array.isArray(entries)) throw new Error(`${side.questions} is not a list of questions`);
  const heldOut = entries.filter((q) => q.name === 'nano-heldout');
  const stage2 = entries.filter((q) => q.name === 'nano-stage2');
  if (heldOut.length === 0) throw new Error(`${side.questions} has no held-out questions (name "nano-heldout")`);
  const paths = examplePaths(model);
  writeIfChanged(paths.heldOut, `${JSON.stringify(heldOut, null, 1)}\n`);
  writeIfChanged(paths.stage2, `${JSON.stringify(stage2, null, 1)}\n`);
  return { model, card, heldOut: { path: paths.heldOut, name: 'nano-heldout', questions: heldOut.length }, stage2: { path: paths.stage2, questions: stage2.length } };
}
