/** How an Api method is declared: its zod input, who may call it in LAN mode and, as a phantom type, its output. */
import { z } from 'zod';

/**
 * Who may call a method when the server is reached over the network (LAN mode, behind a login):
 * `reviewer` any signed-in account; `admin` admins only; `loopback` nobody over the network (a command-line or
 * desktop facility). On the desktop (IPC) and on a loopback server there is no login and every method answers.
 */
export const methodAccessLevels = ['reviewer', 'admin', 'loopback'] as const;
export type MethodAccess = (typeof methodAccessLevels)[number];

export interface MethodDef<I extends z.ZodType, O> {
  input: I;
  access: MethodAccess;
  /** Phantom field carrying the output type; never read at run time. */
  output?: O;
}

/**
 * `method<Output>(access)(inputSchema)`: the output type is given, the input type inferred from the schema.
 * `access` defaults to admin, so a new method is never open to reviewers by accident.
 */
export function method<O>(access: MethodAccess = 'admin') {
  return <I extends z.ZodType>(input: I): MethodDef<I, O> => ({ input, access });
}

/** The input of a method that takes none. */
export const emptyInput = z.object({}).strict().default({});
