/**
 * Tape settings (`Set NAME VALUE`): VHS's settings with VHS's defaults, the kind of value
 * each takes, how pixel sizes become the terminal's columns and rows, and what image outputs
 * are told about the pixels (theme, font, padding, window bar…).
 *
 * @module
 */
import { MAX_COLS, MAX_ROWS, sizeProblem, type Theme } from "../asciicast/event.ts";
import { THEMES } from "../export/theme.ts";

/** The kind of value a setting takes, which decides how the parser reads it. */
export type SettingKind =
  | "shell"
  | "string"
  | "number"
  | "integer"
  | "time"
  | "theme"
  | "loopOffset"
  | "color"
  | "windowBar"
  | "boolean"
  | "regex"
  | "cols"
  | "rows";

/** Every setting name and the kind of its value (VHS's, plus `Cols` and `Rows`). */
export const SETTING_KINDS: Readonly<Record<string, SettingKind>> = {
  Shell: "shell",
  FontFamily: "string",
  FontSize: "number",
  Framerate: "integer",
  Height: "integer",
  Width: "integer",
  LetterSpacing: "number",
  LineHeight: "number",
  PlaybackSpeed: "number",
  TypingSpeed: "time",
  Padding: "integer",
  Theme: "theme",
  LoopOffset: "loopOffset",
  MarginFill: "color",
  Margin: "integer",
  WindowBar: "windowBar",
  WindowBarSize: "integer",
  BorderRadius: "integer",
  CursorBlink: "boolean",
  WaitTimeout: "time",
  WaitPattern: "regex",
  Cols: "cols",
  Rows: "rows",
};

/** Shells VHS knows; asciirec runs those in {@linkcode RUNNABLE_SHELLS}. */
export const KNOWN_SHELLS: readonly string[] = [
  "bash",
  "zsh",
  "fish",
  "sh",
  "powershell",
  "pwsh",
  "cmd",
  "nu",
  "osh",
  "xonsh",
];

/** Shells asciirec can start the way VHS does (no rc files, a `> ` prompt). */
export const RUNNABLE_SHELLS: readonly string[] = ["bash", "sh", "zsh", "fish"];

/** Window bar styles of image outputs. */
export const WINDOW_BARS: readonly string[] = ["Colorful", "ColorfulRight", "Rings", "RingsRight"];

/** A `Set Theme` value: a theme name from VHS's list, or an inline JSON theme. */
export interface TapeTheme {
  /** The name given (`Set Theme "Dracula"`), or the JSON theme's `name`. */
  name?: string;
  /** The colours, when the theme was given as JSON or is the default. */
  colors?: Theme;
}

/** Every setting with its value; {@linkcode DEFAULT_SETTINGS} has VHS's defaults. */
export interface TapeSettings {
  /** The shell. */
  shell: string;
  /** Font family of image outputs. */
  fontFamily: string;
  /** Font size in pixels: with the pixel sizes, decides columns and rows. */
  fontSize: number;
  /** Frames per second: the recording's time grid, and image outputs' frame rate. */
  framerate: number;
  /** Pixel height of image outputs. */
  height: number;
  /** Pixel width of image outputs. */
  width: number;
  /** Extra pixels between characters. */
  letterSpacing: number;
  /** Line height as a multiple of the font's. */
  lineHeight: number;
  /** Playback speed of image outputs. */
  playbackSpeed: number;
  /** Time per typed character, in microseconds. */
  typingSpeed: number;
  /** Pixels between the terminal and the frame's edge. */
  padding: number;
  /** The colour theme. */
  theme: TapeTheme;
  /** Where a looping animation starts: a percentage of its frames. */
  loopOffset: number;
  /** Colour around the frame (`#rrggbb`), when a margin is set. */
  marginFill?: string;
  /** Pixels of margin around the frame. */
  margin: number;
  /** Window bar style of image outputs (`""` for none). */
  windowBar: string;
  /** Window bar height in pixels. */
  windowBarSize: number;
  /** Corner radius of image outputs in pixels. */
  borderRadius: number;
  /** Whether the cursor blinks in image outputs. */
  cursorBlink: boolean;
  /** Default Wait timeout, in microseconds. */
  waitTimeout: number;
  /** Default Wait pattern. */
  waitPattern: RegExp;
  /** Columns (`Set Cols`, asciirec's own): overrides the pixel mapping. */
  cols?: number;
  /** Rows (`Set Rows`, asciirec's own): overrides the pixel mapping. */
  rows?: number;
}

/** VHS's default theme (its own colours; `Set Theme` replaces it). */
export const DEFAULT_THEME: Theme = {
  fg: "#dddddd",
  bg: "#171717",
  palette: [
    "#282a2e",
    "#d74e6f",
    "#31bb71",
    "#d3e561",
    "#8056ff",
    "#ed61d7",
    "#04d7d7",
    "#bfbfbf",
    "#4d4d4d",
    "#fe5f86",
    "#00d787",
    "#ebff71",
    "#9b79ff",
    "#ff7aea",
    "#00fefe",
    "#e6e6e6",
  ],
};

/** VHS's defaults. */
export const DEFAULT_SETTINGS: Readonly<TapeSettings> = {
  shell: "bash",
  fontFamily: "JetBrains Mono,DejaVu Sans Mono,Menlo,Bitstream Vera Sans Mono,Inconsolata," +
    "Roboto Mono,Hack,Consolas,ui-monospace,monospace",
  fontSize: 22,
  framerate: 50,
  height: 600,
  width: 1200,
  letterSpacing: 1,
  lineHeight: 1,
  playbackSpeed: 1,
  typingSpeed: 50_000,
  padding: 60,
  theme: { colors: DEFAULT_THEME },
  loopOffset: 0,
  margin: 0,
  windowBar: "",
  windowBarSize: 30,
  borderRadius: 0,
  cursorBlink: true,
  waitTimeout: 15_000_000,
  waitPattern: />$/,
};

/** Setting names in `Set` spelling → {@linkcode TapeSettings} keys. */
const KEYS: Readonly<Record<string, keyof TapeSettings>> = {
  Shell: "shell",
  FontFamily: "fontFamily",
  FontSize: "fontSize",
  Framerate: "framerate",
  Height: "height",
  Width: "width",
  LetterSpacing: "letterSpacing",
  LineHeight: "lineHeight",
  PlaybackSpeed: "playbackSpeed",
  TypingSpeed: "typingSpeed",
  Padding: "padding",
  Theme: "theme",
  LoopOffset: "loopOffset",
  MarginFill: "marginFill",
  Margin: "margin",
  WindowBar: "windowBar",
  WindowBarSize: "windowBarSize",
  BorderRadius: "borderRadius",
  CursorBlink: "cursorBlink",
  WaitTimeout: "waitTimeout",
  WaitPattern: "waitPattern",
  Cols: "cols",
  Rows: "rows",
};

/**
 * Applies one `Set` (name in `Set` spelling, value as the parser converted it) to
 * `settings`.
 *
 * @example
 * ```ts
 * import { applySetting, DEFAULT_SETTINGS } from "./settings.ts";
 * const settings = { ...DEFAULT_SETTINGS };
 * applySetting(settings, "FontSize", 32);
 * settings.fontSize; // 32
 * ```
 */
export function applySetting(settings: TapeSettings, name: string, value: unknown): void {
  const key = KEYS[name];
  if (key === undefined) throw new RangeError(`unknown setting ${name}`);
  (settings as unknown as Record<string, unknown>)[key] = value;
}

/**
 * The terminal's columns and rows: `Set Cols`/`Set Rows` when given, else from the pixel
 * sizes the way VHS's browser terminal fits its page (calibrated on VHS's own golden files):
 *
 * - usable width = Width − 2·Padding − 2·Margin − 10;
 *   usable height = Height − 2·Padding − 2·Margin − (WindowBarSize if WindowBar) − 10
 *   (the 10 px are the margin the terminal page keeps);
 * - a cell is ⌊0.6·FontSize⌋ + round(LetterSpacing) pixels wide and
 *   ⌊⌈1.3·FontSize⌉·LineHeight⌋ pixels tall;
 * - columns = ⌊usable width / cell width⌋, rows = ⌊usable height / cell height⌋.
 *
 * VHS's defaults (1200×600, FontSize 22, Padding 60) give 76×16.
 *
 * @throws {RangeError} when the pixels leave no room for a cell, or the size exceeds
 * asciirec's 720×200.
 *
 * @example
 * ```ts
 * import { DEFAULT_SETTINGS, terminalSize } from "./settings.ts";
 * terminalSize(DEFAULT_SETTINGS); // { cols: 76, rows: 16 }
 * ```
 */
export function terminalSize(settings: TapeSettings): { cols: number; rows: number } {
  const cellWidth = Math.floor(0.6 * settings.fontSize) + Math.round(settings.letterSpacing);
  const cellHeight = Math.floor(Math.ceil(1.3 * settings.fontSize) * settings.lineHeight);
  const bar = settings.windowBar ? settings.windowBarSize : 0;
  const usableWidth = settings.width - 2 * settings.padding - 2 * settings.margin - 10;
  const usableHeight = settings.height - 2 * settings.padding - 2 * settings.margin - bar - 10;
  const cols = settings.cols ??
    (cellWidth > 0 ? Math.floor(usableWidth / cellWidth) : 0);
  const rows = settings.rows ??
    (cellHeight > 0 ? Math.floor(usableHeight / cellHeight) : 0);
  if (cols < 1 || rows < 1) {
    throw new RangeError(
      `the terminal would have no room: Width ${settings.width} and Height ${settings.height} ` +
        `less padding${settings.margin ? ", margin" : ""}${bar ? ", window bar" : ""} leave ` +
        `${Math.max(cols, 0)}x${Math.max(rows, 0)} cells at FontSize ${settings.fontSize}; ` +
        `make them larger, or set Cols and Rows`,
    );
  }
  const problem = sizeProblem(cols, rows);
  if (problem) {
    throw new RangeError(
      `${problem}: Width ${settings.width} and Height ${settings.height} at FontSize ` +
        `${settings.fontSize} make ${cols}x${rows}; at most ${MAX_COLS}x${MAX_ROWS}`,
    );
  }
  return { cols, rows };
}

/**
 * What image outputs (and `Screenshot`) are told, as the export formats' `formatOptions`:
 * the theme, the font size, a line height that gives VHS's cell height, the padding, a window
 * frame when the tape has a window bar, its frame rate (at most 50) and playback speed; the
 * tape's pauses are kept whole (no idle limit) and the last frame is not held longer than
 * the tape holds it. VHS's other pixel settings ride along under their own names
 * (`fontFamily`, `margin`, `marginFill`, `borderRadius`, `cursorBlink`, `loopOffset`,
 * `width`, `height`, `themeName`) for formats that understand them.
 *
 * @example
 * ```ts
 * import { DEFAULT_SETTINGS, imageOptions } from "./settings.ts";
 * imageOptions(DEFAULT_SETTINGS).fps; // 50
 * ```
 */
export function imageOptions(settings: TapeSettings): Record<string, unknown> {
  const cellHeight = Math.floor(Math.ceil(1.3 * settings.fontSize) * settings.lineHeight);
  const options: Record<string, unknown> = {
    fontSize: settings.fontSize,
    lineHeight: Math.min(3, Math.max(1, cellHeight / settings.fontSize)),
    padding: settings.padding,
    window: settings.windowBar !== "",
    fps: Math.min(50, settings.framerate),
    speed: settings.playbackSpeed,
    idleLimit: 1e9,
    lastFrame: 0,
    loop: true,
    fontFamily: settings.fontFamily,
    margin: settings.margin,
    borderRadius: settings.borderRadius,
    cursorBlink: settings.cursorBlink,
    loopOffset: settings.loopOffset,
    width: settings.width,
    height: settings.height,
  };
  if (settings.marginFill !== undefined) options.marginFill = settings.marginFill;
  if (settings.theme.colors) options.theme = settings.theme.colors;
  if (settings.theme.name !== undefined) options.themeName = settings.theme.name;
  return options;
}

/**
 * The colours of a theme named as VHS names it, when asciirec has that theme (its export
 * themes: "Dracula", "Monokai", "Nord", "Solarized Dark", "Tango"…, in any case, with spaces
 * or dashes); undefined otherwise.
 *
 * @example
 * ```ts
 * import { namedTheme } from "./settings.ts";
 * namedTheme("Dracula")?.bg; // "#282a36"
 * namedTheme("Catppuccin Mocha"); // undefined
 * ```
 */
export function namedTheme(name: string): Theme | undefined {
  return THEMES[name.trim().toLowerCase().replace(/[\s_]+/g, "-")];
}

const COLOR_RE = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;

/**
 * `#rgb` or `#rrggbb` → lower-case `#rrggbb`; undefined when it is not such a colour.
 *
 * @example
 * ```ts
 * import { normalizeColor } from "./settings.ts";
 * normalizeColor("#6B5"); // "#66bb55"
 * normalizeColor("red"); // undefined
 * ```
 */
export function normalizeColor(value: unknown): string | undefined {
  if (typeof value !== "string" || !COLOR_RE.test(value)) return undefined;
  const hex = value.slice(1).toLowerCase();
  return hex.length === 3 ? `#${[...hex].map((c) => c + c).join("")}` : `#${hex}`;
}

const PALETTE_KEYS = [
  ["black"],
  ["red"],
  ["green"],
  ["yellow"],
  ["blue"],
  ["magenta", "purple"],
  ["cyan"],
  ["white"],
  ["brightBlack"],
  ["brightRed"],
  ["brightGreen"],
  ["brightYellow"],
  ["brightBlue"],
  ["brightMagenta", "brightPurple"],
  ["brightCyan"],
  ["brightWhite"],
];

/**
 * Reads an inline JSON theme (xterm.js's names: `background`, `foreground`, `black` …
 * `brightWhite`; `purple` for `magenta` as Windows Terminal themes say). Colours it lacks
 * are VHS's defaults.
 *
 * @throws {SyntaxError} when the JSON is malformed, not an object, or a colour is not `#rrggbb`.
 *
 * @example
 * ```ts
 * import { parseJsonTheme } from "./settings.ts";
 * parseJsonTheme('{"name": "Mine", "background": "#000000"}').colors?.bg; // "#000000"
 * ```
 */
export function parseJsonTheme(json: string): TapeTheme {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new SyntaxError(`invalid JSON theme: ${(error as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new SyntaxError("a JSON theme must be an object");
  }
  const fields = value as Record<string, unknown>;
  const color = (keys: string[], fallback: string): string => {
    for (const key of keys) {
      if (fields[key] === undefined) continue;
      const c = normalizeColor(fields[key]);
      if (c === undefined) {
        throw new SyntaxError(
          `theme colour ${key} is ${JSON.stringify(fields[key])}: expected #rrggbb`,
        );
      }
      return c;
    }
    return fallback;
  };
  const colors: Theme = {
    fg: color(["foreground"], DEFAULT_THEME.fg),
    bg: color(["background"], DEFAULT_THEME.bg),
    palette: PALETTE_KEYS.map((keys, i) => color(keys, DEFAULT_THEME.palette[i]!)),
  };
  const theme: TapeTheme = { colors };
  if (typeof fields.name === "string") theme.name = fields.name;
  return theme;
}
