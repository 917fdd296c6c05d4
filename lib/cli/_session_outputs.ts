/**
 * What `rec`, `stream` and `session` share: the flags that choose a session's outputs (a
 * recording file, local streaming, remote streaming), the file rules of asciinema 3.x, and
 * one function that assembles the outputs as sinks and runs the session. `rec FILE` is
 * `session -o FILE`; `stream` is `session` without a file.
 *
 * @module
 */
import { type Command, InvalidArgumentError, Option } from "commander";
import { type AppendInfo, createCastWriter, inspectForAppend } from "../asciicast/writer.ts";
import { type Format, FORMATS, outputFormat } from "../format/registry.ts";
import { createRemoteProducer, prepareRemoteStream } from "../remote/producer.ts";
import { compressWritable } from "../compress/compress_writable.ts";
import { fileWritable } from "../session/file_writable.ts";
import { runSession, type SinkFactory } from "../session/session.ts";
import { type ListenAddress, parseListenAddress } from "../stream/local_server.ts";
import { type LocalStream, startLocalStream } from "../stream/local_stream.ts";
import { loadConfig } from "./_config.ts";
import { info, warn } from "./_output.ts";
import { openOutputFile, type OutputWriterSettings, outputWriterSettings } from "./_output_file.ts";
import {
  parseIdleTimeLimit,
  type SessionFlags,
  sessionHeader,
  sessionOptionsFrom,
  type SessionParts,
  withSessionConfig,
} from "./_session_options.ts";
import { UsageError } from "./usage_error.ts";

/** The formats a session can record into as it goes. */
export const SESSION_FORMATS: readonly Format[] = FORMATS.filter((f) => f.live);

/** The default `--local` address: loopback, any free port. */
export const DEFAULT_LOCAL: ListenAddress = { hostname: "127.0.0.1", port: 0 };

/** Parsed output flags (file and streaming) on top of the session flags. */
export interface OutputFlags extends SessionFlags {
  /** `-o FILE` (or `rec FILE`). */
  outputFile?: string;
  /** `-f FORMAT`. */
  outputFormat?: string;
  /** `-a`. */
  append?: boolean;
  /** `--overwrite`. */
  overwrite?: boolean;
  /** `-i SECS`, stored in the header. */
  idleTimeLimit?: number;
  /** `--local [IP:PORT]`. */
  local?: ListenAddress | true;
  /** `--remote [ID|URL]`. */
  remote?: string | true;
  /** `--server-url URL`. */
  serverUrl?: string;
}

/** commander parser for `--local IP:PORT`. */
export function parseLocalFlag(text: string): ListenAddress {
  try {
    return parseListenAddress(text);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/** Adds `-f`, `-a`, `--overwrite` and `-i`: how the recording file is written. */
export function addFileOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        "-f, --output-format <format>",
        "asciicast-v3 (default), asciicast-v2, raw or txt (txt for a .txt file; the file's " +
          "format with --append)",
      ).choices(SESSION_FORMATS.map((f) => f.name)),
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
}

/** Adds `--local`, `--remote` and `--server-url`: where the session is streamed. */
export function addStreamOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        "-l, --local [IP:PORT]",
        "stream from this machine (default 127.0.0.1:0, a free port); a non-loopback " +
          "address gets a secret URL token",
      ).argParser(parseLocalFlag),
    )
    .option(
      "-r, --remote [ID|URL]",
      "stream through an asciinema server: a new stream, the one whose id starts with ID, " +
        "or a ws:// producer URL",
    )
    .option("--server-url <URL>", "the asciinema server (default: config, then a prompt)");
}

/** Options for {@linkcode runSessionWithOutputs}. */
export interface RunOptions {
  /** Extra variables for the recorded command (`rec` adds `ASCIINEMA_REC=1`). */
  env?: Record<string, string>;
  /** The word in "TTY not available, … in headless mode". */
  activity: "recording" | "streaming" | "running";
}

/**
 * Opens every output the flags ask for, runs one session feeding them all, prints the
 * status lines and sets `Deno.exitCode` for `--return`. Flags not given are taken from the
 * `[session]` keys of asciinema's config files.
 */
export async function runSessionWithOutputs(
  givenFlags: OutputFlags,
  options: RunOptions,
): Promise<void> {
  const config = (await loadConfig()).session;
  const flags = withSessionConfig(givenFlags, config);
  if (flags.idleTimeLimit === undefined && config.idleTimeLimit !== undefined) {
    flags.idleTimeLimit = config.idleTimeLimit;
  }
  const parts = sessionOptionsFrom(flags, options.env);
  const sinks: SinkFactory[] = [];
  let target: RecordingTarget | undefined;
  let live: LocalStream | undefined;
  let fileHandedOver = false;
  try {
    if (flags.local !== undefined) {
      const stream = live = await startLocalStreaming(
        flags.local === true ? DEFAULT_LOCAL : flags.local,
        parts,
      );
      sinks.push((start) => stream.sink(start));
    }
    if (flags.remote !== undefined) {
      sinks.push(await startRemoteStreaming(flags.remote, flags, parts));
    }
    // The file is opened last: a busy port or an unreachable server leaves no empty file.
    if (flags.outputFile !== undefined) {
      const file = target = await openRecordingTarget(flags.outputFile, flags);
      const version = file.format.name === "asciicast-v2" ? 2 : 3;
      const encoder = await file.format.load();
      sinks.push((start) => {
        const header = sessionHeader(start, parts, version, flags.idleTimeLimit);
        const writer = createCastWriter(file.writable, header, {
          encoder,
          append: file.append,
          ...file.writer,
          onError: () => parts.session.onNotice?.("Write error, recording suspended"),
        });
        fileHandedOver = true;
        return writer;
      });
    }
    if (parts.autoHeadless) info(`TTY not available, ${options.activity} in headless mode`);
    if (flags.outputFile !== undefined) info(`Recording to ${flags.outputFile}`);
    if (flags.command === undefined) info("Press <ctrl+d> or type 'exit' to end");
    const { status } = await runSession({ ...parts.session, sinks });
    if (flags.outputFile !== undefined) info(`Recorded to ${flags.outputFile}`);
    if (live || flags.remote !== undefined) info("Stream ended");
    if (parts.returnStatus) Deno.exitCode = status;
  } finally {
    if (target && !fileHandedOver) await target.writable.abort().catch(() => {});
    await live?.close();
  }
}

/**
 * Starts local streaming and prints where to watch (`::: Live streaming at URL`); on a
 * non-loopback address, also a warning that anyone with the URL can watch.
 */
async function startLocalStreaming(
  address: ListenAddress,
  parts: SessionParts,
): Promise<LocalStream> {
  const stream = await startLocalStream({
    hostname: address.hostname,
    port: address.port,
    title: parts.title,
    hub: { onNotice: parts.session.onNotice },
  }).catch((error) => {
    if (error instanceof Deno.errors.AddrInUse) {
      throw new Error(`cannot listen on ${address.hostname}:${address.port}: address in use`);
    }
    throw error;
  });
  if (stream.exposed) {
    warn(
      `Listening on ${address.hostname}, which is not a loopback address: anyone who can reach ` +
        "this machine and knows the URL (with its secret token) can watch" +
        (parts.session.captureInput ? ", including the keys you type" : ""),
    );
  }
  for (const url of stream.urls) info(`Live streaming at ${url}`);
  return stream;
}

/**
 * Starts remote streaming (`--remote [ID|URL]`): creates the stream on the asciinema server
 * (or re-opens the one whose id starts with ID; a `ws://`/`wss://` URL is used as is),
 * prints where to watch and returns the session's sink. Connection changes go to the
 * session's notices (notifications, never the terminal).
 */
async function startRemoteStreaming(
  target: string | true,
  flags: OutputFlags,
  parts: SessionParts,
): Promise<SinkFactory> {
  const endpoint = await prepareRemoteStream({
    target,
    serverUrl: flags.serverUrl,
    title: parts.title,
    env: parts.env,
  });
  info(`Live streaming at ${endpoint.viewerUrl ?? endpoint.wsUrl}`);
  return createRemoteProducer(endpoint, { onNotice: parts.session.onNotice });
}

/** Where and how the recording is written. */
interface RecordingTarget {
  /** The file, compressed on the way for a `.gz`/`.zst` name (or an appended compressed file). */
  writable: WritableStream<Uint8Array>;
  writer: OutputWriterSettings;
  format: Format;
  append?: AppendInfo;
}

/**
 * The file rules of asciinema 3.x: create (with parent directories); write into an empty
 * file or a non-file (a pipe, /dev/stdout) as it is; refuse an existing non-empty file
 * unless `--overwrite` or `--append`; append in the file's own format (and compression).
 */
async function openRecordingTarget(path: string, flags: OutputFlags): Promise<RecordingTarget> {
  if (flags.append && flags.overwrite) {
    throw new UsageError("--append and --overwrite cannot be used together");
  }
  const stat = await Deno.stat(path).catch((error) => {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  });
  if (!flags.append || !stat?.isFile || stat.size === 0) {
    const out = await openOutputFile(path, {
      live: true,
      format: flags.outputFormat,
      formats: SESSION_FORMATS,
      overwrite: flags.overwrite,
      createParents: true,
      existsMessage: "file exists, use --overwrite or --append",
    });
    return { writable: out.writable, writer: out.writer, format: out.format };
  }
  const append = await inspectForAppend(path);
  if (flags.outputFormat !== undefined && flags.outputFormat !== append.format) {
    throw new UsageError(
      `cannot append ${flags.outputFormat} to ${path}, which is ${append.format}; ` +
        `leave out -f to continue in its format`,
    );
  }
  // A line cut off by a crash is dropped before appending.
  if (append.validBytes !== undefined) await Deno.truncate(path, append.validBytes);
  const file = fileWritable(await Deno.open(path, { write: true, append: true }));
  const compression = append.compression;
  return {
    writable: compression ? compressWritable(file, compression) : file,
    writer: outputWriterSettings(compression, true),
    format: outputFormat(path, append.format),
    append,
  };
}
