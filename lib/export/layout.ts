/**
 * Where things go in a picture of a terminal: the size of a cell, the padding, the optional
 * window frame, in pixels; shared by the raster (GIF, PNG) and vector (SVG) renderers so that
 * they produce the same geometry.
 *
 * @module
 */
import type { ExportSettings } from "./options.ts";

/** The geometry of a picture, in pixels. */
export interface Layout {
  /** Cell width. */
  cellWidth: number;
  /** Cell height. */
  cellHeight: number;
  /** Left edge of the terminal grid. */
  left: number;
  /** Top edge of the terminal grid. */
  top: number;
  /** Whole picture width. */
  width: number;
  /** Whole picture height. */
  height: number;
  /** Height of the window's title bar (0 without `--window`). */
  bar: number;
  /** Corner radius (0 without `--window`). */
  radius: number;
}

/** The window frame's three buttons, left to right (as macOS and VHS draw them). */
export const WINDOW_BUTTONS: readonly number[] = [0xff5f58, 0xffbd2e, 0x18c132];

/**
 * Lays out a picture of `settings.cols` × `settings.rows` cells of `cellWidth` × `cellHeight`
 * pixels (which the caller rounds or not).
 *
 * @example
 * ```ts
 * import { layout } from "./layout.ts";
 * const l = layout({ cols: 80, rows: 24, padding: 10, window: false, fontSize: 14 }, 8, 20);
 * [l.width, l.height]; // [660, 500]
 * ```
 */
export function layout(
  settings: Pick<ExportSettings, "cols" | "rows" | "padding" | "window" | "fontSize">,
  cellWidth: number,
  cellHeight: number,
): Layout {
  const pad = settings.padding;
  const bar = settings.window ? Math.round(settings.fontSize * 2.2) : 0;
  return {
    cellWidth,
    cellHeight,
    left: pad,
    top: pad + bar,
    width: settings.cols * cellWidth + 2 * pad,
    height: settings.rows * cellHeight + 2 * pad + bar,
    bar,
    radius: settings.window ? Math.round(settings.fontSize * 0.6) : 0,
  };
}

/**
 * The centres (x, y) and radius of the window buttons, in pixels.
 *
 * @example
 * ```ts
 * import { layout, windowButtons } from "./layout.ts";
 * const l = layout({ cols: 80, rows: 24, padding: 10, window: true, fontSize: 14 }, 8, 20);
 * windowButtons(l, 14).length; // 3
 * ```
 */
export function windowButtons(l: Layout, fontSize: number): { x: number; y: number; r: number }[] {
  const r = fontSize * 0.43;
  const y = l.top / 2;
  const x0 = Math.max(l.left, r * 2) + r;
  return WINDOW_BUTTONS.map((_, i) => ({ x: x0 + i * r * 3.4, y, r }));
}
