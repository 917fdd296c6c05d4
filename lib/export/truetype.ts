/**
 * A small TrueType reader: the character map, horizontal metrics and glyph outlines (simple
 * and composite `glyf` glyphs) of a `.ttf` file, read lazily, glyph by glyph. Enough to
 * rasterise a monospace terminal font; no hinting, no shaping.
 *
 * @module
 */

/** A point of an outline, in font units (y up). */
export interface OutlinePoint {
  /** X in font units. */
  x: number;
  /** Y in font units, upwards. */
  y: number;
  /** On the curve (else a quadratic control point). */
  on: boolean;
}

/** A glyph outline: closed contours of on- and off-curve points. */
export type Outline = OutlinePoint[][];

const ARG_1_AND_2_ARE_WORDS = 0x1;
const ARGS_ARE_XY_VALUES = 0x2;
const WE_HAVE_A_SCALE = 0x8;
const MORE_COMPONENTS = 0x20;
const WE_HAVE_AN_X_AND_Y_SCALE = 0x40;
const WE_HAVE_A_TWO_BY_TWO = 0x80;

/**
 * A TrueType font read from its bytes.
 *
 * @example
 * ```ts
 * import { TrueTypeFont } from "./truetype.ts";
 * import { FONT_REGULAR } from "./font_data.ts";
 * const font = new TrueTypeFont(FONT_REGULAR);
 * const glyph = font.glyphIndex("A".codePointAt(0)!);
 * font.advance(glyph); // 1233 (of 2048 units per em)
 * ```
 */
export class TrueTypeFont {
  #view: DataView;
  #tables = new Map<string, { offset: number; length: number }>();
  #cmap: ((cp: number) => number) | undefined;
  #numHMetrics: number;
  #longLoca: boolean;
  /** Units per em. */
  readonly unitsPerEm: number;
  /** Ascender (font units, positive). */
  readonly ascender: number;
  /** Descender (font units, negative). */
  readonly descender: number;
  /** Number of glyphs. */
  readonly numGlyphs: number;

  /** @throws {SyntaxError} when the bytes are not a TrueType font with outlines. */
  constructor(bytes: Uint8Array) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const v = this.#view;
    const version = v.getUint32(0);
    if (version !== 0x00010000 && version !== 0x74727565) {
      throw new SyntaxError("not a TrueType font (glyf outlines)");
    }
    const numTables = v.getUint16(4);
    for (let i = 0; i < numTables; i++) {
      const at = 12 + i * 16;
      const tag = String.fromCharCode(
        v.getUint8(at),
        v.getUint8(at + 1),
        v.getUint8(at + 2),
        v.getUint8(at + 3),
      );
      this.#tables.set(tag, { offset: v.getUint32(at + 8), length: v.getUint32(at + 12) });
    }
    for (const tag of ["head", "hhea", "hmtx", "maxp", "cmap", "loca", "glyf"]) {
      if (!this.#tables.has(tag)) throw new SyntaxError(`the font has no ${tag} table`);
    }
    const head = this.#table("head");
    this.unitsPerEm = v.getUint16(head + 18);
    this.#longLoca = v.getInt16(head + 50) === 1;
    const hhea = this.#table("hhea");
    this.ascender = v.getInt16(hhea + 4);
    this.descender = v.getInt16(hhea + 6);
    this.#numHMetrics = v.getUint16(hhea + 34);
    this.numGlyphs = v.getUint16(this.#table("maxp") + 4);
  }

  /** The glyph of a code point; 0 (the missing glyph) when the font has none. */
  glyphIndex(codePoint: number): number {
    this.#cmap ??= this.#readCmap();
    return this.#cmap(codePoint);
  }

  /** A glyph's advance width, in font units. */
  advance(glyph: number): number {
    const i = Math.min(glyph, this.#numHMetrics - 1);
    return this.#view.getUint16(this.#table("hmtx") + i * 4);
  }

  /** A glyph's outline (empty for a blank glyph such as the space). */
  outline(glyph: number): Outline {
    return this.#outline(glyph, 0);
  }

  #table(tag: string): number {
    return this.#tables.get(tag)!.offset;
  }

  #readCmap(): (cp: number) => number {
    const v = this.#view;
    const cmap = this.#table("cmap");
    const n = v.getUint16(cmap + 2);
    let best: { format: number; at: number; rank: number } | undefined;
    for (let i = 0; i < n; i++) {
      const platform = v.getUint16(cmap + 4 + i * 8);
      const encoding = v.getUint16(cmap + 6 + i * 8);
      const at = cmap + v.getUint32(cmap + 8 + i * 8);
      const format = v.getUint16(at);
      const unicode = platform === 0 || (platform === 3 && (encoding === 1 || encoding === 10));
      if (!unicode || (format !== 4 && format !== 12)) continue;
      const rank = format === 12 ? 2 : 1;
      if (!best || rank > best.rank) best = { format, at, rank };
    }
    if (!best) throw new SyntaxError("the font has no Unicode character map");
    const at = best.at;
    if (best.format === 12) {
      const groups = v.getUint32(at + 12);
      return (cp) => {
        let lo = 0;
        let hi = groups - 1;
        while (lo <= hi) {
          const mid = (lo + hi) >> 1;
          const g = at + 16 + mid * 12;
          if (cp < v.getUint32(g)) hi = mid - 1;
          else if (cp > v.getUint32(g + 4)) lo = mid + 1;
          else return v.getUint32(g + 8) + cp - v.getUint32(g);
        }
        return 0;
      };
    }
    const segs = v.getUint16(at + 6) / 2;
    const ends = at + 14;
    const starts = ends + segs * 2 + 2;
    const deltas = starts + segs * 2;
    const offsets = deltas + segs * 2;
    return (cp) => {
      if (cp > 0xffff) return 0;
      let lo = 0;
      let hi = segs - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (v.getUint16(ends + mid * 2) < cp) lo = mid + 1;
        else hi = mid;
      }
      const start = v.getUint16(starts + lo * 2);
      if (cp < start || cp > v.getUint16(ends + lo * 2)) return 0;
      const delta = v.getUint16(deltas + lo * 2);
      const rangeOffset = v.getUint16(offsets + lo * 2);
      if (rangeOffset === 0) return (cp + delta) & 0xffff;
      const g = v.getUint16(offsets + lo * 2 + rangeOffset + (cp - start) * 2);
      return g === 0 ? 0 : (g + delta) & 0xffff;
    };
  }

  #glyphRange(glyph: number): [number, number] {
    const v = this.#view;
    const loca = this.#table("loca");
    if (glyph < 0 || glyph >= this.numGlyphs) return [0, 0];
    const start = this.#longLoca
      ? v.getUint32(loca + glyph * 4)
      : v.getUint16(loca + glyph * 2) * 2;
    const end = this.#longLoca
      ? v.getUint32(loca + glyph * 4 + 4)
      : v.getUint16(loca + glyph * 2 + 2) * 2;
    return [start, end];
  }

  #outline(glyph: number, depth: number): Outline {
    const [start, end] = this.#glyphRange(glyph);
    if (end <= start || depth > 8) return [];
    const v = this.#view;
    const at = this.#table("glyf") + start;
    const contours = v.getInt16(at);
    if (contours >= 0) return this.#simple(at, contours);
    const out: Outline = [];
    let p = at + 10;
    for (;;) {
      const flags = v.getUint16(p);
      const component = v.getUint16(p + 2);
      p += 4;
      let dx: number;
      let dy: number;
      if (flags & ARG_1_AND_2_ARE_WORDS) {
        dx = v.getInt16(p);
        dy = v.getInt16(p + 2);
        p += 4;
      } else {
        dx = v.getInt8(p);
        dy = v.getInt8(p + 1);
        p += 2;
      }
      // Point-matched placement is rare in terminal fonts; such parts stay where they are.
      if (!(flags & ARGS_ARE_XY_VALUES)) dx = dy = 0;
      let [a, b, c, d] = [1, 0, 0, 1];
      const f2dot14 = (o: number) => v.getInt16(o) / 16384;
      if (flags & WE_HAVE_A_SCALE) {
        a = d = f2dot14(p);
        p += 2;
      } else if (flags & WE_HAVE_AN_X_AND_Y_SCALE) {
        a = f2dot14(p);
        d = f2dot14(p + 2);
        p += 4;
      } else if (flags & WE_HAVE_A_TWO_BY_TWO) {
        a = f2dot14(p);
        b = f2dot14(p + 2);
        c = f2dot14(p + 4);
        d = f2dot14(p + 6);
        p += 8;
      }
      for (const contour of this.#outline(component, depth + 1)) {
        out.push(contour.map((pt) => ({
          x: pt.x * a + pt.y * c + dx,
          y: pt.x * b + pt.y * d + dy,
          on: pt.on,
        })));
      }
      if (!(flags & MORE_COMPONENTS)) break;
    }
    return out;
  }

  #simple(at: number, contours: number): Outline {
    const v = this.#view;
    const endPts: number[] = [];
    for (let i = 0; i < contours; i++) endPts.push(v.getUint16(at + 10 + i * 2));
    const count = contours > 0 ? endPts[contours - 1]! + 1 : 0;
    let p = at + 10 + contours * 2;
    p += 2 + v.getUint16(p);
    const flags = new Uint8Array(count);
    for (let i = 0; i < count;) {
      const f = v.getUint8(p++);
      flags[i++] = f;
      if (f & 8) {
        let repeat = v.getUint8(p++);
        while (repeat-- > 0 && i < count) flags[i++] = f;
      }
    }
    const xs = new Float64Array(count);
    const ys = new Float64Array(count);
    let x = 0;
    for (let i = 0; i < count; i++) {
      const f = flags[i]!;
      if (f & 2) {
        const d = v.getUint8(p++);
        x += f & 16 ? d : -d;
      } else if (!(f & 16)) {
        x += v.getInt16(p);
        p += 2;
      }
      xs[i] = x;
    }
    let y = 0;
    for (let i = 0; i < count; i++) {
      const f = flags[i]!;
      if (f & 4) {
        const d = v.getUint8(p++);
        y += f & 32 ? d : -d;
      } else if (!(f & 32)) {
        y += v.getInt16(p);
        p += 2;
      }
      ys[i] = y;
    }
    const out: Outline = [];
    let first = 0;
    for (const last of endPts) {
      const contour: OutlinePoint[] = [];
      for (let i = first; i <= last; i++) {
        contour.push({ x: xs[i]!, y: ys[i]!, on: (flags[i]! & 1) !== 0 });
      }
      if (contour.length > 0) out.push(contour);
      first = last + 1;
    }
    return out;
  }
}
