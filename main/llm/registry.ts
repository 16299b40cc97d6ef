/**
 * The model registry: GGUF files referenced where they are or copied into the data folder, with the header
 * metadata the Models page shows. Downloading by Hugging Face URI goes through node-llama-cpp's resolver and is
 * optional: offline it fails with a message and nothing is registered.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { resolveModelFile } from 'node-llama-cpp';
import type { ModelFit, ModelInfo } from '../../api/synthesis.js';
import { copyFileAtomic } from '../platform/atomicFile.js';
import type { Db } from '../platform/db/open.js';
import { ModelsRepo } from './store.js';
import { checkReadablePath } from '../platform/safePath.js';
import { modelFit, readGgufSummary } from './ggufMetadata.js';
import { assertModelLoadable } from './modelCheck.js';
import { getRuntime } from './llama.js';
import { assertReachable, downloadOrigin } from './networkCheck.js';

/** A download that delivers no bytes for this long is treated as a lost connection. */
const STALL_MS = 60_000;

export class ModelRegistry {
  readonly repo: ModelsRepo;

  constructor(
    db: Db,
    private readonly dataDir: string,
  ) {
    this.repo = new ModelsRepo(db);
  }

  get modelsDir(): string {
    return path.join(this.dataDir, 'models');
  }

  list(): ModelInfo[] {
    return this.repo.list();
  }

  async add(file: string, opts: { copy?: boolean; name?: string } = {}): Promise<ModelInfo> {
    const source = checkReadablePath(file, 'Model file');
    // Refused here, by file and field, what a job would otherwise fail on (or abort llama.cpp with) later.
    const check = await assertModelLoadable(source);
    const weightCheck = check ? { mode: check.weights.mode, tensors: check.weights.tensors, bytesRead: check.weights.bytesRead } : undefined;
    const { summary } = await readGgufSummary(source);
    let target = source;
    if (opts.copy) {
      mkdirSync(this.modelsDir, { recursive: true });
      target = path.join(this.modelsDir, path.basename(source));
      if (target !== source) {
        if (existsSync(target)) throw new Error(`A model named ${path.basename(source)} is already in ${this.modelsDir}`);
        copyFileAtomic(source, target);
      }
    }
    const existing = this.repo.byPath(target);
    if (existing) return weightCheck ? { ...existing, weightCheck } : existing;
    const info: ModelInfo = {
      id: randomUUID(),
      // The file name tells models apart; general.name is often just the architecture ("llama").
      name: opts.name ?? path.basename(target).replace(/\.gguf$/i, ''),
      path: target,
      copied: target !== source,
      sizeBytes: summary.sizeBytes,
      architecture: summary.architecture,
      parameters: summary.parameters,
      quantization: summary.quantization,
      contextLength: summary.contextLength,
      chatTemplate: summary.chatTemplate,
      addedAt: new Date().toISOString(),
    };
    this.repo.insert(info);
    return weightCheck ? { ...info, weightCheck } : info;
  }

  /** Forgets a model; a copy in the data folder is deleted, a referenced file is left alone. */
  remove(id: string): void {
    const m = this.repo.get(id);
    if (!m) throw new Error(`No model with id ${id}`);
    this.repo.remove(id);
    if (m.copied) rmSync(m.path, { force: true });
  }

  async fit(id: string): Promise<ModelFit> {
    const m = this.repo.get(id);
    if (!m) throw new Error(`No model with id ${id}`);
    const { info } = await readGgufSummary(m.path);
    return modelFit(await getRuntime(), info);
  }

  /**
   * Downloads `uri` (e.g. "hf:user/repo:Q4_K_M" or an https URL) into the data folder and registers it. Fails
   * fast with "No network: …" when the host cannot be reached, and when the transfer stalls; a cancelled or
   * failed download leaves no partial file behind.
   */
  async download(uri: string, onProgress?: (done: number, total: number) => void, signal?: AbortSignal): Promise<ModelInfo> {
    mkdirSync(this.modelsDir, { recursive: true });
    const origin = downloadOrigin(uri);
    await assertReachable(origin, 8000, signal);
    const before = new Set(readdirSync(this.modelsDir));
    const stall = new AbortController();
    let watchdog: NodeJS.Timeout | undefined;
    const armWatchdog = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => stall.abort(new Error(`No network: no data from ${new URL(origin).host} for ${STALL_MS / 1000} s`)), STALL_MS);
    };
    const combined = signal ? AbortSignal.any([signal, stall.signal]) : stall.signal;
    // The resolver ignores the signal while it looks the file up, so the race makes cancel and stalls prompt.
    const aborted = new Promise<never>((_, reject) => {
      if (combined.aborted) reject(combined.reason);
      combined.addEventListener('abort', () => reject(combined.reason), { once: true });
    });
    let file: string;
    try {
      armWatchdog();
      const resolving = resolveModelFile(uri, {
        directory: this.modelsDir,
        download: 'auto',
        cli: false,
        signal: combined,
        deleteTempFileOnCancel: true,
        onProgress: ({ downloadedSize, totalSize }) => {
          if (combined.aborted) return;
          armWatchdog();
          onProgress?.(downloadedSize, totalSize);
        },
      });
      resolving.catch(() => undefined);
      file = await Promise.race([resolving, aborted]);
    } catch (err) {
      this.removePartial(before);
      if (signal?.aborted) throw signal.reason;
      const message = err instanceof Error ? err.message : String(err);
      throw new Error(message.startsWith('No network:') ? message : `Could not download ${uri}: ${message}`);
    } finally {
      clearTimeout(watchdog);
      aborted.catch(() => undefined);
    }
    return this.add(file);
  }

  /** Deletes what a failed download left in the models folder (files that were not there before it). */
  private removePartial(before: Set<string>): void {
    for (const name of readdirSync(this.modelsDir)) {
      const full = path.join(this.modelsDir, name);
      if (!before.has(name) && !this.repo.byPath(full)) rmSync(full, { force: true, recursive: true });
    }
  }
}
