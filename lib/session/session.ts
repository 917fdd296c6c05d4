/**
 * The session loop: runs a command on a new PTY attached to the host terminal (or headless),
 * stamps what happens as {@linkcode Event}s — output, input, resizes, markers, the exit status —
 * and hands each one to every sink without ever waiting for a sink.
 *
 * One loop serves `rec`, `stream` and `session`; the commands only choose the sinks.
 *
 * @module
 */
import { Timer } from "../base/timer.ts";
import {
  type Event,
  formatSize,
  MAX_COLS,
  MAX_ROWS,
  type Size,
  type Theme,
} from "../asciicast/event.ts";
import { Pty } from "../pty/pty.ts";
import { RedactTransform } from "../redact/redact_transform.ts";
import type { CompiledRules } from "../redact/rules.ts";
import { DEFAULT_SIZE, HostTerminal } from "../term/host_terminal.ts";
import {
  queryTerminal,
  shouldQueryTerminal,
  stripQueryReplies,
  type TerminalInfo,
} from "../term/query_terminal.ts";
import { type KeyItem, KeyScanner } from "./_key_scanner.ts";
import type { EventSink } from "./sink.ts";

/** What is known when the session starts, before the child runs: the sinks' header data. */
export interface SessionStart {
  /** PTY columns (the terminal's, with the window-size override applied). */
  cols: number;
  /** PTY rows. */
  rows: number;
  /** `$TERM`, absent when headless. */
  termType?: string;
  /** The terminal's XTVERSION reply. */
  termVersion?: string;
  /** The terminal's colours, when it told all of them. */
  theme?: Theme;
  /** Unix time of the start, in whole seconds. */
  timestamp: number;
}

/** Makes one output of the session, once the start is known. */
export type SinkFactory = (start: SessionStart) => EventSink | Promise<EventSink>;

/** Options for {@linkcode runSession}. */
export interface SessionOptions {
  /** Command to run via `/bin/sh -c`; default `$SHELL`, else `/bin/sh`. */
  command?: string;
  /** Added to the child's environment (which is this process's, plus `ASCIIREC=1`). */
  env?: Record<string, string>;
  /** The outputs: file writer, live hub, remote producer… */
  sinks: SinkFactory[];
  /** Record keyboard input as `i` events. Default false. */
  captureInput?: boolean;
  /** Do not touch the terminal (automatic when there is none). Default false. */
  headless?: boolean;
  /** Fix one or both PTY dimensions regardless of the terminal. */
  windowSize?: { cols?: number; rows?: number };
  /** Toggles pause. Default ctrl+\ (0x1c); `null` disables. */
  pauseKey?: Uint8Array | null;
  /** Adds a marker. Default none. */
  markerKey?: Uint8Array | null;
  /** When set, the pause and marker keys act only right after it. Default none. */
  prefixKey?: Uint8Array | null;
  /** Receives "Paused recording", "Resumed recording", "Marker added"… (never the terminal). */
  onNotice?: (message: string) => void;
  /**
   * An explicit input channel: bytes typed into the child as if from the keyboard (hotkeys
   * apply; recorded with `captureInput`). Replaces the terminal's keyboard when given; useful
   * headless, e.g. stdin when it is a pipe.
   */
  input?: ReadableStream<Uint8Array>;
  /** How long to wait for the terminal's answers at the start, in ms. Default 1000. */
  queryTimeoutMs?: number;
  /**
   * Redact secrets: applied once where events are emitted, before every sink, so the file,
   * the live state and every viewer, the forwarder and captured input see only the result.
   */
  redaction?: SessionRedaction;
  /**
   * Read the child's output on a thread of its own (see `PtySpawnOptions.readThread`): for
   * sessions whose sinks are busy with each chunk (streaming). Default false.
   */
  readThread?: boolean;
}

/** How a session redacts (see `lib/redact`). */
export interface SessionRedaction {
  /** The rules. */
  rules: CompiledRules;
  /** How long a possible secret is held back, in ms. Default 30. */
  holdMs?: number;
  /** Told about each secret found (rule and length, never the secret). */
  onFound?: (found: { rule: string; length: number }) => void;
}

/** How the session ended. */
export interface SessionResult {
  /** The child's exit code, or 128 + the signal that killed it. */
  status: number;
}

/** Pause key default: ctrl+\. */
const DEFAULT_PAUSE_KEY = new Uint8Array([0x1c]);
/** A partial multi-byte hotkey is given up (forwarded) after this long. */
const KEY_HOLD_MS = 50;
/** Late terminal replies are filtered out of input for this long after a timed-out query. */
const LATE_REPLY_WINDOW_MS = 3000;
/** Signals to asciirec that end the session (by terminating the child). */
const TERMINATING: readonly Deno.Signal[] = ["SIGTERM", "SIGHUP", "SIGINT", "SIGQUIT"];
const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGTERM: 15 };

/** The session's clock: microseconds since just before the spawn, minus paused time. */
class Clock {
  #t0 = performance.now();
  #pausedAt: number | undefined;
  #pausedTotal = 0;
  #last = 0;

  get paused(): boolean {
    return this.#pausedAt !== undefined;
  }

  /** Microseconds, never decreasing; frozen while paused. */
  now(): number {
    const ms = (this.#pausedAt ?? performance.now()) - this.#t0 - this.#pausedTotal;
    const us = Math.max(this.#last, Math.round(ms * 1000));
    this.#last = us;
    return us;
  }

  toggle(): boolean {
    if (this.#pausedAt === undefined) {
      this.#pausedAt = performance.now();
    } else {
      this.#pausedTotal += performance.now() - this.#pausedAt;
      this.#pausedAt = undefined;
    }
    return this.paused;
  }
}

/**
 * The PTY's size: the terminal's, with `fixed` dimensions replacing it, cut to
 * {@linkcode MAX_COLS} × {@linkcode MAX_ROWS} (`notice` says so when it cuts).
 */
function applyWindowSize(
  size: Size,
  fixed: SessionOptions["windowSize"],
  notice: ((message: string) => void) | undefined,
): Size {
  const cols = fixed?.cols ?? size.cols;
  const rows = fixed?.rows ?? size.rows;
  if (cols <= MAX_COLS && rows <= MAX_ROWS) return { cols, rows };
  const cut = { cols: Math.min(cols, MAX_COLS), rows: Math.min(rows, MAX_ROWS) };
  notice?.(
    `the terminal is ${cols}x${rows}; the session runs in ${cut.cols}x${cut.rows}, the largest asciirec handles`,
  );
  return cut;
}

async function makeSinks(factories: SinkFactory[], start: SessionStart): Promise<EventSink[]> {
  const sinks: EventSink[] = [];
  try {
    for (const factory of factories) sinks.push(await factory(start));
    return sinks;
  } catch (error) {
    await Promise.allSettled(sinks.map((s) => s.close()));
    throw error;
  }
}

/**
 * Runs one session to its end: the child's exit, after its last output has been drained.
 * Every sink is closed (and awaited) and the terminal restored before this resolves, also on
 * error. A terminating signal to this process (SIGTERM, SIGHUP, SIGINT, SIGQUIT) sends SIGTERM
 * to the child (a second one SIGKILL), which ends the session the normal way.
 *
 * @example
 * ```ts
 * import { runSession } from "./session.ts";
 * const events: unknown[] = [];
 * const { status } = await runSession({
 *   command: "echo hello",
 *   headless: true,
 *   sinks: [() => ({ write: (e) => void events.push(e), close: async () => {} })],
 * });
 * // events: [{ time, code: "o", data: "hello\r\n" }, { time, code: "x", data: "0" }]
 * ```
 */
export async function runSession(options: SessionOptions): Promise<SessionResult> {
  const term = options.headless ? undefined : HostTerminal.open({ exitOnSignal: false });
  const state: RunState = { options, term, cleanups: [] };
  const onSignal = (signal: Deno.Signal) => () => {
    state.pty?.kill(state.terminatedBy === undefined ? "SIGTERM" : "SIGKILL");
    state.terminatedBy ??= SIGNAL_NUMBERS[signal]!;
  };
  const signalHandlers = TERMINATING.map((s) => [s, onSignal(s)] as const);
  for (const [signal, handler] of signalHandlers) Deno.addSignalListener(signal, handler);

  try {
    const size = applyWindowSize(
      term ? term.size() : DEFAULT_SIZE,
      options.windowSize,
      options.onNotice,
    );
    let info: TerminalInfo | undefined;
    if (term) {
      term.setRaw(true);
      if (shouldQueryTerminal(Deno.env)) {
        info = await queryTerminal(term, { timeoutMs: options.queryTimeoutMs });
      }
    }
    const start: SessionStart = {
      cols: size.cols,
      rows: size.rows,
      timestamp: Math.floor(Date.now() / 1000),
    };
    const termType = Deno.env.get("TERM");
    if (term && termType) start.termType = termType;
    if (info?.version !== undefined) start.termVersion = info.version;
    if (info?.theme) start.theme = info.theme;

    const sinks = await makeSinks(options.sinks, start);
    let result: SessionResult | undefined;
    let failure: { error: unknown } | undefined;
    try {
      result = state.terminatedBy !== undefined
        ? { status: 128 + state.terminatedBy }
        : await runChild(state, size, info, sinks);
    } catch (error) {
      failure = { error };
    } finally {
      for (const cleanup of state.cleanups.reverse()) {
        try {
          cleanup();
        } catch {
          // keep cleaning up
        }
      }
    }
    // Join the fan-out: every sink has written everything before the session ends.
    const closed = await Promise.allSettled(sinks.map((s) => s.close()));
    if (failure) throw failure.error;
    const rejected = closed.find((c) => c.status === "rejected");
    if (rejected) throw rejected.reason;
    return result!;
  } finally {
    for (const [signal, handler] of signalHandlers) Deno.removeSignalListener(signal, handler);
    term?.restore();
  }
}

/** What the signal handlers and the cleanup share with the running session. */
interface RunState {
  options: SessionOptions;
  term: HostTerminal | undefined;
  /** Run in reverse order when the session ends, however it ends. */
  cleanups: (() => void)[];
  pty?: Pty;
  terminatedBy?: number;
}

/** Spawns the child and runs the I/O until it has exited and its output is drained. */
async function runChild(
  state: RunState,
  initialSize: Size,
  info: TerminalInfo | undefined,
  sinks: EventSink[],
): Promise<SessionResult> {
  const { options, term, cleanups } = state;
  let size = initialSize;
  const notice = (message: string) => {
    try {
      options.onNotice?.(message);
    } catch {
      // a notice must never disturb the session
    }
  };
  const live = new Set(sinks);
  // The read thread is loaded before the clock and the child start: the child's first output
  // is read (and timed) as it comes.
  const readThread = options.readThread ? await Pty.prepareReadThread() : undefined;
  if (readThread) cleanups.push(() => readThread.dispose()); // if the child never started
  const clock = new Clock();
  const deliver = (event: Event) => {
    for (const sink of live) {
      try {
        sink.write(event);
      } catch (error) {
        live.delete(sink);
        notice(`Output failed and was stopped: ${(error as Error).message}`);
      }
    }
  };
  // The one emit point: redaction, when on, runs here, before any sink.
  let lastKeyAt: number | undefined;
  const redaction = options.redaction;
  const transform = redaction
    ? new RedactTransform(redaction.rules, deliver, {
      holdMs: redaction.holdMs,
      lastKeyAt: () => lastKeyAt,
      onFound: redaction.onFound,
    })
    : undefined;
  // Flushed here too, so a session that ends by an error loses nothing held back.
  cleanups.push(() => {
    transform?.flush();
    transform?.dispose();
  });
  const emit = (code: string, data: string) => {
    const event: Event = { time: clock.now(), code, data };
    if (transform) transform.push(event);
    else deliver(event);
  };

  const command = options.command ?? Deno.env.get("SHELL") ?? "/bin/sh";
  const env = { ...Deno.env.toObject(), ...options.env, ASCIIREC: "1" };
  const child = Pty.spawn({
    argv: ["/bin/sh", "-c", command],
    env,
    cols: size.cols,
    rows: size.rows,
    readThread,
  });
  state.pty = child;
  cleanups.push(() => child.close());

  if (term) {
    cleanups.push(term.onResize((measured) => {
      const next = applyWindowSize(measured, options.windowSize, options.onNotice);
      if (next.cols === size.cols && next.rows === size.rows) return;
      size = next;
      try {
        child.resize(size.cols, size.rows);
      } catch {
        // the PTY is closing: the session is ending anyway
      }
      emit("r", formatSize(size));
    }));
  }

  // Keys → child, with the hotkeys taken out.
  const keys = new KeyScanner({
    pauseKey: options.pauseKey === undefined ? DEFAULT_PAUSE_KEY : options.pauseKey,
    markerKey: options.markerKey,
    prefixKey: options.prefixKey,
  });
  const inputDecoder = new TextDecoder();
  const forward = (bytes: Uint8Array) => {
    if (bytes.length === 0) return;
    child.write(bytes).catch(() => {});
    if (options.captureInput) {
      const text = inputDecoder.decode(bytes, { stream: true });
      if (text && !clock.paused) emit("i", text);
    }
  };
  const act = (items: KeyItem[]) => {
    for (const item of items) {
      if (item instanceof Uint8Array) forward(item);
      else if (item === "marker") {
        emit("m", "");
        notice("Marker added");
      } else {
        const paused = clock.toggle();
        transform?.setPaused(paused);
        notice(paused ? "Paused recording" : "Resumed recording");
      }
    }
  };
  const holdTimer = new Timer(() => forward(keys.flush()));
  cleanups.push(() => holdTimer.cancel());
  const filterUntil = info && !info.answered ? performance.now() + LATE_REPLY_WINDOW_MS : 0;
  const onInput = (chunk: Uint8Array) => {
    lastKeyAt = performance.now();
    if (filterUntil > 0 && performance.now() < filterUntil) chunk = stripQueryReplies(chunk);
    holdTimer.cancel();
    act(keys.feed(chunk));
    if (keys.holding) holdTimer.arm(KEY_HOLD_MS);
  };
  if (info && info.input.length > 0) onInput(info.input);
  const source = options.input ?? term?.input;
  if (source) {
    const reader = source.getReader();
    cleanups.push(() => reader.releaseLock());
    (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        onInput(value);
      }
    })().catch(() => {
      // released at the end of the session, or the input failed: keys just stop
    });
  }

  // Output → terminal (bytes, unchanged) and sinks (decoded once).
  let termBroken = false;
  const outputDecoder = new TextDecoder();
  for await (const chunk of child.readable) {
    if (term && !termBroken) {
      try {
        term.write(chunk);
      } catch {
        termBroken = true; // the terminal went away: keep recording
      }
    }
    const text = outputDecoder.decode(chunk, { stream: true });
    if (text && !clock.paused) emit("o", text);
    // A sink far behind a flood (an emulator) pauses reading; the child waits on the PTY.
    for (const sink of live) {
      const wait = sink.backpressure?.();
      if (wait) await wait;
    }
  }
  const tail = outputDecoder.decode();
  if (tail && !clock.paused) emit("o", tail);

  const exit = await child.wait();
  emit("x", String(exit.status));
  transform?.flush();
  return { status: exit.status };
}
