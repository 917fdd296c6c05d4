/**
 * `asciirec tape FILE.tape`: runs a VHS tape headless and writes its outputs (asciicast,
 * golden text, image formats the registry has); `--validate` only parses; `--check`
 * compares golden text with the committed files; `--update` rewrites them. The work lives in
 * `lib/tape/tape_main.ts`, loaded when the command runs.
 *
 * Exit status: 0 done; 1 the tape failed while running or `--check` found a difference; 2 the
 * tape or the command line is wrong (nothing was started).
 *
 * @module
 */
import { Command, Option } from "./command.ts";
import { info, setQuiet, warn } from "./_output.ts";
import { UsageError } from "./usage_error.ts";

interface TapeFlags {
  output?: string[];
  tapeOutputs: boolean;
  outputFormat?: string;
  validate?: boolean;
  check?: boolean;
  update?: boolean;
  fast?: boolean;
  quiet?: boolean;
}

/**
 * Builds the `tape` command.
 *
 * @example
 * ```ts
 * import { tapeCommand } from "./tape.ts";
 * await tapeCommand().parseAsync(["--validate", "demo.tape"], { from: "user" });
 * ```
 */
export function tapeCommand(): Command {
  return new Command("tape")
    .description("run a VHS tape headless: the same recording every time, golden-text checks")
    .argument("<files...>", "the .tape file to run (several with --validate)")
    .option(
      "-o, --output <file>",
      "also write FILE: .cast, .txt/.ascii (golden text) or an image format; repeatable",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option("--no-tape-outputs", "ignore the tape's own Output and Screenshot commands")
    .addOption(
      new Option("-f, --output-format <format>", "asciicast version of .cast outputs")
        .choices(["asciicast-v3", "asciicast-v2"]),
    )
    .option("--validate", "only parse: list every error (exit 2), or exit 0")
    .option("--check", "compare the golden-text outputs with the files there (exit 1 with a diff)")
    .option("--update", "rewrite the golden-text outputs, saying which changed")
    .option(
      "--fast",
      "end a Sleep once output has been quiet for 100 ms (its length stays in the recording)",
    )
    .option("-q, --quiet", "hide status lines, progress and warnings")
    .addHelpText(
      "after",
      `
Examples:
  asciirec tape demo.tape                      # writes the tape's Output files
  asciirec tape demo.tape -o demo.cast         # ... and an asciicast recording
  asciirec tape --no-tape-outputs -o demo.cast demo.tape
  asciirec tape --check demo.tape              # CI: exit 1 with a diff when a screen changed
  asciirec tape --validate tapes/*.tape`,
    )
    .action(async (files: string[], flags: TapeFlags) => {
      setQuiet(Boolean(flags.quiet));
      if (!flags.validate && files.length > 1) {
        throw new UsageError(
          `tape runs one file at a time (got ${files.length}); --validate takes several`,
        );
      }
      if (flags.check && flags.update) {
        throw new UsageError("--check and --update cannot be used together");
      }
      const { tapeMain } = await import("../tape/tape_main.ts");
      const encoder = new TextEncoder();
      const stderr = (text: string) => Deno.stderr.writeSync(encoder.encode(text));
      const showProgress = !flags.quiet && Deno.stderr.isTerminal();
      Deno.exitCode = await tapeMain(files, {
        outputs: flags.output ?? [],
        tapeOutputs: flags.tapeOutputs,
        castFormat: flags.outputFormat,
        validate: flags.validate,
        check: flags.check,
        update: flags.update,
        fast: flags.fast,
      }, {
        info,
        warn,
        error: (message) => stderr(message + "\n"),
        progress: showProgress
          ? (line) => stderr(`\r\x1b[2K${line.length > 0 ? `::: ${line}` : ""}`)
          : undefined,
      });
    });
}
