/**
 * The one event model every part of asciirec speaks: recorders produce {@linkcode Event}s,
 * codecs translate them to and from asciicast v1/v2/v3 and ALiS, players consume them.
 *
 * Event data is text: both asciicast (JSON strings) and ALiS (UTF-8 strings) require valid
 * UTF-8, so terminal bytes are decoded once, in streaming mode, where an Event is made.
 *
 * @module
 */

/** The event codes asciirec understands; any other code is kept and passed through. */
export type EventCode = "o" | "i" | "r" | "m" | "x";

/** One moment of a terminal session. */
export interface Event {
  /** Microseconds since the session start: an integer, never decreasing along a session. */
  time: number;
  /**
   * `"o"` output, `"i"` input, `"r"` resize, `"m"` marker, `"x"` exit status; other codes
   * read from a file are kept as they were.
   */
  code: string;
  /** Output or input text, marker label, `"COLSxROWS"` for `r`, decimal status for `x`. */
  data: string;
}

/**
 * The largest event time asciirec reads or writes, in microseconds: 10^15 µs, about 31.7
 * years. It keeps every time an exact integer and every written time a plain decimal JSON
 * number; a file or producer with a later (or non-finite) time is rejected.
 */
export const MAX_TIME = 1e15;

/**
 * Throws a `RangeError` unless `micros` is a time an encoder may write (0 to
 * {@linkcode MAX_TIME}): the last guard that no file ever gets a number that is not JSON.
 */
export function checkWritableTime(micros: number): void {
  if (!(micros >= 0 && micros <= MAX_TIME)) {
    throw new RangeError(`Cannot write the event time ${micros} µs: out of range`);
  }
}

/**
 * An output of a session or a conversion (file writer, live state, remote forwarder): it is
 * handed every Event and never waited for.
 */
export interface EventSink {
  /**
   * Takes one event. Must not block and must not throw for a slow or failing destination:
   * a sink buffers within a bound and then drops, resets or disconnects on its own.
   */
  write(event: Event): void;
  /** Flushes what is buffered and releases the destination; called once, at the end. */
  close(): Promise<void>;
  /**
   * A sink whose work falls far behind (an emulator parsing slower than a flood arrives)
   * may ask its producer to wait: a promise that resolves once it has caught up. The
   * session stops reading the PTY meanwhile, as a real terminal does. Undefined (or
   * absent) means go on.
   */
  backpressure?(): Promise<void> | undefined;
}

/** A terminal colour theme: `#rrggbb` colours, lower case. */
export interface Theme {
  /** Default foreground. */
  fg: string;
  /** Default background. */
  bg: string;
  /** 8 or 16 palette colours. */
  palette: string[];
}

/** What a recording says about itself, independent of the file version. */
export interface Header {
  /** The asciicast version the header was read from, or is to be written as. */
  version: 1 | 2 | 3;
  /** Terminal columns at the start. */
  cols: number;
  /** Terminal rows at the start. */
  rows: number;
  /** `$TERM` of the recording terminal (v3 `term.type`, v1/v2 `env.TERM`). */
  termType?: string;
  /** The terminal's XTVERSION reply (v3 `term.version`). */
  termVersion?: string;
  /** The terminal's colours. */
  theme?: Theme;
  /** Unix time (seconds) of the session start. */
  timestamp?: number;
  /** Players cap every pause at this many seconds. */
  idleTimeLimit?: number;
  /** The command that was recorded, when given explicitly. */
  command?: string;
  /** A title. */
  title?: string;
  /** Captured environment variables. */
  env?: Record<string, string>;
  /** Free-form tags (v3). */
  tags?: string[];
  /** Header keys this model does not know, kept so they can be passed through. */
  extra?: Record<string, unknown>;
}

/** A terminal size in character cells. */
export interface Size {
  /** Columns. */
  cols: number;
  /** Rows. */
  rows: number;
}

/**
 * The widest terminal asciirec handles, in columns: the asciinema server's limit, applied
 * wherever a size enters (file headers, resize events, flags, producers, host terminals), so
 * that memory stays bounded whatever a file or a peer claims.
 */
export const MAX_COLS = 720;
/** The tallest terminal asciirec handles, in rows (see {@linkcode MAX_COLS}). */
export const MAX_ROWS = 200;

/**
 * Why a terminal size is out of range (`undefined` when `1 ≤ cols ≤ MAX_COLS` and
 * `1 ≤ rows ≤ MAX_ROWS`).
 *
 * @example
 * ```ts
 * import { sizeProblem } from "./event.ts";
 * sizeProblem(80, 24); // undefined
 * sizeProblem(65535, 24); // "the terminal size 65535x24 is larger than 720x200, ..."
 * ```
 */
export function sizeProblem(cols: number, rows: number): string | undefined {
  if (Number.isInteger(cols) && Number.isInteger(rows) && cols >= 1 && rows >= 1) {
    if (cols <= MAX_COLS && rows <= MAX_ROWS) return undefined;
    return `the terminal size ${cols}x${rows} is larger than ${MAX_COLS}x${MAX_ROWS}, the largest asciirec handles`;
  }
  return `the terminal size ${cols}x${rows} is not a size (columns and rows must be at least 1)`;
}

const SIZE_RE = /^(\d{1,5})x(\d{1,5})$/;

/**
 * Parses the data of an `r` event (`"COLSxROWS"`); `undefined` when it is not one.
 *
 * @example
 * ```ts
 * import { parseSize } from "./event.ts";
 * parseSize("100x30"); // { cols: 100, rows: 30 }
 * ```
 */
export function parseSize(data: string): Size | undefined {
  const m = SIZE_RE.exec(data);
  if (!m) return undefined;
  const cols = Number(m[1]);
  const rows = Number(m[2]);
  if (cols > 65535 || rows > 65535) return undefined;
  return { cols, rows };
}

/**
 * Formats a size as the data of an `r` event.
 *
 * @example
 * ```ts
 * import { formatSize } from "./event.ts";
 * formatSize({ cols: 100, rows: 30 }); // "100x30"
 * ```
 */
export function formatSize(size: Size): string {
  return `${size.cols}x${size.rows}`;
}
