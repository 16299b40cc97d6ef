#!/usr/bin/env node
/** `medssr` entry: parses the command line, runs the command, maps failures to stderr and exit codes. */
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CommanderError } from 'commander';
import { errorMessage } from '../../api/contract.js';
import { commandRegistrations } from './commands/index.js';
import { CliError, diskFullMessage, lastDatabasePath, readOnlyRefusal } from './context.js';
import { buildProgram } from './program.js';

function version(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? '0.0.0';
    dir = path.dirname(dir);
  }
  return '0.0.0';
}

/**
 * A reader that stops early (`medssr reviewers list | head`) closes the pipe: the command then finishes quietly
 * instead of dying on an unhandled EPIPE with a stack; what it still writes to stdout goes nowhere, and the
 * command's own work (a job, a closed database) ends as it would have.
 */
function quietOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    stream.write = (() => true) as typeof stream.write;
  });
}

export async function main(argv: string[]): Promise<number> {
  quietOnClosedPipe(process.stdout);
  const program = buildProgram(commandRegistrations, version());
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    const cause = err instanceof CliError && err.cause !== undefined ? err.cause : err;
    const special = readOnlyRefusal(cause) ?? diskFullMessage(cause, lastDatabasePath());
    if (special) {
      process.stderr.write(`Error: ${special}\n`);
      return 1;
    }
    if (err instanceof CliError) {
      process.stderr.write(`Error: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`Error: ${errorMessage(err)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv);
