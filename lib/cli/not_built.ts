/**
 * A placeholder for a command that this version does not have yet: it answers `--help` and
 * says plainly that it is not built, exiting with status 1.
 *
 * @module
 */
import { Command } from "./command.ts";

/**
 * Makes a command that shows help but refuses to run.
 *
 * @example
 * ```ts
 * import { notBuiltCommand } from "./not_built.ts";
 * const cmd = notBuiltCommand("serve", "run a relay server");
 * ```
 */
export function notBuiltCommand(name: string, description: string): Command {
  return new Command(name)
    .description(`${description} (not built yet)`)
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .action(() => {
      throw new Error(`'asciirec ${name}' is not built yet in this version of asciirec`);
    });
}
