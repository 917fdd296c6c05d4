/**
 * The command line: builds the `asciirec` program from one module per command, runs it, and
 * turns every failure into `error: …` on stderr with the exit status the user expects
 * (2 for usage errors, 1 for everything else).
 *
 * @module
 */
import { Command, CommanderError } from "commander";
import denoJson from "../../deno.json" with { type: "json" };
import { UsageError } from "./usage_error.ts";
import { catCommand } from "./cat.ts";
import { convertCommand } from "./convert.ts";
import { recCommand } from "./rec.ts";
import { playCommand } from "./play.ts";
import { streamCommand } from "./stream.ts";
import { sessionCommand } from "./session.ts";
import { uploadCommand } from "./upload.ts";
import { authCommand } from "./auth.ts";
import { serveCommand } from "./serve.ts";
import { grepCommand } from "./grep.ts";

/** The program's version, from deno.json. */
export const VERSION: string = denoJson.version;

/** Builds the `asciirec` command with every subcommand. */
export function buildProgram(): Command {
  const program = new Command("asciirec")
    .description(
      "Record, play and stream terminal sessions (asciicast v1/v2/v3, ALiS live streams).",
    )
    .version(`asciirec ${VERSION}`, "-V, --version", "print the version")
    .helpOption("-h, --help", "show help")
    .helpCommand("help [command]", "show help for a command")
    .exitOverride()
    .showSuggestionAfterError(true);
  for (
    const command of [
      recCommand(),
      playCommand(),
      catCommand(),
      convertCommand(),
      streamCommand(),
      sessionCommand(),
      uploadCommand(),
      authCommand(),
      serveCommand(),
      grepCommand(),
    ]
  ) {
    program.addCommand(command.exitOverride().showSuggestionAfterError(true));
  }
  return program;
}

/**
 * Expands an unambiguous prefix of a command name (`asciirec conv` → `convert`), as the
 * asciinema CLI does.
 */
export function expandCommandPrefix(program: Command, args: string[]): string[] {
  const first = args[0];
  if (first === undefined || first.startsWith("-")) return args;
  const names = program.commands.flatMap((c) => [c.name(), ...c.aliases()]);
  if (names.includes(first) || first === "help") return args;
  const matches = program.commands.filter((c) =>
    [c.name(), ...c.aliases()].some((n) => n.startsWith(first))
  );
  return matches.length === 1 ? [matches[0]!.name(), ...args.slice(1)] : args;
}

function debugWanted(args: string[]): boolean {
  return args.includes("--verbose") || Boolean(Deno.env.get("ASCIIREC_DEBUG"));
}

/**
 * Runs the program on the given arguments and returns the exit status: 0 on success, 2 for
 * usage errors, 1 for any other failure (printed as `error: …`). A command may itself set
 * `Deno.exitCode` (e.g. `rec --return`).
 */
export async function run(args: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(expandCommandPrefix(program, args), { from: "user" });
    return Deno.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander has already printed its message (usage errors) or the help text.
      if (
        error.code === "commander.helpDisplayed" || error.code === "commander.version" ||
        error.code === "commander.help"
      ) return 0;
      if (error.code === "commander.executeSubCommandAsync") return 1;
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    console.error(`error: ${message}`);
    if (debugWanted(args) && error instanceof Error && error.stack) console.error(error.stack);
    return error instanceof UsageError ? 2 : 1;
  }
}
