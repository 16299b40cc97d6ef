import { Command } from 'commander';

/** Returns the named parent command (e.g. `import`, `export`), creating it once, so domains can share it. */
export function subcommandGroup(program: Command, name: string, description: string): Command {
  const existing = program.commands.find((c) => c.name() === name);
  if (existing) return existing;
  return program.command(name).description(description);
}

export function buildProgram(registrations: ((program: Command) => void)[], version: string): Command {
  const program = new Command('medssr')
    .description('MedSSR Studio without a window: knowledge import and search, synthesis, labeling, training, evaluation')
    .version(version)
    // The program's own options (-V/--version) count only before the command name, so a command's `--version N`
    // (a dataset version) reaches that command instead of printing the program's version and doing nothing.
    .enablePositionalOptions()
    .showHelpAfterError()
    .exitOverride();
  for (const register of registrations) register(program);
  return program;
}
