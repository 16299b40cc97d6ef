/**
 * The real tokenizer and trainer behind a build: node-llama-cpp over the init GGUF (vocabulary only), and the
 * native trainer in full-parameter mode through its line protocol (native/README.md, `sft` / `loss` / `save`).
 */
import { getRuntime } from '../llm/index.js';
import { TrainerProcess } from '../training/index.js';
import type { SftTrainer, Tokenizer } from './build.js';

export async function openLlamaTokenizer(ggufPath: string): Promise<Tokenizer> {
  const llama = await getRuntime();
  const model = await llama.loadModel({ modelPath: ggufPath, vocabOnly: true });
  return {
    tokenize: (text, trimLeadingSpace) => [...(trimLeadingSpace ? model.tokenize(text, false, 'trimLeadingSpace') : model.tokenize(text, false))].map(Number),
    close: () => model.dispose(),
  };
}

interface Metrics {
  loss: number;
  tokens: number;
  grad_norm?: number;
  lr?: number;
}

export function startSftTrainer(opts: { binary?: string; onLog?: (line: string) => void } = {}): SftTrainer {
  const p = TrainerProcess.start({ ...(opts.binary ? { binary: opts.binary } : {}), ...(opts.onLog ? { onLog: opts.onLog } : {}) });
  return {
    async init(init) {
      const { cpu, cuda, vulkan } = p.backendDirs;
      const r = await p.request({ cmd: 'init', ...init, backendDirs: { cpu, cuda, vulkan } }, 'ready');
      return r as unknown as Awaited<ReturnType<SftTrainer['init']>>;
    },
    async sft(sequences, masks) {
      const r = await p.request({ cmd: 'sft', sequences, masks }, 'sft');
      return r.metrics as Metrics;
    },
    async loss(sequences, masks) {
      const r = await p.request({ cmd: 'loss', sequences, masks }, 'loss');
      return { loss: Number(r.loss), tokens: Number(r.tokens) };
    },
    save: (paths) => p.request({ cmd: 'save', ...paths }, 'saved'),
    shutdown: () => p.shutdown(),
    kill: () => p.kill(),
  };
}
