/**
 * Glyphs as pixels: each (characters, bold, italic, underline, strikethrough, width) is
 * rasterised once, from the embedded font or from geometry (`cell_geometry.ts`), into a
 * cell-sized mask of coverage levels, and cached. A character the font lacks becomes a
 * visible box, and is remembered so the caller can say which.
 *
 * @module
 */
import { drawGeometry, isGeometric } from "./cell_geometry.ts";
import { FONT_BOLD, FONT_REGULAR } from "./font_data.ts";
import { Rasterizer } from "./rasterizer.ts";
import { TrueTypeFont } from "./truetype.ts";

/** Coverage levels in a mask: 0 (background) to `LEVELS - 1` (text colour). */
export const LEVELS = 8;

/** Style bits a glyph depends on. */
export const GlyphStyle = {
  BOLD: 1,
  ITALIC: 2,
  UNDERLINE: 4,
  STRIKETHROUGH: 8,
} as const;

/** A rasterised glyph, `width` × the cell height. */
export interface Glyph {
  /** Coverage levels row by row; undefined for a blank cell (background only). */
  mask: Uint8Array | undefined;
  /** Width in pixels (one or two cells). */
  width: number;
  /** The levels that occur in the mask. */
  levels: number[];
  /** The font has no glyph for this: drawn as a box. */
  fallback: boolean;
}

let fonts: { regular: TrueTypeFont; bold: TrueTypeFont } | undefined;

function _fonts() {
  fonts ??= { regular: new TrueTypeFont(FONT_REGULAR), bold: new TrueTypeFont(FONT_BOLD) };
  return fonts;
}

// Characters that take no space and draw nothing: variation selectors, joiners, marks.
const IGNORABLE = /[\u200b-\u200f\u2060-\u206f\ufe00-\ufe0f\u{e0100}-\u{e01ef}]/gu;

/** The cell size the embedded font needs at `fontSize` pixels and `lineHeight`. */
export function cellSize(fontSize: number, lineHeight: number): { width: number; height: number } {
  const font = _fonts().regular;
  const advance = font.advance(font.glyphIndex(0x4d)) / font.unitsPerEm;
  return {
    width: Math.max(1, Math.round(fontSize * advance)),
    height: Math.max(1, Math.round(fontSize * lineHeight)),
  };
}

/**
 * Rasterises and caches glyphs for one cell size.
 *
 * @example
 * ```ts
 * import { GlyphCache } from "./glyphs.ts";
 * const glyphs = new GlyphCache(14, 8, 20);
 * const a = glyphs.glyph("a", 0, false);
 * a.fallback; // false
 * glyphs.glyph("\u{1f600}", 0, true).fallback; // true: the font has no emoji
 * ```
 */
export class GlyphCache {
  #fontSize: number;
  #w: number;
  #h: number;
  #baseline: number;
  /** Per characters, the glyphs by `style * 2 + wide`. */
  #cache = new Map<string, (Glyph | undefined)[]>();
  #raster: Rasterizer;
  #raster2: Rasterizer;
  /** Characters drawn as boxes because the font lacks them. */
  readonly missing = new Set<string>();

  constructor(fontSize: number, cellWidth: number, cellHeight: number) {
    this.#fontSize = fontSize;
    this.#w = cellWidth;
    this.#h = cellHeight;
    const font = _fonts().regular;
    const scale = fontSize / font.unitsPerEm;
    const asc = font.ascender * scale;
    const desc = -font.descender * scale;
    this.#baseline = Math.round((cellHeight - asc - desc) / 2 + asc);
    this.#raster = new Rasterizer(cellWidth, cellHeight);
    this.#raster2 = new Rasterizer(cellWidth * 2, cellHeight);
  }

  /** The glyph of `chars` in `style` ({@linkcode GlyphStyle} bits), one or two cells wide. */
  glyph(chars: string, style: number, wide: boolean): Glyph {
    let styles = this.#cache.get(chars);
    if (!styles) {
      styles = [];
      this.#cache.set(chars, styles);
    }
    const i = style * 2 + (wide ? 1 : 0);
    return styles[i] ??= this.#render(chars, style, wide);
  }

  #render(chars: string, style: number, wide: boolean): Glyph {
    const w = wide ? this.#w * 2 : this.#w;
    const h = this.#h;
    const text = chars.normalize("NFC").replace(IGNORABLE, "");
    const cps = [...text].map((c) => c.codePointAt(0)!).filter((cp) => cp !== 0x20);
    let coverage: Float32Array | undefined;
    let fallback = false;
    if (cps.length === 1 && isGeometric(cps[0]!)) {
      coverage = drawGeometry(cps[0]!, w, h);
    } else if (cps.length > 0) {
      const font = style & GlyphStyle.BOLD ? _fonts().bold : _fonts().regular;
      const glyphs = cps.map((cp) => font.glyphIndex(cp));
      if (glyphs[0] === 0) {
        fallback = true;
        this.missing.add(chars);
        coverage = this.#box(w, h);
      } else {
        coverage = this.#outline(font, glyphs.filter((g) => g !== 0), w, style);
      }
    }
    if (style & (GlyphStyle.UNDERLINE | GlyphStyle.STRIKETHROUGH)) {
      coverage ??= new Float32Array(w * h);
      const t = Math.max(1, Math.round(this.#fontSize / 14));
      const line = (y: number) => {
        for (let yy = Math.max(0, y); yy < Math.min(h, y + t); yy++) {
          coverage!.fill(1, yy * w, yy * w + w);
        }
      };
      if (style & GlyphStyle.UNDERLINE) {
        line(Math.min(h - t, this.#baseline + Math.max(1, Math.round(this.#fontSize * 0.12))));
      }
      if (style & GlyphStyle.STRIKETHROUGH) line(this.#baseline - Math.round(this.#fontSize * 0.3));
    }
    if (!coverage) return { mask: undefined, width: w, levels: [0], fallback };
    const mask = new Uint8Array(w * h);
    const seen = new Uint8Array(LEVELS);
    for (let i = 0; i < mask.length; i++) {
      const level = Math.round(coverage[i]! * (LEVELS - 1));
      mask[i] = level;
      seen[level] = 1;
    }
    const levels: number[] = [];
    for (let l = 0; l < LEVELS; l++) if (seen[l]) levels.push(l);
    if (levels.length === 1 && levels[0] === 0) {
      return { mask: undefined, width: w, levels, fallback };
    }
    return { mask, width: w, levels, fallback };
  }

  #outline(font: TrueTypeFont, glyphs: number[], w: number, style: number): Float32Array {
    const r = w === this.#w ? this.#raster : this.#raster2;
    r.clear();
    const scale = this.#fontSize / font.unitsPerEm;
    const baseline = this.#baseline;
    const slant = style & GlyphStyle.ITALIC ? 0.2 : 0;
    const mid = this.#fontSize * 0.3;
    for (const glyph of glyphs) {
      const left = (w - font.advance(glyph) * scale) / 2;
      const px = (x: number, y: number) => left + x * scale + slant * (y * scale - mid);
      const py = (y: number) => baseline - y * scale;
      for (const contour of font.outline(glyph)) {
        const n = contour.length;
        // Start on an on-curve point (or between two off-curve ones).
        let start = contour.findIndex((p) => p.on);
        let sx: number;
        let sy: number;
        if (start === -1) {
          const a = contour[0]!;
          const b = contour[1 % n]!;
          sx = (a.x + b.x) / 2;
          sy = (a.y + b.y) / 2;
          start = 0;
        } else {
          sx = contour[start]!.x;
          sy = contour[start]!.y;
          start++;
        }
        r.moveTo(px(sx, sy), py(sy));
        let ctrl: { x: number; y: number } | undefined;
        for (let k = 0; k < n; k++) {
          const p = contour[(start + k) % n]!;
          if (p.on) {
            if (ctrl) r.quadTo(px(ctrl.x, ctrl.y), py(ctrl.y), px(p.x, p.y), py(p.y));
            else r.lineTo(px(p.x, p.y), py(p.y));
            ctrl = undefined;
          } else {
            if (ctrl) {
              const mx = (ctrl.x + p.x) / 2;
              const my = (ctrl.y + p.y) / 2;
              r.quadTo(px(ctrl.x, ctrl.y), py(ctrl.y), px(mx, my), py(my));
            }
            ctrl = p;
          }
        }
        if (ctrl) r.quadTo(px(ctrl.x, ctrl.y), py(ctrl.y), px(sx, sy), py(sy));
        r.close();
      }
    }
    return r.coverage();
  }

  /** The fallback: a rectangle outline inside the cell. */
  #box(w: number, h: number): Float32Array {
    const out = new Float32Array(w * h);
    const top = Math.max(0, Math.round(this.#baseline - this.#fontSize * 0.75));
    const bottom = Math.min(h - 1, this.#baseline);
    const x0 = 1;
    const x1 = Math.max(x0 + 1, w - 2);
    for (let y = top; y <= bottom; y++) {
      for (let x = x0; x <= x1; x++) {
        if (y === top || y === bottom || x === x0 || x === x1) out[y * w + x] = 1;
      }
    }
    return out;
  }
}
