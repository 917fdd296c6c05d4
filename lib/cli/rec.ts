/**
 * `asciirec rec FILE`: record a terminal session into a file (asciicast v3 by default; v2, raw
 * output or plain text), with asciinema 3.x's flags and file rules (refuse an existing file
 * unless `--overwrite` or `--append`; append continues the file's format and timeline).
 *
 * @module
 */
import { dirname } from "node:path";
import { Command, Option } from "commander";
import {
  type AppendInfo,
  createCastWriter,
  inspectForAppend,
  type OutputFormat,
} from "../asciicast/writer.ts";
import { fileWritable } from "../session/file_writable.ts";
import { runSession } from "../session/session.ts";
import { info, setQuiet } from "./_output.ts";
import {
  addSessionOptions,
  parseIdleTimeLimit,
  type SessionFlags,
  sessionHeader,
  sessionOptionsFrom,
} from "./_session_options.ts";
import { UsageError } from "./usage_error.ts";

const FORMATS: OutputFormat[] = ["asciicast-v3", "asciicast-v2", "raw", "txt"];

interface RecFlags extends SessionFlags {
  outputFormat?: OutputFormat;
  append?: boolean;
  overwrite?: boolean;
  idleTimeLimit?: number;
}

/** Builds the `rec` command. */
export function recCommand(): Command {
  const cmd = new Command("rec")
    .alias("record")
    .description("record a terminal session into a file")
    .argument("<file>", "file to write; parent directories are created")
    .addOption(
      new Option(
        "-f, --output-format <format>",
        "asciicast-v3 (default), asciicast-v2, raw or txt (default txt for a .txt file; " +
          "the file's format with --append)",
      ).choices(FORMATS),
    )
    .addOption(
      new Option("-a, --append", "append to an existing recording").conflicts("overwrite"),
    )
    .option("--overwrite", "overwrite the file if it exists")
    .option(
      "-i, --idle-time-limit <secs>",
      "idle time limit for players, saved in the header",
      parseIdleTimeLimit,
    );
  return addSessionOptions(cmd)
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
    .action(async (file: string, flags: RecFlags) => {
      setQuiet(Boolean(flags.quiet));
      await record(file, flags);
    });
}

/** Where and how the recording is written. */
interface Target {
  file: Deno.FsFile;
  format: OutputFormat;
  append?: AppendInfo;
}

async function record(path: string, flags: RecFlags): Promise<void> {
  const target = await openTarget(path, flags);
  const parts = sessionOptionsFrom(flags, { ASCIINEMA_REC: "1" });
  let handedOver = false;
  try {
    if (parts.autoHeadless) info("TTY not available, recording in headless mode");
    info(`Recording to ${path}`);
    if (flags.command === undefined) info("Press <ctrl+d> or type 'exit' to end");
    const version = target.format === "asciicast-v2" ? 2 : 3;
    const { status } = await runSession({
      ...parts.session,
      sinks: [(start) => {
        const header = sessionHeader(start, parts, version, flags.idleTimeLimit);
        const writer = createCastWriter(fileWritable(target.file), header, {
          format: target.format,
          append: target.append,
          onError: () => parts.session.onNotice?.("Write error, recording suspended"),
        });
        handedOver = true;
        return writer;
      }],
    });
    info(`Recorded to ${path}`);
    if (parts.returnStatus) Deno.exitCode = status;
  } finally {
    if (!handedOver) target.file.close();
  }
}

/** Applies the file rules (create, overwrite, append, refuse) and opens the file. */
async function openTarget(path: string, flags: RecFlags): Promise<Target> {
  if (flags.append && flags.overwrite) {
    throw new UsageError("--append and --overwrite cannot be used together");
  }
  const stat = await Deno.stat(path).catch((error) => {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  });
  const byName: OutputFormat = /\.txt$/i.test(path) ? "txt" : "asciicast-v3";

  if (stat === undefined) {
    const parent = dirname(path);
    if (parent !== ".") await Deno.mkdir(parent, { recursive: true });
    const file = await Deno.open(path, { write: true, createNew: true });
    return { file, format: flags.outputFormat ?? byName };
  }
  if (stat.isDirectory) throw new Error(`${path} is a directory`);

  // Not a regular file (a pipe, /dev/stdout) or empty: write to it as it is.
  if (!stat.isFile || stat.size === 0) {
    const file = await Deno.open(path, { write: true, truncate: stat.isFile });
    return { file, format: flags.outputFormat ?? byName };
  }
  if (flags.overwrite) {
    const file = await Deno.open(path, { write: true, truncate: true });
    return { file, format: flags.outputFormat ?? byName };
  }
  if (!flags.append) throw new Error("file exists, use --overwrite or --append");

  const append = await inspectForAppend(path);
  if (flags.outputFormat !== undefined && flags.outputFormat !== append.format) {
    throw new UsageError(
      `cannot append ${flags.outputFormat} to ${path}, which is ${append.format}; ` +
        `leave out -f to continue in its format`,
    );
  }
  if (append.validBytes !== undefined) await Deno.truncate(path, append.validBytes);
  const file = await Deno.open(path, { write: true, append: true });
  return { file, format: append.format, append };
}
