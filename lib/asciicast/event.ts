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
