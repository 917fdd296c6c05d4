/**
 * The settings every picture format shares (`--theme`, `--speed`, `--fps`, `--font-size`…),
 * read from an encoder's `options` (the writer's `formatOptions`) with their defaults and
 * checked, so that the formats never see a value out of range.
 *
 * @module
 */
import type { Header, Theme } from "../asciicast/event.ts";
import { MAX_COLS, MAX_ROWS } from "../asciicast/event.ts";
import type { TimePoint } from "../asciicast/time_spec.ts";
import { pickTheme } from "./theme.ts";

/** What callers may pass as an export's `formatOptions` (all optional). */
export interface ExportOptions {
  /** The colours (default: the recording's own theme, else asciinema's). */
  theme?: Theme;
  /** Playback speed factor (default 1). */
  speed?: number;
  /** Longest pause kept, in seconds (default: the recording's idle time limit, else 2). */
  idleLimit?: number;
  /** Start here: the screen as it is at this point is the first frame. */
  from?: TimePoint;
  /** End here. */
  to?: TimePoint;
  /** A still picture of this moment (PNG, SVG). */
  at?: TimePoint;
  /** Most frames per second (default 30, at most 50). */
  fps?: number;
  /** Play the animation in a loop (default true). */
  loop?: boolean;
  /** Font size in pixels (default 14). */
  fontSize?: number;
  /** Line height as a multiple of the font size (default 1.4). */
  lineHeight?: number;
  /** Space around the terminal, in pixels (default 10). */
  padding?: number;
  /** Draw a window frame with a title bar (default false). */
  window?: boolean;
  /** Render at this many columns instead of the recording's. */
  cols?: number;
  /** Render at this many rows instead of the recording's. */
  rows?: number;
  /** How long the last frame stays before the animation loops, in seconds (default 3). */
  lastFrame?: number;
  /** Filled in by GIF and PNG when they finish. */
  report?: RenderReport;
}

/**
 * What a raster export (GIF, PNG) tells its caller when done, through an object passed as
 * the `report` option.
 */
export interface RenderReport {
  /** Characters the font lacks, drawn as boxes. */
  missing?: string[];
}

/** {@linkcode ExportOptions} with every default filled in; times in microseconds. */
export interface ExportSettings {
  /** The colours. */
  theme: Theme;
  /** Playback speed factor. */
  speed: number;
  /** Longest pause kept, in microseconds. */
  idleLimit: number;
  /** Start point. */
  from?: TimePoint;
  /** End point. */
  to?: TimePoint;
  /** Still picture point. */
  at?: TimePoint;
  /** Most frames per second. */
  fps: number;
  /** Loop the animation. */
  loop: boolean;
  /** Font size in pixels. */
  fontSize: number;
  /** Line height factor. */
  lineHeight: number;
  /** Padding in pixels. */
  padding: number;
  /** Window frame. */
  window: boolean;
  /** Columns to render at. */
  cols: number;
  /** Rows to render at. */
  rows: number;
  /** Columns and rows were given: resize events are ignored. */
  fixedSize: boolean;
  /** Hold of the last frame, in microseconds. */
  lastFrame: number;
}

/** The highest frame rate: GIF delays count hundredths of a second, and 1/100 s is unusable. */
export const MAX_FPS = 50;

function number(
  options: Readonly<Record<string, unknown>>,
  key: keyof ExportOptions,
  fallback: number,
  min: number,
  max: number,
  what: string,
): number {
  const value = options[key];
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !(value >= min && value <= max)) {
    throw new RangeError(`${what} must be a number from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

/**
 * Reads and checks the shared settings of a picture export.
 *
 * @throws {RangeError} naming the setting that is out of range.
 * @example
 * ```ts
 * import { exportSettings } from "./options.ts";
 * const s = exportSettings({ fps: 10 }, { version: 3, cols: 80, rows: 24, idleTimeLimit: 1 });
 * s.fps; // 10
 * s.idleLimit; // 1_000_000
 * ```
 */
export function exportSettings(
  options: Readonly<Record<string, unknown>> | undefined,
  header: Header,
): ExportSettings {
  const o = options ?? {};
  const idleDefault = header.idleTimeLimit !== undefined && header.idleTimeLimit >= 0
    ? header.idleTimeLimit
    : 2;
  const cols = number(o, "cols", header.cols, 1, MAX_COLS, "the number of columns");
  const rows = number(o, "rows", header.rows, 1, MAX_ROWS, "the number of rows");
  if (!Number.isInteger(cols) || !Number.isInteger(rows)) {
    throw new RangeError("columns and rows must be whole numbers");
  }
  return {
    theme: pickTheme(o.theme as Theme | undefined, header),
    speed: number(o, "speed", 1, 0.01, 1000, "the speed"),
    idleLimit: Math.round(number(o, "idleLimit", idleDefault, 0, 1e9, "the idle limit") * 1e6),
    from: o.from as TimePoint | undefined,
    to: o.to as TimePoint | undefined,
    at: o.at as TimePoint | undefined,
    fps: number(o, "fps", 30, 1, MAX_FPS, "the frame rate"),
    loop: o.loop === undefined ? true : Boolean(o.loop),
    fontSize: number(o, "fontSize", 14, 4, 200, "the font size"),
    lineHeight: number(o, "lineHeight", 1.4, 1, 3, "the line height"),
    padding: Math.round(number(o, "padding", 10, 0, 1000, "the padding")),
    window: Boolean(o.window),
    cols,
    rows,
    fixedSize: o.cols !== undefined || o.rows !== undefined,
    lastFrame: Math.round(number(o, "lastFrame", 3, 0, 3600, "the last frame's duration") * 1e6),
  };
}
