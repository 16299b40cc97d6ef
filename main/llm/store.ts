/** SQL for the model registry (GGUF files the app knows about). */
import type { ModelInfo } from '../../api/synthesis.js';
import type { Db } from '../platform/db/open.js';

interface Raw {
  id: string;
  name: string;
  path: string;
  copied: number;
  size_bytes: number;
  architecture: string | null;
  parameters: number | null;
  quantization: string | null;
  context_length: number | null;
  chat_template: string | null;
  added_at: string;
}

const toInfo = (r: Raw): ModelInfo => ({
  id: r.id,
  name: r.name,
  path: r.path,
  copied: r.copied === 1,
  sizeBytes: r.size_bytes,
  architecture: r.architecture,
  parameters: r.parameters,
  quantization: r.quantization,
  contextLength: r.context_length,
  chatTemplate: r.chat_template,
  addedAt: r.added_at,
});

export class ModelsRepo {
  constructor(private readonly db: Db) {}

  list(): ModelInfo[] {
    return (this.db.prepare('SELECT * FROM llm_models ORDER BY added_at DESC').all() as Raw[]).map(toInfo);
  }

  get(id: string): ModelInfo | null {
    const r = this.db.prepare('SELECT * FROM llm_models WHERE id = ?').get(id) as Raw | undefined;
    return r ? toInfo(r) : null;
  }

  byPath(path: string): ModelInfo | null {
    const r = this.db.prepare('SELECT * FROM llm_models WHERE path = ?').get(path) as Raw | undefined;
    return r ? toInfo(r) : null;
  }

  insert(m: ModelInfo): void {
    this.db
      .prepare(
        `INSERT INTO llm_models (id, name, path, copied, size_bytes, architecture, parameters, quantization, context_length, chat_template, added_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(m.id, m.name, m.path, m.copied ? 1 : 0, m.sizeBytes, m.architecture, m.parameters, m.quantization, m.contextLength, m.chatTemplate, m.addedAt);
  }

  remove(id: string): void {
    this.db.prepare('DELETE FROM llm_models WHERE id = ?').run(id);
  }
}
