#!/usr/bin/env node
/** `medssr` entry: parses the command line, runs the command, maps failures to stderr and exit codes. */
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CommanderError } from 'commander';
import { errorMessage } from '../../api/contract.js';
import { commandRegistrations } from './commands/index.js';
import { CliError } from './context.js';
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

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram(commandRegistrations, version());
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof CliError) {
      process.stderr.write(`Error: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`Error: ${errorMessage(err)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv);
