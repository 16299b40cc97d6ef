/** The 'download-model' job: fetches a GGUF by Hugging Face URI or https URL and registers it, with byte progress. */
import { downloadModelSchema } from '../../api/synthesis.js';
import { defineJobHandler, type AnyJobHandler } from '../platform/jobs/types.js';
import type { ModelRegistry } from './registry.js';

function mib(bytes: number): string {
  return (bytes / (1 << 20)).toFixed(1);
}

export function downloadModelJobHandler(registry: ModelRegistry): AnyJobHandler {
  return defineJobHandler<'download-model'>({
    kind: 'download-model',
    parseParams: (raw) => downloadModelSchema.parse(raw),
    title: ({ uri }) => `Download ${uri}`,
    run: async ({ uri }, ctx) => {
      ctx.progress({ done: 0, total: null, message: 'Connecting', unit: 'bytes' });
      return registry.download(
        uri,
        (done, total) => ctx.progress({ done, total: total > 0 ? total : null, message: `Downloading ${mib(done)} / ${total > 0 ? mib(total) : '?'} MiB`, unit: 'bytes' }),
        ctx.signal,
      );
    },
  });
}
