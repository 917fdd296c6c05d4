/**
 * Colour themes for pictures of recordings: the asciinema player's built-in themes (the same
 * colours the player's stylesheet defines, so an exported picture looks like the player), a
 * theme file, or the recording's own `term.theme`; and the 256-colour and truecolor mapping
 * every renderer shares.
 *
 * @module
 */
import type { Header, Theme } from "../asciicast/event.ts";
import { type Color, DEFAULT_COLOR, RGB_COLOR } from "../vt/screen.ts";

const p = (s: string) => s.split(" ");

/**
 * The built-in themes, by name: asciinema-player 3.17's stylesheet
 * (`.asciinema-player-theme-NAME`). Where the player leaves bright colours out, they are the
 * normal ones, as in the player.
 */
export const THEMES: Readonly<Record<string, Theme>> = {
  asciinema: {
    fg: "#cccccc",
    bg: "#121314",
    palette: p(
      "#000000 #dd3c69 #4ebf22 #ddaf3c #26b0d7 #b954e1 #54e1b9 #d9d9d9 " +
        "#4d4d4d #dd3c69 #4ebf22 #ddaf3c #26b0d7 #b954e1 #54e1b9 #ffffff",
    ),
  },
  dracula: {
    fg: "#f8f8f2",
    bg: "#282a36",
    palette: p(
      "#21222c #ff5555 #50fa7b #f1fa8c #bd93f9 #ff79c6 #8be9fd #f8f8f2 " +
        "#6272a4 #ff6e6e #69ff94 #ffffa5 #d6acff #ff92df #a4ffff #ffffff",
    ),
  },
  monokai: {
    fg: "#f8f8f2",
    bg: "#272822",
    palette: p(
      "#272822 #f92672 #a6e22e #f4bf75 #66d9ef #ae81ff #a1efe4 #f8f8f2 " +
        "#75715e #f92672 #a6e22e #f4bf75 #66d9ef #ae81ff #a1efe4 #f9f8f5",
    ),
  },
  "solarized-dark": {
    fg: "#839496",
    bg: "#002b36",
    palette: p(
      "#073642 #dc322f #859900 #b58900 #268bd2 #d33682 #2aa198 #eee8d5 " +
        "#002b36 #cb4b16 #586e75 #657b83 #839496 #6c71c4 #93a1a1 #fdf6e3",
    ),
  },
  "solarized-light": {
    fg: "#657b83",
    bg: "#fdf6e3",
    palette: p(
      "#073642 #dc322f #859900 #b58900 #268bd2 #d33682 #2aa198 #eee8d5 " +
        "#002b36 #cb4b16 #586e75 #657c83 #839496 #6c71c4 #93a1a1 #fdf6e3",
    ),
  },
  nord: {
    fg: "#eceff4",
    bg: "#2e3440",
    palette: p("#3b4252 #bf616a #a3be8c #ebcb8b #81a1c1 #b48ead #88c0d0 #eceff4"),
  },
  "gruvbox-dark": {
    fg: "#fbf1c7",
    bg: "#282828",
    palette: p(
      "#282828 #cc241d #98971a #d79921 #458588 #b16286 #689d6a #a89984 " +
        "#7c6f65 #fb4934 #b8bb26 #fabd2f #83a598 #d3869b #8ec07c #fbf1c7",
    ),
  },
  tango: {
    fg: "#cccccc",
    bg: "#121314",
    palette: p(
      "#000000 #cc0000 #4e9a06 #c4a000 #3465a4 #75507b #06989a #d3d7cf " +
        "#555753 #ef2929 #8ae234 #fce94f #729fcf #ad7fa8 #34e2e2 #eeeeec",
    ),
  },
};

/** The theme used when neither `--theme` nor the recording names one. */
export const DEFAULT_THEME_NAME = "asciinema";

const HEX_RE = /^#[0-9a-fA-F]{6}$/;

/**
 * Reads a theme file: JSON with `fg`, `bg` and `palette` (8 or 16 `#rrggbb` colours, as an
 * array or as asciicast v3's colon-separated string), the shape of a v3 header's
 * `term.theme`.
 *
 * @throws {SyntaxError} naming the file and what is wrong.
 * @example
 * ```ts
 * import { parseThemeFile } from "./theme.ts";
 * const theme = parseThemeFile(
 *   '{"fg":"#ffffff","bg":"#000000","palette":"#000000:#ff0000:#00ff00:#ffff00:#0000ff:#ff00ff:#00ffff:#ffffff"}',
 *   "mine.json",
 * );
 * theme.palette.length; // 8
 * ```
 */
export function parseThemeFile(text: string, name: string): Theme {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SyntaxError(`${name}: not JSON: ${(error as Error).message}`);
  }
  const fail = (why: string): never => {
    throw new SyntaxError(`${name}: ${why} (expected {"fg", "bg", "palette"} colours #rrggbb)`);
  };
  if (typeof value !== "object" || value === null) return fail("not an object");
  const { fg, bg, palette } = value as Record<string, unknown>;
  if (typeof fg !== "string" || !HEX_RE.test(fg)) return fail("fg is not a colour");
  if (typeof bg !== "string" || !HEX_RE.test(bg)) return fail("bg is not a colour");
  const list = typeof palette === "string" ? palette.split(":") : palette;
  if (!Array.isArray(list) || (list.length !== 8 && list.length !== 16)) {
    return fail("palette must have 8 or 16 colours");
  }
  for (const c of list) {
    if (typeof c !== "string" || !HEX_RE.test(c)) {
      return fail(`palette colour ${JSON.stringify(c)} is not #rrggbb`);
    }
  }
  return {
    fg: fg.toLowerCase(),
    bg: bg.toLowerCase(),
    palette: (list as string[]).map((c) => c.toLowerCase()),
  };
}

/**
 * The theme `spec` names: a built-in name, else a theme file's path (see
 * {@linkcode parseThemeFile}).
 *
 * @throws {Error} when `spec` is neither a name nor a readable theme file.
 * @example
 * ```ts
 * import { loadTheme } from "./theme.ts";
 * (await loadTheme("dracula")).bg; // "#282a36"
 * ```
 */
export async function loadTheme(spec: string): Promise<Theme> {
  const builtIn = THEMES[spec];
  if (builtIn) return builtIn;
  let text: string;
  try {
    text = await Deno.readTextFile(spec);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(
        `--theme ${JSON.stringify(spec)} is neither a theme (${
          Object.keys(THEMES).join(", ")
        }) nor a file`,
      );
    }
    throw error;
  }
  return parseThemeFile(text, spec);
}

/**
 * The theme to draw with: `theme` when given, else the recording's own, else asciinema's.
 *
 * @example
 * ```ts
 * import { pickTheme } from "./theme.ts";
 * pickTheme(undefined, { version: 3, cols: 80, rows: 24 }).bg; // "#121314"
 * ```
 */
export function pickTheme(theme: Theme | undefined, header: Header): Theme {
  return theme ?? header.theme ?? THEMES[DEFAULT_THEME_NAME]!;
}

/** A theme's colours as `0xRRGGBB` numbers, with the 256-colour palette filled in. */
export interface ThemeColors {
  /** Default foreground. */
  fg: number;
  /** Default background. */
  bg: number;
  /** The 256 palette colours: the theme's 16 (bright = normal when it has 8), then xterm's. */
  palette: Uint32Array;
}

const CUBE = [0, 95, 135, 175, 215, 255];

/**
 * Expands a theme into numbers: its 8 or 16 colours, the 6×6×6 colour cube and the 24 greys
 * of the xterm 256-colour palette.
 *
 * @example
 * ```ts
 * import { THEMES, themeColors } from "./theme.ts";
 * const colors = themeColors(THEMES.asciinema!);
 * colors.palette[196]!.toString(16); // "ff0000"
 * ```
 */
export function themeColors(theme: Theme): ThemeColors {
  const palette = new Uint32Array(256);
  for (let i = 0; i < 16; i++) palette[i] = hexColor(theme.palette[i] ?? theme.palette[i - 8]!);
  for (let i = 16; i < 232; i++) {
    const n = i - 16;
    palette[i] = (CUBE[Math.floor(n / 36)]! << 16) | (CUBE[Math.floor(n / 6) % 6]! << 8) |
      CUBE[n % 6]!;
  }
  for (let i = 232; i < 256; i++) {
    const v = 8 + 10 * (i - 232);
    palette[i] = (v << 16) | (v << 8) | v;
  }
  return { fg: hexColor(theme.fg), bg: hexColor(theme.bg), palette };
}

/**
 * `#rrggbb` as `0xRRGGBB`.
 *
 * @example
 * ```ts
 * import { hexColor } from "./theme.ts";
 * hexColor("#ff8000"); // 0xff8000
 * ```
 */
export function hexColor(hex: string): number {
  return parseInt(hex.slice(1), 16);
}

/**
 * `0xRRGGBB` as `#rrggbb`.
 *
 * @example
 * ```ts
 * import { colorHex } from "./theme.ts";
 * colorHex(0xff8000); // "#ff8000"
 * ```
 */
export function colorHex(rgb: number): string {
  return "#" + rgb.toString(16).padStart(6, "0");
}

/**
 * The `0xRRGGBB` of a cell colour, `fallback` for the default colour.
 *
 * @example
 * ```ts
 * import { cellRgb, THEMES, themeColors } from "./theme.ts";
 * const colors = themeColors(THEMES.asciinema!);
 * cellRgb(1, colors, colors.fg).toString(16); // "dd3c69"
 * ```
 */
export function cellRgb(color: Color, colors: ThemeColors, fallback: number): number {
  if (color === DEFAULT_COLOR) return fallback;
  if (color >= RGB_COLOR) return color & 0xffffff;
  return colors.palette[color & 0xff]!;
}
