/** Command-line arguments of `npm run serve`, validated with the same zod the Api uses. */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { defaultDataDir } from '../platform/dataDir.js';

export const serveUsage = 'Usage: npm run serve -- [--port N] [--host H] [--data-dir DIR] [--no-demo] [--behind-tls]';

export const defaultPort = 4780;

const argsSchema = z.object({
  port: z.coerce.number({ error: '--port must be a number' }).int('--port must be a whole number').min(0, '--port must be 0..65535').max(65535, '--port must be 0..65535'),
  host: z.string().min(1, '--host must not be empty').max(255),
  dataDir: z.string().min(1, '--data-dir must not be empty'),
  demo: z.boolean(),
  /** Reached through a TLS proxy: mark the session cookie Secure. */
  behindTls: z.boolean(),
  help: z.boolean(),
});
export type ServeArgs = z.infer<typeof argsSchema>;

export function parseServeArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): ServeArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      'no-demo': { type: 'boolean' },
      'behind-tls': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  const parsed = argsSchema.safeParse({
    port: values.port ?? env.MEDSSR_PORT ?? defaultPort,
    host: values.host ?? '127.0.0.1',
    dataDir: values['data-dir'] ?? defaultDataDir(env),
    demo: !values['no-demo'],
    behindTls: values['behind-tls'] === true || env.MEDSSR_BEHIND_TLS === '1',
    help: values.help ?? false,
  });
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join('; '));
  return parsed.data;
}

