/**
 * What `rec`, `stream` and `session` share: the flags that choose a session's outputs (a
 * recording file, local streaming, remote streaming), the file rules of asciinema 3.x, and
 * one function that assembles the outputs as sinks and runs the session. `rec FILE` is
 * `session -o FILE`; `stream` is `session` without a file.
 *
 * @module
 */
import { type Command, InvalidArgumentError, Option } from "./command.ts";
import { type AppendInfo, createCastWriter } from "../asciicast/writer.ts";
import { type Format, FORMATS, outputFormat } from "../format/registry.ts";
import type { RemoteForwarder } from "../remote/forwarder.ts";
import type { LiveHub } from "../stream/live_hub.ts";
import { fileWritable } from "../session/file_writable.ts";
import { runSession, type SinkFactory } from "../session/session.ts";
import {
  type ListenAddress,
  parseListenAddress,
  reachableHosts,
  tokenProblem,
} from "../stream/listen_address.ts";
import type { LocalStream } from "../stream/local_stream.ts";
import { loadConfig } from "../config/asciinema_config.ts";
import { redactText } from "../redact/redact_text.ts";
import { type Redaction, redactionFrom } from "./_redact_options.ts";
import { info, verbose, warn } from "./_output.ts";
import {
  compressedWritable,
  openOutputFile,
  type OutputWriterSettings,
  outputWriterSettings,
} from "./_output_file.ts";
import {
  parseIdleTimeLimit,
  type SessionFlags,
  sessionHeader,
  sessionOptionsFrom,
  type SessionParts,
  withSessionConfig,
} from "./_session_options.ts";
import { UsageError } from "./usage_error.ts";
import {
  announceTls,
  loadServerTls,
  type ServerTls,
  type TlsFlags,
  wantsTls,
} from "./_tls_options.ts";
import type { ViewerCountDisplay } from "./_viewer_count.ts";

/** The formats a session can record into as it goes. */
export const SESSION_FORMATS: readonly Format[] = FORMATS.filter((f) => f.live);

/** The default `--local` address: loopback, any free port. */
export const DEFAULT_LOCAL: ListenAddress = { hostname: "127.0.0.1", port: 0 };

/** Parsed output flags (file and streaming) on top of the session flags. */
export interface OutputFlags extends SessionFlags, TlsFlags {
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
  /** `--no-rewind` sets it false. */
  rewind?: boolean;
  /** `--rewind-memory BYTES` (hidden: tests and benchmarks). */
  rewindMemory?: number;
  /** `--max-viewers N`. */
  maxViewers?: number;
  /** `--token TOKEN` (else `ASCIIREC_TOKEN`). */
  token?: string;
  /** `--qr`. */
  qr?: boolean;
}

function _positiveInteger(flag: string) {
  return (text: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) {
      throw new InvalidArgumentError(`${flag} must be a whole number of at least 1.`);
    }
    return n;
  };
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
    .option("--server-url <URL>", "the asciinema server (default: config, then a prompt)")
    .option("--no-rewind", "with --local: do not keep the session for viewers to rewind")
    .addOption(
      new Option("--rewind-memory <bytes>", "rewind log memory before spilling to a file")
        .argParser(_positiveInteger("--rewind-memory")).hideHelp(),
    )
    .option(
      "--max-viewers <N>",
      "with --local: most viewers at once (more get a page saying the stream is full)",
      _positiveInteger("--max-viewers"),
    )
    .option(
      "--token <TOKEN>",
      "with --local: this secret URL token (at least 128 bits) instead of a new one each time, " +
        "even on loopback; also read from $ASCIIREC_TOKEN",
    )
    .option("--qr", "with --local: print a QR code of the URL (for phones)")
    .addOption(
      new Option(
        "--tls",
        "with --local: serve HTTPS/WSS; without --tls-cert, a self-signed certificate made in " +
          "memory",
      ),
    )
    .option("--tls-cert <FILE>", "with --local: serve HTTPS/WSS with this certificate (PEM)")
    .option("--tls-key <FILE>", "the certificate's private key (PEM)");
}

/** The flags that only make sense with `--local`, as the user wrote them. */
function _localOnlyFlags(flags: OutputFlags): string[] {
  const given: string[] = [];
  if (flags.rewind === false) given.push("--no-rewind");
  if (flags.maxViewers !== undefined) given.push("--max-viewers");
  if (flags.token !== undefined) given.push("--token");
  if (flags.qr) given.push("--qr");
  if (wantsTls(flags)) given.push("--tls");
  return given;
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
  const fullConfig = await loadConfig();
  const config = fullConfig.session;
  const flags = withSessionConfig(givenFlags, config);
  if (flags.idleTimeLimit === undefined && config.idleTimeLimit !== undefined) {
    flags.idleTimeLimit = config.idleTimeLimit;
  }
  const parts = sessionOptionsFrom(flags, options.env);
  if (flags.local === undefined) {
    const stray = _localOnlyFlags(flags);
    if (stray.length > 0) {
      throw new UsageError(`${stray.join(", ")} ${stray.length === 1 ? "needs" : "need"} --local`);
    }
  }
  const token = flags.local === undefined ? undefined : _token(flags);
  // Secrets are redacted at the session's emit point, before the file and every stream.
  const redaction = await redactionFrom(flags, fullConfig.redact, warn);
  if (redaction) {
    parts.session.redaction = { rules: redaction.rules, holdMs: redaction.holdMs };
    redactParts(parts, redaction);
  }
  const sinks: SinkFactory[] = [];
  let target: RecordingTarget | undefined;
  let local: LocalStream | undefined;
  let forwarder: RemoteForwarder | undefined;
  let fileHandedOver = false;
  let display: ViewerCountDisplay | undefined;
  if (flags.local !== undefined) {
    const { ViewerCountDisplay } = await import("./_viewer_count.ts");
    display = new ViewerCountDisplay({
      terminal: !parts.session.headless && Deno.stdout.isTerminal(),
    });
  }
  // One live state for the session, whatever streams it: local viewers and the remote
  // forwarder subscribe to the same terminal.
  // Streaming code (the emulator worker, the player page, WebSockets) loads only when used.
  const live = flags.local !== undefined || flags.remote !== undefined
    ? new (await import("../stream/live_hub.ts")).LiveHub({
      onNotice: parts.session.onNotice,
      maxViewers: flags.maxViewers,
      onCount: display && ((n) => display!.count(n)),
      rewind: flags.local !== undefined && flags.rewind !== false
        ? { memoryBytes: flags.rewindMemory }
        : undefined,
    })
    : undefined;
  if (display) live!.subscribe(display);
  try {
    if (flags.local !== undefined) {
      const address = flags.local === true ? DEFAULT_LOCAL : flags.local;
      local = await startLocalStreaming(live!, address, parts, {
        token,
        qr: Boolean(flags.qr),
        tls: await loadServerTls(flags, _certificateAddresses(address.hostname)),
      });
    }
    if (flags.remote !== undefined) {
      forwarder = await startRemoteStreaming(live!, flags.remote, flags, parts);
    }
    if (live) {
      // A flood's output reaches the live state merged per turn (the file gets every event).
      const { TurnMerger } = await import("../stream/turn_merger.ts");
      sinks.push((start) => {
        live.begin(start);
        return new TurnMerger(live);
      });
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
    if (redaction) info(redaction.summary);
    if (flags.outputFile !== undefined) info(`Recording to ${flags.outputFile}`);
    if (flags.command === undefined) info("Press <ctrl+d> or type 'exit' to end");
    // Streaming keeps the main thread busy with every chunk (emulator, viewers): the PTY is
    // read on a thread of its own, so the program never waits for that work.
    const readThread = live !== undefined;
    const { status } = await runSession({ ...parts.session, sinks, readThread });
    await forwarder?.finished;
    if (flags.outputFile !== undefined) {
      if (await _stillThere(flags.outputFile, target!)) info(`Recorded to ${flags.outputFile}`);
      else {
        warn(
          `${flags.outputFile} was deleted or replaced during the recording: the recording is lost`,
        );
      }
    }
    if (live) info("Stream ended");
    if (live) {
      const { LiveState } = await import("../stream/live_state.ts");
      verbose(`live: ${LiveState.emulatorsMade} terminal emulator(s) ran for this session`);
    }
    if (parts.returnStatus) Deno.exitCode = status;
  } finally {
    if (target && !fileHandedOver) await target.writable.abort().catch(() => {});
    if (live && !live.ended) await live.close();
    await forwarder?.finished;
    await local?.close();
    display?.close();
  }
}

/** `--token`, else `$ASCIIREC_TOKEN`, checked; `undefined` for a new random one. */
function _token(flags: OutputFlags): string | undefined {
  const token = flags.token ?? (Deno.env.get("ASCIIREC_TOKEN") || undefined);
  if (token === undefined) return undefined;
  const problem = tokenProblem(token);
  if (problem) throw new UsageError(`--token: ${problem}`);
  return token;
}

/** The addresses a self-signed certificate must name for a server bound to `hostname`. */
function _certificateAddresses(hostname: string): string[] {
  return hostname === "0.0.0.0" || hostname === "::" ? reachableHosts(hostname) : [hostname];
}

/**
 * Starts the local server for the session's live state and prints where to watch
 * (`::: Live streaming at URL`, one per address viewers can reach); on a non-loopback
 * address, also a warning that anyone with the URL can watch; with TLS, the certificate's
 * fingerprint; with `--qr`, a QR code of the first URL.
 */
async function startLocalStreaming(
  live: LiveHub,
  address: ListenAddress,
  parts: SessionParts,
  extra: { token?: string; qr: boolean; tls?: ServerTls },
): Promise<LocalStream> {
  const { startLocalStream } = await import("../stream/local_stream.ts");
  const stream = await startLocalStream({
    live,
    hostname: address.hostname,
    port: address.port,
    title: parts.title,
    token: extra.token,
    tls: extra.tls?.files,
  }).catch((error) => {
    if (error instanceof Deno.errors.AddrInUse) {
      throw new Error(`cannot listen on ${address.hostname}:${address.port}: address in use`);
    }
    if (extra.tls && !(error instanceof Deno.errors.PermissionDenied)) {
      throw new Error(`cannot serve TLS with the given certificate and key: ${error.message}`);
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
  if (extra.tls) announceTls(extra.tls);
  for (const url of stream.urls) info(`Live streaming at ${url}`);
  if (extra.qr && stream.urls[0]) {
    const { encodeQr, qrToTerminal } = await import("../term/qr_code.ts");
    Deno.stderr.writeSync(new TextEncoder().encode(qrToTerminal(encodeQr(stream.urls[0]))));
  }
  return stream;
}

/**
 * Starts remote streaming (`--remote [ID|URL]`): creates the stream on the asciinema server
 * (or re-opens the one whose id starts with ID; a `ws://`/`wss://` URL is used as is),
 * prints where to watch and starts forwarding the session's live state. Connection changes
 * go to the session's notices (notifications, never the terminal).
 */
async function startRemoteStreaming(
  live: LiveHub,
  target: string | true,
  flags: OutputFlags,
  parts: SessionParts,
): Promise<RemoteForwarder> {
  const { prepareRemoteStream } = await import("../remote/producer.ts");
  const { RemoteForwarder } = await import("../remote/forwarder.ts");
  const endpoint = await prepareRemoteStream({
    target,
    serverUrl: flags.serverUrl,
    title: parts.title,
    env: parts.env,
  });
  info(`Live streaming at ${endpoint.viewerUrl ?? endpoint.wsUrl}`);
  return new RemoteForwarder(endpoint, live, { onNotice: parts.session.onNotice });
}

/** The header fields of a session (title, command, captured variables), secrets redacted. */
function redactParts(parts: SessionParts, redaction: Redaction): void {
  const clean = (text: string) => redactText(redaction.rules, text, "input");
  if (parts.title !== undefined) parts.title = clean(parts.title);
  if (parts.command !== undefined) parts.command = clean(parts.command);
  for (const [name, value] of Object.entries(parts.env)) parts.env[name] = clean(value);
}

/** Where and how the recording is written. */
interface RecordingTarget {
  /** The file, compressed on the way for a `.gz`/`.zst` name (or an appended compressed file). */
  writable: WritableStream<Uint8Array>;
  writer: OutputWriterSettings;
  format: Format;
  append?: AppendInfo;
  /** The file's identity when opened (a regular file), to notice it being deleted. */
  identity?: { dev: number; ino: number | null };
}

/** Whether `path` is still the file the recording was written into. */
async function _stillThere(path: string, target: RecordingTarget): Promise<boolean> {
  if (!target.identity) return true;
  try {
    const now = await Deno.stat(path);
    return now.dev === target.identity.dev && now.ino === target.identity.ino;
  } catch {
    return false;
  }
}

function _identity(info: Deno.FileInfo): RecordingTarget["identity"] {
  return info.isFile ? { dev: info.dev, ino: info.ino } : undefined;
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
    const identity = _identity(await Deno.stat(path));
    return { writable: out.writable, writer: out.writer, format: out.format, identity };
  }
  const { inspectForAppend } = await import("../asciicast/append.ts");
  const append = await inspectForAppend(path);
  if (flags.outputFormat !== undefined && flags.outputFormat !== append.format) {
    throw new UsageError(
      `cannot append ${flags.outputFormat} to ${path}, which is ${append.format}; ` +
        `leave out -f to continue in its format`,
    );
  }
  // A line cut off by a crash is dropped before appending.
  if (append.validBytes !== undefined) await Deno.truncate(path, append.validBytes);
  const opened = await Deno.open(path, { write: true, append: true });
  const identity = _identity(opened.statSync());
  const file = fileWritable(opened);
  const compression = append.compression;
  return {
    writable: await compressedWritable(file, compression),
    writer: outputWriterSettings(compression, true),
    format: outputFormat(path, append.format),
    append,
    identity,
  };
}
