/**
 * The command line: builds the `asciirec` program from one module per command, runs it, and
 * turns every failure into `error: …` on stderr with the exit status the user expects
 * (2 for usage errors, 1 for everything else).
 *
 * @module
 */
import type { Command } from "./command.ts";
import denoJson from "../../deno.json" with { type: "json" };
import { setVerbose } from "./_output.ts";
import { UsageError } from "./usage_error.ts";

/** The program's version, from deno.json. */
export const VERSION: string = denoJson.version;

/** One command: what `--help` lists, and how to load the whole command when it runs. */
interface CommandEntry {
  name: string;
  aliases?: string[];
  summary: string;
  /** Loads the command's module (one dynamic import: nothing else is loaded for it). */
  load(): Promise<Command>;
}

/** Every command, in `--help` order. Only the command that runs is loaded. */
const COMMANDS: readonly CommandEntry[] = [
  {
    name: "rec",
    aliases: ["record"],
    summary: "record a terminal session into a file",
    load: async () => (await import("./rec.ts")).recCommand(),
  },
  {
    name: "play",
    summary: "play a recording in this terminal",
    load: async () => (await import("./play.ts")).playCommand(),
  },
  {
    name: "watch",
    summary: "watch a live stream in this terminal",
    load: async () => (await import("./watch.ts")).watchCommand(),
  },
  {
    name: "cat",
    summary: "join recordings into one, on one timeline (to stdout or a file)",
    load: async () => (await import("./cat.ts")).catCommand(),
  },
  {
    name: "convert",
    summary: "convert a recording (asciicast v3/v2, raw, text) or export it (SVG, GIF, PNG, HTML)",
    load: async () => (await import("./convert.ts")).convertCommand(),
  },
  {
    name: "edit",
    summary: "cut, trim, speed up or mark a recording; the screen stays right after every cut",
    load: async () => (await import("./edit.ts")).editCommand(),
  },
  {
    name: "grep",
    summary: "search the text a viewer saw in recordings, with times to play from",
    load: async () => (await import("./grep.ts")).grepCommand(),
  },
  {
    name: "stream",
    summary: "stream a terminal session live",
    load: async () => (await import("./stream.ts")).streamCommand(),
  },
  {
    name: "session",
    summary: "record and stream a terminal session at once",
    load: async () => (await import("./session.ts")).sessionCommand(),
  },
  {
    name: "upload",
    summary: "upload a recording to an asciinema server",
    load: async () => (await import("./upload.ts")).uploadCommand(),
  },
  {
    name: "auth",
    summary: "link this machine (its install id) to your asciinema server account",
    load: async () => (await import("./auth.ts")).authCommand(),
  },
  {
    name: "redact",
    summary: "redact secrets in a recording, or --verify that it has none",
    load: async () => (await import("./redact.ts")).redactCommand(),
  },
  {
    name: "tape",
    summary: "run a VHS tape headless: the same recording every time, golden-text checks",
    load: async () => (await import("./tape.ts")).tapeCommand(),
  },
  {
    name: "serve",
    summary: "run a self-hosted relay for live streams and uploads (asciinema server API)",
    load: async () => (await import("./serve.ts")).serveCommand(),
  },
];

/** commander, loaded when a command line is parsed (not for `--version`). */
async function _commander(): Promise<typeof import("./command.ts")> {
  return await import("./command.ts");
}

function _root(Command: typeof import("./command.ts").Command): Command {
  return new Command("asciirec")
    .description(
      "Record, play and stream terminal sessions (asciicast v1/v2/v3, ALiS live streams).",
    )
    .version(`asciirec ${VERSION}`, "-V, --version", "print the version")
    .helpOption("-h, --help", "show help")
    .helpCommand("help [command]", "show help for a command")
    .exitOverride()
    .showSuggestionAfterError(true);
}

/** `--verbose` on a command: more status lines, and stack traces of errors. */
function _withVerbose(command: Command): Command {
  return command
    .option("--verbose", "print more status lines, and the stack trace of an error")
    .hook("preAction", (_root, action) => {
      if (action.opts().verbose) setVerbose(true);
    });
}

/**
 * Builds the `asciirec` command: `load` names the commands to load whole (the one that runs);
 * the others are only listed, with their summaries.
 */
export async function buildProgram(load: readonly string[] = []): Promise<Command> {
  const { Command } = await _commander();
  const program = _root(Command);
  for (const entry of COMMANDS) {
    const command = load.includes(entry.name)
      ? _withVerbose(await entry.load())
      : new Command(entry.name).description(entry.summary).aliases(entry.aliases ?? []);
    program.addCommand(command.exitOverride().showSuggestionAfterError(true));
  }
  return program;
}

/** The command an argument list runs (after prefix expansion), if it names one. */
function _commandOf(args: string[]): string | undefined {
  const word = args[0] === "help" ? args[1] : args[0];
  if (word === undefined) return undefined;
  return COMMANDS.find((c) => c.name === word || c.aliases?.includes(word))?.name;
}

/**
 * Expands an unambiguous prefix of a command name (`asciirec conv` → `convert`), as the
 * asciinema CLI does.
 */
export function expandCommandPrefix(args: string[]): string[] {
  const first = args[0];
  if (first === undefined || first.startsWith("-")) return args;
  const names = COMMANDS.flatMap((c) => [c.name, ...(c.aliases ?? [])]);
  if (names.includes(first) || first === "help") return args;
  const matches = COMMANDS.filter((c) =>
    [c.name, ...(c.aliases ?? [])].some((n) => n.startsWith(first))
  );
  return matches.length === 1 ? [matches[0]!.name, ...args.slice(1)] : args;
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
  if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
    // Answered before the argument parser loads: it costs more than the rest of start-up.
    console.log(`asciirec ${VERSION}`);
    return 0;
  }
  if (debugWanted(args)) setVerbose(true);
  try {
    const expanded = expandCommandPrefix(args);
    const name = _commandOf(expanded);
    const program = await buildProgram(name === undefined ? [] : [name]);
    await program.parseAsync(expanded, { from: "user" });
    return Deno.exitCode;
  } catch (error) {
    if (error instanceof (await _commander()).CommanderError) {
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
