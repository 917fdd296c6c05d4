/**
 * What a terminal shows, cell by cell: the model that renderers (SVG, GIF, PNG), text
 * extraction, search and screen comparisons read, independent of the emulator's own
 * representation. {@linkcode Vt.screen} produces it.
 *
 * @module
 */

/** Cell colours: {@linkcode DEFAULT_COLOR}, a palette index 0–255, or `RGB_COLOR | 0xRRGGBB`. */
export type Color = number;

/** The terminal's default foreground or background (the theme decides). */
export const DEFAULT_COLOR = -1;
/** Marks a 24-bit colour: `RGB_COLOR | 0xRRGGBB`. */
export const RGB_COLOR = 0x1000000;

/** Cell attribute bits of {@linkcode Cell.flags}. */
export const CellFlag = {
  BOLD: 1,
  DIM: 2,
  ITALIC: 4,
  UNDERLINE: 8,
  BLINK: 16,
  INVERSE: 32,
  INVISIBLE: 64,
  STRIKETHROUGH: 128,
  OVERLINE: 256,
} as const;

/** One character cell. */
export interface Cell {
  /**
   * The grapheme in the cell (with any combining marks), `""` for an empty cell and for the
   * second cell of a wide character.
   */
  chars: string;
  /** 1 for a normal cell, 2 for the first cell of a wide character, 0 for its second cell. */
  width: 0 | 1 | 2;
  /** Foreground colour (before INVERSE is applied). */
  fg: Color;
  /** Background colour (before INVERSE is applied). */
  bg: Color;
  /** {@linkcode CellFlag} bits. */
  flags: number;
}

/** One row of the screen. */
export interface ScreenLine {
  /** Exactly `cols` cells. */
  cells: Cell[];
  /** This row continues the row above (the text wrapped at the right margin). */
  wrapped: boolean;
}

/** The visible screen at one point of a stream. */
export interface Screen {
  /** Columns. */
  cols: number;
  /** Rows. */
  rows: number;
  /** Exactly `rows` lines, top to bottom. */
  lines: ScreenLine[];
  /** Cursor position (0-based; `x` may equal `cols` after a write in the last column). */
  cursor: { x: number; y: number; visible: boolean };
  /** The alternate screen (full-screen programs) is active. */
  alternate: boolean;
}

/**
 * The text of a line: its characters, empty cells as spaces, the second cells of wide
 * characters skipped, trailing spaces removed.
 *
 * @example
 * ```ts
 * import { lineText } from "./screen.ts";
 * const cell = (chars: string) => ({ chars, width: 1 as const, fg: -1, bg: -1, flags: 0 });
 * lineText({ cells: [cell("h"), cell("i"), cell("")], wrapped: false }); // "hi"
 * ```
 */
export function lineText(line: ScreenLine): string {
  let text = "";
  for (const cell of line.cells) {
    if (cell.width === 0) continue;
    text += cell.chars === "" ? " " : cell.chars;
  }
  return text.replace(/ +$/, "");
}

/**
 * The screen as text, one line per row with trailing spaces removed and trailing empty rows
 * dropped (the same text as `Vt.text()`).
 *
 * @example
 * ```ts
 * import { screenText } from "./screen.ts";
 * import { Vt } from "./vt.ts";
 * using vt = new Vt(10, 3, { sync: true });
 * vt.feed("a\r\nb");
 * screenText(vt.screen()); // "a\nb"
 * ```
 */
export function screenText(screen: Screen): string {
  const lines = screen.lines.map(lineText);
  while (lines.length > 0 && lines.at(-1) === "") lines.pop();
  return lines.join("\n");
}

/**
 * Whether two cells look the same (characters, width, colours and attributes).
 *
 * @example
 * ```ts
 * import { sameCell } from "./screen.ts";
 * const a = { chars: "x", width: 1 as const, fg: 1, bg: -1, flags: 0 };
 * sameCell(a, { ...a }); // true
 * ```
 */
export function sameCell(a: Cell, b: Cell): boolean {
  return a.chars === b.chars && a.width === b.width && a.fg === b.fg && a.bg === b.bg &&
    a.flags === b.flags;
}

/**
 * Lists how two screens differ, as a viewer would notice: size, active screen, soft wraps,
 * each cell (characters, width, colours, attributes) and the cursor (position and
 * visibility). Empty when they look the same. At most `limit` differences are listed.
 *
 * @example
 * ```ts
 * import { diffScreens } from "./screen.ts";
 * import { Vt } from "./vt.ts";
 * using a = new Vt(10, 2, { sync: true });
 * using b = new Vt(10, 2, { sync: true });
 * a.feed("hi");
 * b.feed("ho");
 * diffScreens(a.screen(), b.screen()); // ['cell 0,1: "i" w1 fg-1 bg-1 f0 vs "o" w1 fg-1 bg-1 f0']
 * ```
 */
export function diffScreens(a: Screen, b: Screen, limit = 20): string[] {
  if (a.cols !== b.cols || a.rows !== b.rows) {
    return [`size ${a.cols}x${a.rows} vs ${b.cols}x${b.rows}`];
  }
  const out: string[] = [];
  if (a.alternate !== b.alternate) out.push(`alternate screen ${a.alternate} vs ${b.alternate}`);
  const cell = (c: Cell) =>
    `${JSON.stringify(c.chars)} w${c.width} fg${c.fg} bg${c.bg} f${c.flags}`;
  for (let y = 0; y < a.rows && out.length < limit; y++) {
    const la = a.lines[y]!;
    const lb = b.lines[y]!;
    if (la.wrapped !== lb.wrapped) out.push(`row ${y}: wrapped ${la.wrapped} vs ${lb.wrapped}`);
    for (let x = 0; x < a.cols && out.length < limit; x++) {
      const ca = la.cells[x]!;
      const cb = lb.cells[x]!;
      if (!sameCell(ca, cb)) out.push(`cell ${y},${x}: ${cell(ca)} vs ${cell(cb)}`);
    }
  }
  const ca = a.cursor;
  const cb = b.cursor;
  if (ca.x !== cb.x || ca.y !== cb.y || ca.visible !== cb.visible) {
    out.push(`cursor ${JSON.stringify(ca)} vs ${JSON.stringify(cb)}`);
  }
  return out.slice(0, limit);
}
