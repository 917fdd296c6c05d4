/**
 * The flags every session command shares (`rec`, `stream`, `session`) with asciinema 3.x names
 * and defaults, and their translation into {@linkcode SessionOptions} and header fields.
 *
 * @module
 */
import { type Command, InvalidArgumentError, Option } from "./command.ts";
import { type Header, MAX_COLS, MAX_ROWS } from "../asciicast/event.ts";
import type { SessionOptions, SessionStart } from "../session/session.ts";
import type { SessionConfig } from "../config/asciinema_config.ts";
import { addRedactOptions, type RedactFlags } from "./_redact_options.ts";
import { parseKey as parseKeyNotation } from "../config/key_notation.ts";

/**
 * Parses a key definition flag (see `parseKey` of `lib/config/key_notation.ts`) for
 * commander: a bad one is a usage error.
 *
 * @example
 * ```ts
 * import { parseKey } from "./_session_options.ts";
 * parseKey("C-b"); // Uint8Array [0x02]
 * ```
 */
export function parseKey(text: string): Uint8Array {
  try {
    return parseKeyNotation(text);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/** A PTY size override: one or both dimensions. */
export interface WindowSize {
  /** Fixed columns. */
  cols?: number;
  /** Fixed rows. */
  rows?: number;
}

/** The parsed shared flags, as commander hands them to an action. */
export interface SessionFlags extends RedactFlags {
  /** `-c, --command` */
  command?: string;
  /** `-I, --capture-input` (hidden alias `--stdin`) */
  captureInput?: boolean;
  /** `--capture-env NAMES`: comma-separated; default `SHELL` */
  captureEnv?: string;
  /** `-t, --title` */
  title?: string;
  /** `--headless` */
  headless?: boolean;
  /** `--window-size COLSxROWS` (also `COLSx`, `xROWS`) */
  windowSize?: WindowSize;
  /** `--return` */
  return?: boolean;
  /** `-q, --quiet` */
  quiet?: boolean;
  /** `--pause-key KEY`: default `^\`; empty (`""`) disables */
  pauseKey?: Uint8Array | null;
  /** `--marker-key KEY`: default none */
  markerKey?: Uint8Array | null;
  /** `--prefix-key KEY`: default none */
  prefixKey?: Uint8Array | null;
}

/** Everything a session command needs from the shared flags. */
export interface SessionParts {
  /** Options for `runSession`, all but the sinks. */
  session: Omit<SessionOptions, "sinks">;
  /** The command, only when given explicitly (the header's `command`). */
  command?: string;
  /** The header's `title`. */
  title?: string;
  /** The captured environment variables (the header's `env`). */
  env: Record<string, string>;
  /** Exit with the child's status (`--return`). */
  returnStatus: boolean;
  /** `-q` was given. */
  quiet: boolean;
  /** Headless because there is no terminal, not because `--headless` was asked for. */
  autoHeadless: boolean;
}

/**
 * Parses `--window-size`: `COLSxROWS`, `COLSx` or `xROWS`.
 *
 * @example
 * ```ts
 * import { parseWindowSize } from "./_session_options.ts";
 * parseWindowSize("100x30"); // { cols: 100, rows: 30 }
 * parseWindowSize("x40"); // { rows: 40 }
 * ```
 */
export function parseWindowSize(text: string): WindowSize {
  const m = /^(\d*)x(\d*)$/.exec(text.trim());
  const dim = (s: string | undefined, max: number) => {
    if (!s) return undefined;
    const n = Number(s);
    if (n < 1 || n > max) {
      throw new InvalidArgumentError(
        `${s} is not a size from 1 to ${max} (asciirec handles up to ${MAX_COLS}x${MAX_ROWS}).`,
      );
    }
    return n;
  };
  if (!m || (!m[1] && !m[2])) {
    throw new InvalidArgumentError("Expected COLSxROWS, COLSx or xROWS, e.g. 100x30.");
  }
  const size: WindowSize = {};
  const cols = dim(m[1], MAX_COLS);
  const rows = dim(m[2], MAX_ROWS);
  if (cols !== undefined) size.cols = cols;
  if (rows !== undefined) size.rows = rows;
  return size;
}

/** Parses `-i, --idle-time-limit SECS`: a positive number of seconds. */
export function parseIdleTimeLimit(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || text.trim() === "") {
    throw new InvalidArgumentError("The idle time limit must be a positive number of seconds.");
  }
  return n;
}

/**
 * Adds the shared session flags to a command: `-c`, `-I` (`--stdin`), `--capture-env`, `-t`,
 * `--headless`, `--window-size`, `--return`, `-q`, `--pause-key`, `--marker-key`,
 * `--prefix-key`, and the hidden 2.x flags `--cols`, `--rows`, `--raw` (accepted, ignored).
 *
 * @example
 * ```ts
 * import { Command } from "./command.ts";
 * import { addSessionOptions, sessionOptionsFrom } from "./_session_options.ts";
 * const cmd = addSessionOptions(new Command("stream")).action((opts) => {
 *   const parts = sessionOptionsFrom(opts);
 * });
 * ```
 */
export function addSessionOptions(cmd: Command): Command {
  return addRedactOptions(cmd)
    .option("-c, --command <command>", "command to record (default: $SHELL), run via /bin/sh -c")
    .option("-I, --capture-input", "record keyboard input as well")
    .addOption(new Option("--stdin", "same as --capture-input").hideHelp())
    .option(
      "--capture-env <names>",
      "comma-separated environment variables to save in the header (default: SHELL)",
    )
    .option("-t, --title <title>", "title of the recording")
    .option("--headless", "do not use the terminal (automatic when there is none)")
    .option(
      "--window-size <COLSxROWS>",
      "fix the terminal size (also COLSx or xROWS)",
      parseWindowSize,
    )
    .option("--return", "exit with the recorded command's exit status")
    .option("-q, --quiet", "print no status lines")
    .option(
      "--pause-key <key>",
      "key that pauses/resumes recording: a character, ^X, C-X or \\xHH (default ^\\; '' disables)",
      parseKey,
    )
    .option("--marker-key <key>", "key that adds a marker (default: none)", parseKey)
    .option(
      "--prefix-key <key>",
      "when set, the pause and marker keys work only right after this key",
      parseKey,
    )
    .addOption(new Option("--cols <n>", "ignored (asciinema 2.x)").hideHelp())
    .addOption(new Option("--rows <n>", "ignored (asciinema 2.x)").hideHelp())
    .addOption(new Option("--raw", "ignored (asciinema 2.x)").hideHelp());
}

/**
 * Fills the flags the user did not give from the `[session]` config: `command`,
 * `capture_input` (unless `-I`/`--stdin`), `capture_env`, `pause_key`, `add_marker_key`
 * (`--marker-key`) and `prefix_key`. Flags always win; the flags object is not changed.
 *
 * @example
 * ```ts
 * import { withSessionConfig } from "./_session_options.ts";
 * withSessionConfig({ title: "t" }, { command: "bash -l" }); // { title: "t", command: "bash -l" }
 * withSessionConfig({ command: "top" }, { command: "bash -l" }); // { command: "top" }
 * ```
 */
export function withSessionConfig<F extends SessionFlags & { stdin?: boolean }>(
  flags: F,
  config: SessionConfig,
): F {
  const merged: F = { ...flags };
  if (merged.command === undefined && config.command !== undefined) {
    merged.command = config.command;
  }
  if (merged.captureInput === undefined && !merged.stdin && config.captureInput !== undefined) {
    merged.captureInput = config.captureInput;
  }
  if (merged.captureEnv === undefined && config.captureEnv !== undefined) {
    merged.captureEnv = config.captureEnv;
  }
  if (merged.pauseKey === undefined && config.pauseKey !== undefined) {
    merged.pauseKey = config.pauseKey;
  }
  if (merged.markerKey === undefined && config.addMarkerKey !== undefined) {
    merged.markerKey = config.addMarkerKey;
  }
  if (merged.prefixKey === undefined && config.prefixKey !== undefined) {
    merged.prefixKey = config.prefixKey;
  }
  return merged;
}

/** Environment variables to save: `--capture-env` names (default `SHELL`) that are set. */
function capturedEnv(names: string | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of (names ?? "SHELL").split(",")) {
    const name = raw.trim();
    if (!name) continue;
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/**
 * `ASCIINEMA_SESSION`: the 128-bit FNV-1a hash of this process's PID (decimal), lower-case hex
 * without padding, as asciinema sets it for shell rc files to notice a recording.
 */
export function sessionId(pid: number = Deno.pid): string {
  const prime = 0x0000000001000000000000000000013bn;
  const mask = (1n << 128n) - 1n;
  let hash = 0x6c62272e07bb014262b821756295c58dn;
  for (const byte of new TextEncoder().encode(String(pid))) {
    hash ^= BigInt(byte);
    hash = (hash * prime) & mask;
  }
  return hash.toString(16);
}

/**
 * Shows a notice as a tmux status message when running inside tmux (`$TMUX`); `undefined`
 * otherwise. Notices never go into the terminal itself.
 */
export function tmuxNotifier(): ((message: string) => void) | undefined {
  if (!Deno.env.get("TMUX")) return undefined;
  return (message) => {
    try {
      new Deno.Command("tmux", {
        args: ["display-message", `asciirec: ${message}`],
        stdin: "null",
        stdout: "null",
        stderr: "null",
      }).spawn().status.catch(() => {});
    } catch {
      // no tmux on PATH: notices are optional
    }
  };
}

/**
 * Turns the parsed shared flags into session options and header fields. The child's
 * environment gets `ASCIINEMA_SESSION` (and whatever `env` adds, e.g. `ASCIINEMA_REC=1`);
 * headless sessions whose stdin is not a terminal take stdin as their input channel (so
 * `printf 'ls\nexit\n' | asciirec rec -c sh out.cast` drives the session).
 */
export function sessionOptionsFrom(
  flags: SessionFlags & { stdin?: boolean },
  env: Record<string, string> = {},
): SessionParts {
  const terminal = Deno.stdin.isTerminal() && Deno.stdout.isTerminal();
  const headless = Boolean(flags.headless) || !terminal;
  const session: Omit<SessionOptions, "sinks"> = {
    env: { ASCIINEMA_SESSION: sessionId(), ...env },
    captureInput: Boolean(flags.captureInput || flags.stdin),
    headless,
  };
  if (flags.command !== undefined) session.command = flags.command;
  if (flags.windowSize) session.windowSize = flags.windowSize;
  const key = (k: Uint8Array | null) => (k === null || k.length === 0 ? null : k);
  if (flags.pauseKey !== undefined) session.pauseKey = key(flags.pauseKey);
  if (flags.markerKey !== undefined) session.markerKey = key(flags.markerKey);
  if (flags.prefixKey !== undefined) session.prefixKey = key(flags.prefixKey);
  const notify = tmuxNotifier();
  if (notify) session.onNotice = notify;
  if (headless && !Deno.stdin.isTerminal()) session.input = Deno.stdin.readable;
  const parts: SessionParts = {
    session,
    env: capturedEnv(flags.captureEnv),
    returnStatus: Boolean(flags.return),
    quiet: Boolean(flags.quiet),
    autoHeadless: !flags.headless && !terminal,
  };
  if (flags.command !== undefined) parts.command = flags.command;
  if (flags.title !== undefined) parts.title = flags.title;
  return parts;
}

/**
 * The recording header for a session: size and terminal data from the start, the rest from
 * the flags.
 *
 * @example
 * ```ts
 * import { sessionHeader, sessionOptionsFrom } from "./_session_options.ts";
 * const parts = sessionOptionsFrom({ title: "demo" });
 * const header = sessionHeader({ cols: 80, rows: 24, timestamp: 1700000000 }, parts, 3);
 * ```
 */
export function sessionHeader(
  start: SessionStart,
  parts: SessionParts,
  version: 2 | 3,
  idleTimeLimit?: number,
): Header {
  const header: Header = { version, cols: start.cols, rows: start.rows };
  if (start.termType !== undefined) header.termType = start.termType;
  if (start.termVersion !== undefined) header.termVersion = start.termVersion;
  if (start.theme !== undefined) header.theme = start.theme;
  header.timestamp = start.timestamp;
  if (idleTimeLimit !== undefined) header.idleTimeLimit = idleTimeLimit;
  if (parts.command !== undefined) header.command = parts.command;
  if (parts.title !== undefined) header.title = parts.title;
  if (Object.keys(parts.env).length > 0) header.env = parts.env;
  return header;
}
