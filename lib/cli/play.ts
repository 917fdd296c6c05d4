/**
 * `asciirec play`: play a recording in this terminal.
 *
 * With a terminal on stdin and stdout, playback runs in raw mode and obeys the player keys;
 * the terminal is given back as it was on every way out (end, `q`, ctrl+c, a malformed line
 * mid-file, SIGTERM/SIGHUP): raw mode off, modes the recording switched on (alternate
 * screen, mouse reporting, bracketed paste…) switched off, attributes reset, cursor shown.
 * Without a terminal (stdin or stdout redirected), the output is written to stdout with the
 * recording's timing and no keys, which is what pipes and scripts want.
 *
 * @module
 */
import { Command, InvalidArgumentError } from "./command.ts";
import { type Event, formatSize, type Size } from "../asciicast/event.ts";
import { openRecording, type Recording } from "../asciicast/reader.ts";
import { formatClock, parseTimePoint, type TimePoint } from "../asciicast/time_spec.ts";
import { eventsFrom } from "../play/events_from.ts";
import { play, type PlayStatus } from "../play/player.ts";
import { TerminalModes } from "../play/terminal_modes.ts";
import { HostTerminal } from "../term/host_terminal.ts";
import { loadConfig } from "../config/asciinema_config.ts";
import { info, setQuiet, warn } from "./_output.ts";
import { ProgressBar } from "./_progress.ts";
import { UsageError } from "./usage_error.ts";

/** Parsed flags of `asciirec play`. */
interface PlayFlags {
  speed?: number;
  idleTimeLimit?: number;
  loop?: boolean;
  pauseOnMarkers?: boolean;
  resize?: boolean;
  from?: TimePoint;
  quiet?: boolean;
}

const HELP_AFTER = `
Keys while playing:
  space   pause / resume
  .       while paused: play the next event that shows something
  ]       play up to and including the next marker, then pause
  + / -   double / halve the speed
  q, ^C   quit

FILE may be a path, an http(s):// URL (played while it downloads) or - for stdin, and
may be gzip or zstd compressed. A live stream's URL is for asciirec watch.
--from TIME starts at TIME with the screen as it was there (what came before is replayed
into a terminal in memory first, which takes a moment on a long recording). TIME is
seconds (12.5), mm:ss[.fff], hh:mm:ss[.fff] (as grep prints), marker:LABEL or mN.
Without a terminal on stdin and stdout, the output goes to stdout with its timing and
keys are not read. --loop reopens FILE for each pass, so it cannot be used with -.
Without -s or -i, [playback] speed and idle_time_limit in asciinema's config.toml apply;
its pause_key, step_key and next_marker_key rebind those keys.

Examples:
  asciirec play demo.cast
  asciirec play -s 2 -i 1 https://example.com/demo.cast
  asciirec play --from 03:12.457 session.cast.zst
  asciirec play --from marker:deploy demo.cast
  asciirec rec -q /dev/stdout | asciirec play -`;

/** Builds the `play` command. */
export function playCommand(): Command {
  return new Command("play")
    .description("play a recording in this terminal")
    .argument("<file>", "recording to play: path, http(s):// URL or - (stdin)")
    .option("-s, --speed <factor>", "playback speed, a positive number (default: 1)", _parseSpeed)
    .option(
      "-i, --idle-time-limit <secs>",
      "shorten every pause to at most this many seconds (overrides the file's limit)",
      _parseIdleTimeLimit,
    )
    .option("-l, --loop", "play again from the start until quit")
    .option("-m, --pause-on-markers", "pause at each marker")
    .option("-r, --resize", "resize the terminal to the recording's size (ESC [ 8 ; rows ; cols t)")
    .option(
      "--from <time>",
      "start at TIME (seconds, mm:ss.fff, hh:mm:ss, marker:LABEL, mN) with its screen",
      _parseFrom,
    )
    .option("-q, --quiet", "print no info lines or warnings")
    .addHelpText("after", HELP_AFTER)
    .action((file: string, flags: PlayFlags) => _play(file, flags));
}

function _parseSpeed(value: string): number {
  const speed = Number(value);
  if (value.trim() === "" || !Number.isFinite(speed) || speed <= 0) {
    throw new InvalidArgumentError("The speed must be a positive number, e.g. 2 or 0.5.");
  }
  return speed;
}

function _describe(point: TimePoint): string {
  if (point.kind === "time") return formatClock(point.time);
  return point.kind === "marker" ? `marker:${point.label}` : `m${point.number}`;
}

function _parseFrom(value: string): TimePoint {
  try {
    return parseTimePoint(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

function _parseIdleTimeLimit(value: string): number {
  const limit = Number(value);
  if (value.trim() === "" || !Number.isFinite(limit) || limit < 0) {
    throw new InvalidArgumentError("The idle time limit must be a number of seconds, 0 or more.");
  }
  return limit;
}

const encoder = new TextEncoder();

/** Where playback goes: the host terminal (raw mode, keys) or plain stdout. */
interface _Output {
  write: (bytes: Uint8Array) => void;
  input?: ReadableStream<Uint8Array>;
  /** The terminal's size when the output is a terminal. */
  size?: Size;
  /** Raw mode on (host terminal only). */
  start(): void;
  /** Raw mode off; idempotent. */
  restore(): void;
}

function _openOutput(): _Output {
  // Signals are handled by `_play`, which resets the modes the recording left on first.
  const term = HostTerminal.open({ exitOnSignal: false });
  if (term) {
    return {
      write: (bytes) => term.write(bytes),
      input: term.input,
      size: term.size(),
      start: () => term.setRaw(true),
      restore: () => term.restore(),
    };
  }
  const stdout = Deno.stdout;
  let size: Size | undefined;
  if (stdout.isTerminal()) {
    try {
      const { columns, rows } = Deno.consoleSize();
      size = { cols: columns, rows };
    } catch {
      size = undefined;
    }
  }
  return {
    write: (bytes) => {
      for (let done = 0; done < bytes.length;) done += stdout.writeSync(bytes.subarray(done));
    },
    size,
    start: () => {},
    restore: () => {},
  };
}

/** Whether `url` is a live stream (its name says so, or it is a page with an ALiS link). */
async function _isLive(url: string): Promise<boolean> {
  const { looksLive, resolveLiveUrl } = await import("../play/live_url.ts");
  if (looksLive(url)) return true;
  if (!/^https?:\/\//i.test(url)) return false;
  try {
    // A HEAD first, so a recording's URL is not downloaded twice.
    const head = await fetch(url, { method: "HEAD", signal: AbortSignal.timeout(10_000) });
    await head.body?.cancel();
    if (!/^text\/html/i.test(head.headers.get("content-type") ?? "")) return false;
    return (await resolveLiveUrl(url)).live;
  } catch {
    return false; // the reader says what is wrong with it
  }
}

async function _play(source: string, flags: PlayFlags): Promise<void> {
  if (flags.quiet) setQuiet(true);
  if (await _isLive(source)) {
    throw new UsageError(
      `${source} is a live stream: watch it with asciirec watch ${source}` +
        (/^https?:/i.test(source) ? ` (or play the session so far from its rewind.cast)` : ""),
    );
  }
  if (flags.loop && source === "-") {
    throw new UsageError(
      "--loop cannot be used with - (stdin can be read only once); save the recording to a file",
    );
  }
  const config = (await loadConfig()).playback;
  const aborter = new AbortController();
  let raw = false;
  const heldWarnings: string[] = [];
  // In raw mode a "\n" does not return the carriage: hold warnings until the terminal is back.
  const onWarning = (message: string) => raw ? heldWarnings.push(message) : warn(message);
  const open = (): Promise<Recording> =>
    openRecording(source, { onWarning, signal: aborter.signal });
  const recording = await open();
  const from = flags.from;
  // Later passes of --loop skip without a progress line: the terminal is playing by then.
  const start = async (r: Recording, quiet = Boolean(flags.quiet)) => {
    if (!from) return r.events;
    const progress = !quiet && Deno.stderr.isTerminal()
      ? new ProgressBar(`skipping to ${_describe(from)}:`, undefined)
      : undefined;
    try {
      return await eventsFrom(r, from, { onProgress: progress && ((t) => progress.update(t)) });
    } finally {
      progress?.done();
    }
  };

  const modes = new TerminalModes();
  let output: _Output | undefined;
  let restored = false;
  const restore = () => {
    if (restored || !output) return;
    restored = true;
    try {
      if (output.size) output.write(modes.resetSequence());
    } finally {
      output.restore();
      raw = false;
    }
  };
  // The terminal is given back here, completely (modes reset, then raw mode off), before
  // exiting on SIGTERM/SIGHUP; SIGINT (from outside, or ctrl+c without raw mode) interrupts.
  const signals: [Deno.Signal, () => void][] = [
    ["SIGTERM", () => _exitOnSignal(restore, 143)],
    ["SIGHUP", () => _exitOnSignal(restore, 129)],
    ["SIGINT", () => {
      // Not a key in raw mode: sent from outside, or typed without a terminal on stdin.
      restore();
      aborter.abort();
    }],
  ];
  for (const [signal, listener] of signals) Deno.addSignalListener(signal, listener);

  let status: PlayStatus = "interrupted";
  try {
    output = _openOutput();
    const out = output;
    const { header } = recording;
    info(`Replaying session from ${source}${from ? `, starting at ${_describe(from)}` : ""}`);
    if (
      out.size && !flags.resize && (out.size.cols !== header.cols || out.size.rows !== header.rows)
    ) {
      warn(
        `The recording is ${formatSize(header)} but this terminal is ${formatSize(out.size)}; ` +
          `it may look wrong (use -r to resize the terminal)`,
      );
    }
    // Skipping to --from happens before raw mode, so that ctrl+c can still stop it.
    const first = await start(recording);
    const events = flags.loop ? _loop(first, open, (r) => start(r, true), flags.resize) : first;
    out.start();
    raw = true;
    if (flags.resize) out.write(encoder.encode(_resizeSequence(header)));
    const result = await play(events, {
      write: (bytes) => {
        modes.feed(bytes);
        out.write(bytes);
      },
      input: out.input,
      speed: flags.speed ?? config.speed ?? 1,
      idleTimeLimit: flags.idleTimeLimit ?? config.idleTimeLimit ?? header.idleTimeLimit,
      keys: { pause: config.pauseKey, step: config.stepKey, nextMarker: config.nextMarkerKey },
      pauseOnMarkers: flags.pauseOnMarkers,
      resize: flags.resize,
      signal: aborter.signal,
    });
    status = result.status;
  } catch (error) {
    // The reader of stdout went away (`asciirec play x.cast | head`), or ctrl+c while
    // skipping to --from: stop quietly.
    if (!(error instanceof Deno.errors.BrokenPipe) && !aborter.signal.aborted) throw error;
  } finally {
    restore();
    for (const [signal, listener] of signals) Deno.removeSignalListener(signal, listener);
    aborter.abort();
    await recording.close().catch(() => {});
    for (const message of heldWarnings) warn(message);
  }
  info(status === "ended" ? "Playback ended" : "Playback interrupted");
}

function _resizeSequence(size: Size): string {
  return `\x1b[8;${size.rows};${size.cols}t`;
}

function _exitOnSignal(restore: () => void, status: number): never {
  try {
    restore();
  } finally {
    Deno.exit(status);
  }
}

/**
 * The events of `--loop`: one pass after the other on one continuous timeline, the file
 * reopened for each pass (each starting at `--from`, if given; and with `--resize`, the
 * terminal resized to the header's size at the start of each pass after the first).
 */
async function* _loop(
  first: AsyncIterableIterator<Event>,
  open: () => Promise<Recording>,
  start: (recording: Recording) => Promise<AsyncIterableIterator<Event>>,
  resize: boolean | undefined,
): AsyncGenerator<Event> {
  let last = 0;
  for await (const event of first) {
    last = event.time;
    yield event;
  }
  let offset = 0;
  for (;;) {
    // An instant recording still takes a second per pass, rather than spinning.
    offset += last > 0 ? last : 1_000_000;
    const recording = await open();
    if (resize) yield { time: offset, code: "r", data: formatSize(recording.header) };
    last = 0;
    for await (const event of await start(recording)) {
      last = event.time;
      yield { time: offset + event.time, code: event.code, data: event.data };
    }
  }
}
