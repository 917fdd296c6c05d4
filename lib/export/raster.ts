/**
 * Terminal screens as pixels, for GIF and PNG: which cells changed between two screens,
 * and the pixels of a region drawn either as palette indices (the usual case: a terminal
 * frame has few colours, and anti-aliased text only adds blends of each text colour with
 * its background) or, when more than a palette holds, as RGB for quantising.
 *
 * @module
 */
import { type Cell, CellFlag, type Screen } from "../vt/screen.ts";
import { cellColors, mixRgb } from "./cell_colors.ts";
import { cellSize, type Glyph, GlyphCache, GlyphStyle, LEVELS } from "./glyphs.ts";
import { type Layout, layout, WINDOW_BUTTONS, windowButtons } from "./layout.ts";
import type { ExportSettings, RenderReport } from "./options.ts";
import { Rasterizer } from "./rasterizer.ts";
import { type ThemeColors, themeColors } from "./theme.ts";

/** An RGB pixel value meaning "transparent" (outside the window's rounded corners). */
export const TRANSPARENT_RGB = 0xff000000;

/** A rectangle of pixels. */
export interface PixelRect {
  /** Left. */
  x: number;
  /** Top. */
  y: number;
  /** Width. */
  w: number;
  /** Height. */
  h: number;
}

/** Up to 256 colours, looked up by value; index 0 may be kept for transparency. */
export class Palette {
  /** The colours, `0xRRGGBB`. */
  readonly colors: number[] = [];
  #index = new Map<number, number>();
  #limit: number;

  constructor(limit = 256) {
    this.#limit = limit;
  }

  /** The index of `rgb`, added if new; -1 when the palette is full. */
  add(rgb: number): number {
    let i = this.#index.get(rgb);
    if (i === undefined) {
      if (this.colors.length >= this.#limit) return -1;
      i = this.colors.length;
      this.colors.push(rgb);
      this.#index.set(rgb, i);
    }
    return i;
  }
}

const BLANK: Cell = { chars: "", width: 1, fg: -1, bg: -1, flags: 0 };

/**
 * Draws screens of one size and theme as pixels.
 *
 * @example
 * ```ts
 * import { Palette, TerminalRaster } from "./raster.ts";
 * import { exportSettings } from "./options.ts";
 * import { Vt } from "../vt/vt.ts";
 * const header = { version: 3 as const, cols: 10, rows: 2 };
 * const raster = new TerminalRaster(exportSettings({}, header));
 * using vt = new Vt(10, 2, { sync: true });
 * vt.feed("hi");
 * const palette = new Palette();
 * const full = { x: 0, y: 0, w: raster.layout.width, h: raster.layout.height };
 * const pixels = raster.indexed(vt.screen(), full, palette, { chrome: true });
 * ```
 */
export class TerminalRaster {
  /** Where things are. */
  readonly layout: Layout;
  /** The glyph cache (its `missing` lists characters drawn as boxes). */
  readonly glyphs: GlyphCache;
  readonly #colors: ThemeColors;
  readonly #cols: number;
  readonly #rows: number;
  #chrome: Uint32Array | undefined;
  #fontSize: number;

  constructor(settings: ExportSettings) {
    const cell = cellSize(settings.fontSize, settings.lineHeight);
    this.layout = layout(settings, cell.width, cell.height);
    this.glyphs = new GlyphCache(settings.fontSize, cell.width, cell.height);
    this.#colors = themeColors(settings.theme);
    this.#cols = settings.cols;
    this.#rows = settings.rows;
    this.#fontSize = settings.fontSize;
  }

  /** The theme's background. */
  get background(): number {
    return this.#colors.bg;
  }

  /**
   * The pixel rectangle covering every cell that looks different in `next` than in `prev`
   * (the whole picture when there is no `prev`), with a mask of the changed cells;
   * undefined when nothing visible changed.
   */
  diff(
    prev: Screen | undefined,
    next: Screen,
  ): { rect: PixelRect; changed: Uint8Array } | undefined {
    const cols = this.#cols;
    const rows = this.#rows;
    const changed = new Uint8Array(cols * rows);
    let x0 = cols, y0 = rows, x1 = -1, y1 = -1;
    const pc = prev ? _cursorCell(prev, cols) : -1;
    const nc = _cursorCell(next, cols);
    for (let y = 0; y < rows; y++) {
      const a = prev?.lines[y]?.cells;
      const b = next.lines[y]?.cells;
      for (let x = 0; x < cols; x++) {
        const ca = prev ? (a?.[x] ?? BLANK) : undefined;
        const cb = b?.[x] ?? BLANK;
        const i = y * cols + x;
        if (
          ca && ca.chars === cb.chars && ca.width === cb.width && ca.fg === cb.fg &&
          ca.bg === cb.bg && ca.flags === cb.flags && (pc === i) === (nc === i)
        ) continue;
        changed[i] = 1;
        // A wide character is drawn from its first cell over both.
        let from = x;
        let to = x;
        if (cb.width === 2 || ca?.width === 2) to = Math.min(cols - 1, x + 1);
        if (cb.width === 0 || ca?.width === 0) from = Math.max(0, x - 1);
        for (let k = from; k <= to; k++) changed[y * cols + k] = 1;
        if (from < x0) x0 = from;
        if (to > x1) x1 = to;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
    if (!prev) {
      return { rect: { x: 0, y: 0, w: this.layout.width, h: this.layout.height }, changed };
    }
    if (x1 < 0) return undefined;
    const l = this.layout;
    return {
      rect: {
        x: l.left + x0 * l.cellWidth,
        y: l.top + y0 * l.cellHeight,
        w: (x1 - x0 + 1) * l.cellWidth,
        h: (y1 - y0 + 1) * l.cellHeight,
      },
      changed,
    };
  }

  /**
   * Draws the cells of `screen` inside `rect` (those marked in `changed`, or all) as indices
   * into `palette`; pixels of unchanged cells (and outside the window) get `transparent`.
   * With `chrome`, the padding and window frame are drawn too (`rect` must then be the whole
   * picture). Returns undefined when the palette overflows.
   */
  indexed(
    screen: Screen,
    rect: PixelRect,
    palette: Palette,
    options: { chrome?: boolean; changed?: Uint8Array; transparent?: number } = {},
  ): Uint8Array | undefined {
    const out = new Uint8Array(rect.w * rect.h);
    if (options.chrome) {
      const chrome = this.#chromePixels();
      for (let i = 0; i < chrome.length; i++) {
        const c = chrome[i]!;
        const idx = c === TRANSPARENT_RGB ? options.transparent ?? -1 : palette.add(c);
        if (idx < 0) return undefined;
        out[i] = idx;
      }
    } else if (options.transparent !== undefined) {
      out.fill(options.transparent);
    }
    const luts = new Map<number, Int16Array>();
    const ok = this.#cells(screen, rect, options.changed, (glyph, fg, bg, px, py) => {
      const key = fg * 0x1000000 + bg;
      let lut = luts.get(key);
      if (!lut) {
        lut = new Int16Array(LEVELS).fill(-1);
        luts.set(key, lut);
      }
      for (const l of glyph.levels) {
        if (lut[l]! < 0) {
          const idx = palette.add(l === 0 ? bg : mixRgb(bg, fg, l / (LEVELS - 1)));
          if (idx < 0) return false;
          lut[l] = idx;
        }
      }
      _blit(out, rect.w, px, py, glyph, this.layout.cellHeight, lut);
      return true;
    });
    return ok ? out : undefined;
  }

  /** Like {@linkcode TerminalRaster.indexed}, as `0xRRGGBB` (or {@linkcode TRANSPARENT_RGB}). */
  rgb(
    screen: Screen,
    rect: PixelRect,
    options: { chrome?: boolean; changed?: Uint8Array } = {},
  ): Uint32Array {
    const out = new Uint32Array(rect.w * rect.h);
    if (options.chrome) out.set(this.#chromePixels());
    else out.fill(TRANSPARENT_RGB);
    const luts = new Map<number, Uint32Array>();
    this.#cells(screen, rect, options.changed, (glyph, fg, bg, px, py) => {
      const key = fg * 0x1000000 + bg;
      let lut = luts.get(key);
      if (!lut) {
        lut = new Uint32Array(LEVELS);
        for (let l = 0; l < LEVELS; l++) lut[l] = mixRgb(bg, fg, l / (LEVELS - 1));
        luts.set(key, lut);
      }
      _blit(out, rect.w, px, py, glyph, this.layout.cellHeight, lut);
      return true;
    });
    return out;
  }

  /** Calls `draw` for each cell to draw inside `rect`, with the cell's pixel position in it. */
  #cells(
    screen: Screen,
    rect: PixelRect,
    changed: Uint8Array | undefined,
    draw: (glyph: Glyph, fg: number, bg: number, px: number, py: number) => boolean,
  ): boolean {
    const l = this.layout;
    const cols = this.#cols;
    const cursor = _cursorCell(screen, cols);
    const cx0 = Math.max(0, Math.floor((rect.x - l.left) / l.cellWidth));
    const cy0 = Math.max(0, Math.floor((rect.y - l.top) / l.cellHeight));
    const cx1 = Math.min(cols, Math.ceil((rect.x + rect.w - l.left) / l.cellWidth));
    const cy1 = Math.min(this.#rows, Math.ceil((rect.y + rect.h - l.top) / l.cellHeight));
    for (let y = cy0; y < cy1; y++) {
      const cells = screen.lines[y]?.cells;
      for (let x = cx0; x < cx1; x++) {
        const i = y * cols + x;
        if (changed && !changed[i]) continue;
        const cell = cells?.[x] ?? BLANK;
        if (cell.width === 0) {
          // The second half of a wide character: drawn with the first, unless that is gone.
          const first = cells?.[x - 1];
          if (first?.width === 2) continue;
        }
        const wide = cell.width === 2 && x + 1 < cols;
        const { fg, bg } = cellColors(cell, this.#colors, cursor === i);
        const flags = cell.flags;
        let style = 0;
        if (flags & CellFlag.BOLD) style |= GlyphStyle.BOLD;
        if (flags & CellFlag.ITALIC) style |= GlyphStyle.ITALIC;
        if (flags & CellFlag.UNDERLINE) style |= GlyphStyle.UNDERLINE;
        if (flags & CellFlag.STRIKETHROUGH) style |= GlyphStyle.STRIKETHROUGH;
        const chars = flags & CellFlag.INVISIBLE ? "" : cell.chars;
        if (flags & CellFlag.INVISIBLE) style = 0;
        const glyph = this.glyphs.glyph(chars, style, wide);
        const px = l.left + x * l.cellWidth - rect.x;
        const py = l.top + y * l.cellHeight - rect.y;
        if (!draw(glyph, fg, bg, px, py)) return false;
      }
    }
    return true;
  }

  /** The picture without cells: background, padding, window frame, transparent corners. */
  #chromePixels(): Uint32Array {
    if (this.#chrome) return this.#chrome;
    const l = this.layout;
    const bg = this.#colors.bg;
    const px = new Uint32Array(l.width * l.height).fill(bg);
    if (l.radius > 0) {
      const r = l.radius;
      for (let y = 0; y < r; y++) {
        for (let x = 0; x < r; x++) {
          // Outside the quarter circle (by the pixel's centre): transparent.
          if (Math.hypot(r - x - 0.5, r - y - 0.5) <= r) continue;
          for (
            const [xx, yy] of [[x, y], [l.width - 1 - x, y], [x, l.height - 1 - y], [
              l.width - 1 - x,
              l.height - 1 - y,
            ]]
          ) px[yy! * l.width + xx!] = TRANSPARENT_RGB;
        }
      }
    }
    if (l.bar > 0) {
      const raster = new Rasterizer(l.width, l.height);
      for (const [i, b] of windowButtons(l, this.#fontSize).entries()) {
        raster.clear();
        const points: [number, number][] = [];
        for (let k = 0; k < 32; k++) {
          const a = (2 * Math.PI * k) / 32;
          points.push([b.x + b.r * Math.cos(a), b.y + b.r * Math.sin(a)]);
        }
        raster.polygon(points);
        const coverage = raster.coverage();
        const color = WINDOW_BUTTONS[i]!;
        for (let k = 0; k < coverage.length; k++) {
          const a = coverage[k]!;
          // Quantised like text, so a frame's palette stays small.
          if (a > 0) px[k] = mixRgb(bg, color, Math.round(a * (LEVELS - 1)) / (LEVELS - 1));
        }
      }
    }
    this.#chrome = px;
    return px;
  }
}

/** The canvas cell index (`y * cols + x`) the cursor is drawn on, -1 for none. */
function _cursorCell(screen: Screen, cols: number): number {
  const c = screen.cursor;
  if (!c.visible || c.y < 0 || c.y >= screen.rows) return -1;
  let x = Math.min(c.x, screen.cols - 1);
  if (screen.lines[c.y]?.cells[x]?.width === 0 && x > 0) x--;
  return x < cols ? c.y * cols + x : -1;
}

function _blit(
  out: Uint8Array | Uint32Array,
  stride: number,
  px: number,
  py: number,
  glyph: Glyph,
  height: number,
  lut: ArrayLike<number>,
): void {
  const w = glyph.width;
  const rows = Math.min(height, out.length / stride - py);
  const cols = Math.min(w, stride - px);
  const mask = glyph.mask;
  if (!mask) {
    const v = lut[0]!;
    for (let y = Math.max(0, -py); y < rows; y++) {
      const at = (py + y) * stride + px;
      out.fill(v, at + Math.max(0, -px), at + cols);
    }
    return;
  }
  for (let y = Math.max(0, -py); y < rows; y++) {
    const at = (py + y) * stride + px;
    const m = y * w;
    for (let x = Math.max(0, -px); x < cols; x++) out[at + x] = lut[mask[m + x]!]!;
  }
}

/**
 * Tells the caller which characters were drawn as boxes, through the object passed as the
 * `report` option (if any).
 *
 * @example
 * ```ts
 * import { reportMissing, TerminalRaster } from "./raster.ts";
 * import { exportSettings } from "./options.ts";
 * const report: { missing?: string[] } = {};
 * const raster = new TerminalRaster(exportSettings({}, { version: 3, cols: 10, rows: 2 }));
 * reportMissing({ report }, raster);
 * report.missing; // []
 * ```
 */
export function reportMissing(
  options: Readonly<Record<string, unknown>> | undefined,
  raster: TerminalRaster,
): void {
  const report = options?.report as RenderReport | undefined;
  if (report) report.missing = [...raster.glyphs.missing];
}
