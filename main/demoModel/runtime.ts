/**
 * The real tokenizer and trainer behind a build: node-llama-cpp over the init GGUF (vocabulary only), and the
 * native trainer in full-parameter mode (native/README.md: `sft`, `loss`, `save.model`).
 */
import { getRuntime } from '../llm/index.js';
import { TrainerProcess, type TrainerInit } from '../training/index.js';
import type { SftTrainer, Tokenizer } from './build.js';

export async function openLlamaTokenizer(ggufPath: string): Promise<Tokenizer> {
  const llama = await getRuntime();
  const model = await llama.loadModel({ modelPath: ggufPath, vocabOnly: true });
  return {
    tokenize: (text, trimLeadingSpace) => [...(trimLeadingSpace ? model.tokenize(text, false, 'trimLeadingSpace') : model.tokenize(text, false))].map(Number),
    close: () => model.dispose(),
  };
}

export function startSftTrainer(opts: { binary?: string; onLog?: (line: string) => void } = {}): SftTrainer {
  const p = TrainerProcess.start({ ...(opts.binary ? { binary: opts.binary } : {}), ...(opts.onLog ? { onLog: opts.onLog } : {}) });
  return {
    init: (init) => p.init(init),
    sft: (sequences, masks) => p.sft(sequences, masks),
    loss: (sequences, masks) => p.loss(sequences, masks),
    save: (paths) => p.save(paths),
    shutdown: () => p.shutdown(),
    kill: () => p.kill(),
  };
}

export type { TrainerInit };
