/**
 * `asciirec session`: one PTY session with any mix of outputs — a recording file (`-o`),
 * local live streaming (`--local`) and remote streaming through an asciinema server
 * (`--remote`) — sharing one event fan-out. `rec FILE` is `session -o FILE`; `stream --local` is `session --local`.
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
import { runSession, type SinkFactory } from "../session/session.ts";
import type { ListenAddress } from "../stream/local_server.ts";
import type { LocalStream } from "../stream/local_stream.ts";
import { info, setQuiet } from "./_output.ts";
import {
  addSessionOptions,
  parseIdleTimeLimit,
  type SessionFlags,
  sessionHeader,
  sessionOptionsFrom,
} from "./_session_options.ts";
import {
  DEFAULT_LOCAL,
  parseLocalFlag,
  startLocalStreaming,
  startRemoteStreaming,
} from "./stream.ts";
import { UsageError } from "./usage_error.ts";

const FORMATS: OutputFormat[] = ["asciicast-v3", "asciicast-v2", "raw", "txt"];

interface SessionCommandFlags extends SessionFlags {
  outputFile?: string;
  outputFormat?: OutputFormat;
  append?: boolean;
  overwrite?: boolean;
  idleTimeLimit?: number;
  local?: ListenAddress | true;
  remote?: string | true;
  serverUrl?: string;
}

/** Builds the `session` command. */
export function sessionCommand(): Command {
  const cmd = new Command("session")
    .description("record and stream a terminal session at once")
    .option("-o, --output-file <path>", "record into this file (parent directories are created)")
    .addOption(
      new Option(
        "-f, --output-format <format>",
        "asciicast-v3 (default), asciicast-v2, raw or txt (txt for a .txt file; the file's " +
          "format with --append)",
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
    )
    .addOption(
      new Option(
        "-l, --local [IP:PORT]",
        "stream from this machine (default 127.0.0.1:0); a non-loopback address gets a " +
          "secret URL token",
      ).argParser(parseLocalFlag),
    )
    .option(
      "-r, --remote [ID|URL]",
      "stream through an asciinema server: a new stream, the one whose id starts with ID, " +
        "or a ws:// producer URL",
    )
    .option("--server-url <URL>", "the asciinema server (default: config, then a prompt)");
  return addSessionOptions(cmd)
    .addHelpText(
      "after",
      `
At least one of -o, --local, --remote. All outputs share one session.

Examples:
  asciirec session -o demo.cast --local
  asciirec session -o build.cast --local 0.0.0.0:8080 -c 'make' --headless`,
    )
    .action(async (flags: SessionCommandFlags) => {
      setQuiet(Boolean(flags.quiet));
      if (
        flags.outputFile === undefined && flags.local === undefined && flags.remote === undefined
      ) {
        throw new UsageError("nothing to do: give -o FILE, --local [IP:PORT] and/or --remote");
      }
      await session(flags);
    });
}

async function session(flags: SessionCommandFlags): Promise<void> {
  const parts = sessionOptionsFrom(flags);
  const sinks: SinkFactory[] = [];
  let target: _Target | undefined;
  let live: LocalStream | undefined;
  let fileHandedOver = false;
  try {
    if (flags.local !== undefined) {
      const stream = live = await startLocalStreaming(
        flags.local === true ? DEFAULT_LOCAL : flags.local,
        {
          title: parts.title,
          captureInput: parts.session.captureInput,
          onNotice: parts.session.onNotice,
        },
      );
      sinks.push((start) => stream.sink(start));
      // The file (if any) is opened after the server is up: a busy port leaves no empty file.
    }
    if (flags.remote !== undefined) {
      sinks.push(
        await startRemoteStreaming(flags.remote, {
          serverUrl: flags.serverUrl,
          title: parts.title,
          env: parts.env,
          onNotice: parts.session.onNotice,
        }),
      );
    }
    if (flags.outputFile !== undefined) {
      const path = flags.outputFile;
      const file = target = await _openTarget(path, flags);
      const version = file.format === "asciicast-v2" ? 2 : 3;
      sinks.push((start) => {
        const header = sessionHeader(start, parts, version, flags.idleTimeLimit);
        const writer = createCastWriter(fileWritable(file.file), header, {
          format: file.format,
          append: file.append,
          onError: () => parts.session.onNotice?.("Write error, recording suspended"),
        });
        fileHandedOver = true;
        return writer;
      });
    }
    if (parts.autoHeadless) info("TTY not available, running in headless mode");
    if (flags.outputFile !== undefined) info(`Recording to ${flags.outputFile}`);
    if (flags.command === undefined) info("Press <ctrl+d> or type 'exit' to end");
    const { status } = await runSession({ ...parts.session, sinks });
    if (flags.outputFile !== undefined) info(`Recorded to ${flags.outputFile}`);
    if (live || flags.remote !== undefined) info("Stream ended");
    if (parts.returnStatus) Deno.exitCode = status;
  } finally {
    if (target && !fileHandedOver) target.file.close();
    await live?.close();
  }
}

/** Where and how the recording is written. */
interface _Target {
  file: Deno.FsFile;
  format: OutputFormat;
  append?: AppendInfo;
}

/**
 * The file rules of `rec` (asciinema 3.x): create (with parent directories); refuse an
 * existing non-empty file unless `--overwrite` or `--append`; append in the file's format.
 */
async function _openTarget(path: string, flags: SessionCommandFlags): Promise<_Target> {
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
