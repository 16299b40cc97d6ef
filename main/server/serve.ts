#!/usr/bin/env node
/**
 * `npm run serve`: browser mode. node dist/main/server/serve.js [--port N] [--host H] [--data-dir D] [--no-demo] [--behind-tls]
 */
import { errorMessage } from '../../api/contract.js';
import { parseServeArgs, serveUsage } from './serveArgs.js';
import { startServer } from './server.js';

async function main(): Promise<void> {
  const args = parseServeArgs(process.argv.slice(2));
  if (args.help) {
    console.log(serveUsage);
    return;
  }
  const server = await startServer({ dataDir: args.dataDir, port: args.port, host: args.host, seedDemo: args.demo, loginOptions: { secureCookies: args.behindTls } });
  console.log(`MedSSR Studio is running in browser mode at ${server.url}`);
  console.log(`Data folder: ${args.dataDir}${server.readOnly ? ' (read-only: serving reads; every change is refused)' : ''}`);
  if (!server.loopback) {
    console.warn(`Warning: listening on ${server.address} (${args.host}); other machines can reach this server, so a login is required.`);
  }
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(`medssr serve: ${errorMessage(err)}`);
  process.exit(1);
});
