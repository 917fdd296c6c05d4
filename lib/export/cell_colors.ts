/**
 * What colours a cell is drawn in, the same for every renderer: default colours from the
 * theme, palette and truecolor colours, inverse (and the cursor, drawn as an inverted cell),
 * and dim text half-way to its background.
 *
 * @module
 */
import { type Cell, CellFlag } from "../vt/screen.ts";
import { cellRgb, type ThemeColors } from "./theme.ts";

/** A cell's final colours, `0xRRGGBB`. */
export interface CellColors {
  /** Text colour (already dimmed when the cell is dim). */
  fg: number;
  /** Background colour. */
  bg: number;
}

/**
 * Mixes two `0xRRGGBB` colours: `t` = 0 gives `a`, 1 gives `b`.
 *
 * @example
 * ```ts
 * import { mixRgb } from "./cell_colors.ts";
 * mixRgb(0x000000, 0xffffff, 0.5).toString(16); // "808080"
 * ```
 */
export function mixRgb(a: number, b: number, t: number): number {
  const m = (shift: number) => {
    const x = (a >> shift) & 255;
    const y = (b >> shift) & 255;
    return Math.round(x + (y - x) * t) << shift;
  };
  return m(16) | m(8) | m(0);
}

/**
 * The colours `cell` is drawn in; `cursor` inverts it once more (a block cursor).
 *
 * @example
 * ```ts
 * import { cellColors } from "./cell_colors.ts";
 * import { THEMES, themeColors } from "./theme.ts";
 * const colors = themeColors(THEMES.asciinema!);
 * const cell = { chars: "x", width: 1 as const, fg: 1, bg: -1, flags: 0 };
 * cellColors(cell, colors, true); // { fg: 0x121314, bg: 0xdd3c69 }
 * ```
 */
export function cellColors(cell: Cell, colors: ThemeColors, cursor = false): CellColors {
  let fg = cellRgb(cell.fg, colors, colors.fg);
  let bg = cellRgb(cell.bg, colors, colors.bg);
  if (((cell.flags & CellFlag.INVERSE) !== 0) !== cursor) [fg, bg] = [bg, fg];
  if (cell.flags & CellFlag.DIM) fg = mixRgb(fg, bg, 0.5);
  return { fg, bg };
}
