/**
 * `asciirec session`: one PTY session with any mix of outputs — a recording file (`-o`),
 * local live streaming (`--local`) and remote streaming through an asciinema server
 * (`--remote`) — sharing one event fan-out.
 *
 * @module
 */
import { Command } from "./command.ts";
import { setQuiet } from "./_output.ts";
import { addSessionOptions } from "./_session_options.ts";
import {
  addFileOptions,
  addStreamOptions,
  type OutputFlags,
  runSessionWithOutputs,
} from "./_session_outputs.ts";
import { UsageError } from "./usage_error.ts";

/** Builds the `session` command. */
export function sessionCommand(): Command {
  const cmd = new Command("session")
    .description("record and stream a terminal session at once")
    .option("-o, --output-file <path>", "record into this file (parent directories are created)");
  return addSessionOptions(addStreamOptions(addFileOptions(cmd)))
    .addHelpText(
      "after",
      `
At least one of -o, --local, --remote. All outputs share one session.

Examples:
  asciirec session -o demo.cast --local
  asciirec session -o build.cast --local 0.0.0.0:8080 -c 'make' --headless`,
    )
    .action(async (flags: OutputFlags) => {
      setQuiet(Boolean(flags.quiet));
      if (
        flags.outputFile === undefined && flags.local === undefined && flags.remote === undefined
      ) {
        throw new UsageError("nothing to do: give -o FILE, --local [IP:PORT] and/or --remote");
      }
      await runSessionWithOutputs(flags, { activity: "running" });
    });
}
