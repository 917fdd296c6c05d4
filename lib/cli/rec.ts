/**
 * `asciirec rec FILE`: record a terminal session into a file (asciicast v3 by default; v2, raw
 * output or plain text), with asciinema 3.x's flags and file rules (refuse an existing file
 * unless `--overwrite` or `--append`; append continues the file's format and timeline).
 * It is `session -o FILE` with `ASCIINEMA_REC=1` for the recorded command.
 *
 * @module
 */
import { Command } from "./command.ts";
import { setQuiet } from "./_output.ts";
import { addSessionOptions } from "./_session_options.ts";
import { addFileOptions, type OutputFlags, runSessionWithOutputs } from "./_session_outputs.ts";

/** Builds the `rec` command. */
export function recCommand(): Command {
  const cmd = new Command("rec")
    .alias("record")
    .description("record a terminal session into a file")
    .argument("<file>", "file to write; parent directories are created");
  return addSessionOptions(addFileOptions(cmd))
    .addHelpText(
      "after",
      `
Keys while recording: ctrl+\\ pauses and resumes (--pause-key), --marker-key adds a marker,
--prefix-key makes both need a prefix. The recorded command sees ASCIINEMA_REC=1, ASCIIREC=1.
Headless (--headless, or no terminal) with stdin from a pipe or file: stdin is typed into the
session, e.g.  printf 'ls\\nexit\\n' | asciirec rec -c sh demo.cast

Examples:
  asciirec rec demo.cast
  asciirec rec -c 'htop' --marker-key '^g' demo.cast
  asciirec rec --headless -c 'make test' --window-size 120x40 ci.cast
  asciirec rec -a demo.cast        # continue an earlier recording`,
    )
    .action(async (file: string, flags: OutputFlags) => {
      setQuiet(Boolean(flags.quiet));
      await runSessionWithOutputs({ ...flags, outputFile: file }, {
        env: { ASCIINEMA_REC: "1" },
        activity: "recording",
      });
    });
}
