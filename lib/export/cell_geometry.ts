/**
 * Characters drawn from geometry instead of the font, so that they fill their cell exactly
 * and join their neighbours without gaps at any cell size: box drawing (U+2500–257F), block
 * elements (U+2580–259F), Braille (U+2800–28FF) and the powerline separators
 * (U+E0B0–E0BF). Straight lines and blocks are snapped to whole pixels; curves, diagonals
 * and triangles are anti-aliased.
 *
 * @module
 */
import { Rasterizer } from "./rasterizer.ts";

// Box drawing U+2500–254B as the line weights of their up, right, down and left arms:
// 0 none, 1 light, 2 heavy, 3 double (dashed lines are marked with "d").
const LINES = "0101 0202 1010 2020 d d d d d d d d " +
  "0110 0210 0120 0220 0011 0012 0021 0022 1100 1200 2100 2200 1001 1002 2001 2002 " +
  "1110 1210 2110 1120 2120 2210 1220 2220 1011 1012 2011 1021 2021 2012 1022 2022 " +
  "0111 0112 0211 0212 0121 0122 0221 0222 1101 1102 1201 1202 2101 2102 2201 2202 " +
  "1111 1112 1211 1212 2111 1121 2121 2112 2211 1122 1221 2212 1222 2122 2221 2222 " +
  "d d d d " +
  "0303 3030 0310 0130 0330 0013 0031 0033 1300 3100 3300 1003 3001 3003 " +
  "1310 3130 3330 1013 3031 3033 0313 0131 0333 1303 3101 3303 1313 3131 3333";
const WEIGHTS: (string | undefined)[] = LINES.split(" ");
// U+2574–257F: half lines.
const HALF = "0001 1000 0100 0010 0002 2000 0200 0020 0201 1020 0102 2010";

/** Whether `cp` is drawn by {@linkcode drawGeometry} rather than the font. */
export function isGeometric(cp: number): boolean {
  return (cp >= 0x2500 && cp <= 0x259f) || (cp >= 0x2800 && cp <= 0x28ff) ||
    (cp >= 0xe0b0 && cp <= 0xe0bf);
}

/** A coverage mask being drawn. */
class Mask {
  readonly data: Float32Array;
  constructor(readonly w: number, readonly h: number) {
    this.data = new Float32Array(w * h);
  }
  /** Fills the pixel rectangle [x0, x1) × [y0, y1) (clipped) with `value`. */
  rect(x0: number, y0: number, x1: number, y1: number, value = 1): void {
    x0 = Math.max(0, Math.round(x0));
    y0 = Math.max(0, Math.round(y0));
    x1 = Math.min(this.w, Math.round(x1));
    y1 = Math.min(this.h, Math.round(y1));
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        const i = y * this.w + x;
        this.data[i] = Math.max(this.data[i]!, value);
      }
    }
  }
  /** Adds anti-aliased coverage. */
  add(coverage: Float32Array): void {
    for (let i = 0; i < coverage.length; i++) {
      this.data[i] = Math.max(this.data[i]!, coverage[i]!);
    }
  }
}

/**
 * The coverage (0–1 per pixel, row by row) of a geometric character in a `w` × `h` cell,
 * or undefined when `cp` is not one.
 *
 * @example
 * ```ts
 * import { drawGeometry } from "./cell_geometry.ts";
 * const full = drawGeometry(0x2588, 8, 16)!; // █
 * full.every((a) => a === 1); // true
 * ```
 */
export function drawGeometry(cp: number, w: number, h: number): Float32Array | undefined {
  const m = new Mask(w, h);
  if (cp >= 0x2500 && cp <= 0x257f) _box(cp, m);
  else if (cp >= 0x2580 && cp <= 0x259f) _block(cp, m);
  else if (cp >= 0x2800 && cp <= 0x28ff) _braille(cp - 0x2800, m);
  else if (cp >= 0xe0b0 && cp <= 0xe0bf) _powerline(cp, m);
  else return undefined;
  return m.data;
}

type Interval = [number, number];

/** Line thickness for a cell: light strokes, the extra on each side of heavy ones. */
function _thickness(w: number, h: number): { t: number; pad: number } {
  const t = Math.max(1, Math.round(Math.min(w, h / 2) / 8));
  return { t, pad: Math.max(1, Math.round(t / 2)) };
}

function _strokes(weight: number, c: number, t: number, pad: number): Interval[] {
  switch (weight) {
    case 1:
      return [[c, c + t]];
    case 2:
      return [[c - pad, c + t + pad]];
    case 3:
      return [[c - t, c], [c + t, c + 2 * t]];
    default:
      return [];
  }
}

function _box(cp: number, m: Mask): void {
  const { w, h } = m;
  const { t, pad } = _thickness(w, h);
  const cx = Math.floor((w - t) / 2);
  const cy = Math.floor((h - t) / 2);
  if (cp >= 0x256d && cp <= 0x2570) return _arc(cp, m, cx + t / 2, cy + t / 2, t);
  if (cp >= 0x2571 && cp <= 0x2573) return _diagonal(cp, m, t);
  let spec = cp >= 0x2574 ? HALF.split(" ")[cp - 0x2574] : WEIGHTS[cp - 0x2500];
  if (spec === "d") return _dashes(cp, m, cx, cy, t, pad);
  spec ??= "0000";
  const weight = [...spec].map(Number) as [number, number, number, number];
  const [up, right, down, left] = weight;
  // Each arm: along its own axis from the cell edge to where it meets the others.
  const arms: { dir: 0 | 1 | 2 | 3; neg: number; pos: number; opposite: number }[] = [
    { dir: 0, neg: left, pos: right, opposite: down },
    { dir: 2, neg: left, pos: right, opposite: up },
    { dir: 3, neg: up, pos: down, opposite: right },
    { dir: 1, neg: up, pos: down, opposite: left },
  ];
  for (const arm of arms) {
    const own = weight[arm.dir]!;
    if (own === 0) continue;
    const vertical = arm.dir === 0 || arm.dir === 2;
    const size = vertical ? h : w;
    const flip = arm.dir === 2 || arm.dir === 1;
    const alongC = vertical ? cy : cx;
    const f = (iv: Interval): Interval => flip ? [size - iv[1], size - iv[0]] : iv;
    // The perpendicular arms' strokes, in this arm's along-axis coordinates (from its edge).
    const negIv = _strokes(arm.neg, alongC, t, pad).map(f).sort((a, b) => a[0] - b[0]);
    const posIv = _strokes(arm.pos, alongC, t, pad).map(f).sort((a, b) => a[0] - b[0]);
    const all = [...negIv, ...posIv];
    const center = f([alongC, alongC + t]);
    const strokes = _strokes(own, vertical ? cx : cy, t, pad);
    const ends: number[] = [];
    if (own !== 3) {
      let end: number;
      if (all.length === 0) end = center[1];
      else if (arm.opposite === 1 || arm.opposite === 2) {
        // A single line with an arm opposite runs straight through.
        end = Math.max(...all.map((iv) => iv[1]));
      } else if ((arm.neg === 3 || arm.pos === 3) && arm.neg !== 0 && arm.pos !== 0) {
        // It meets a double line that runs on both sides: it stops at the nearer stroke.
        end = Math.min(...all.map((iv) => iv[1]));
      } else end = Math.max(...all.map((iv) => iv[1]));
      ends.push(end);
    } else {
      // A double arm: its two strokes turn into the perpendicular arm on their own side
      // (inner corner) or run on to the far side of the other one (outer corner).
      for (const [same, other] of [[negIv, posIv], [posIv, negIv]] as const) {
        let end: number;
        if (same.length > 0) end = same[0]![1];
        else if (other.length > 0) end = other.at(-1)![1];
        else end = center[1];
        ends.push(end);
      }
    }
    strokes.forEach((cross, i) => {
      const end = ends[Math.min(i, ends.length - 1)]!;
      const [a0, a1] = flip ? [size - end, size] : [0, end];
      if (vertical) m.rect(cross[0], a0, cross[1], a1);
      else m.rect(a0, cross[0], a1, cross[1]);
    });
  }
}

function _dashes(cp: number, m: Mask, cx: number, cy: number, t: number, pad: number): void {
  const table: Record<number, [number, boolean, number]> = {
    0x2504: [1, false, 3],
    0x2505: [2, false, 3],
    0x2506: [1, true, 3],
    0x2507: [2, true, 3],
    0x2508: [1, false, 4],
    0x2509: [2, false, 4],
    0x250a: [1, true, 4],
    0x250b: [2, true, 4],
    0x254c: [1, false, 2],
    0x254d: [2, false, 2],
    0x254e: [1, true, 2],
    0x254f: [2, true, 2],
  };
  const [weight, vertical, n] = table[cp]!;
  const [c0, c1] = _strokes(weight, vertical ? cx : cy, t, pad)[0]!;
  const size = vertical ? m.h : m.w;
  const step = size / n;
  for (let i = 0; i < n; i++) {
    const a0 = i * step;
    const a1 = a0 + Math.max(1, step * 0.6);
    if (vertical) m.rect(c0, a0, c1, a1);
    else m.rect(a0, c0, a1, c1);
  }
}

/** Thick polyline as one quad per segment, all wound the same way (they then add up). */
function _strokePath(r: Rasterizer, points: [number, number][], width: number): void {
  for (let i = 1; i < points.length; i++) {
    const [x0, y0] = points[i - 1]!;
    const [x1, y1] = points[i]!;
    const len = Math.hypot(x1 - x0, y1 - y0);
    if (len === 0) continue;
    const nx = (-(y1 - y0) / len) * width / 2;
    const ny = ((x1 - x0) / len) * width / 2;
    // Extend each segment by half a width so consecutive ones overlap at the joints.
    const ex = ((x1 - x0) / len) * width / 2;
    const ey = ((y1 - y0) / len) * width / 2;
    r.polygon([
      [x0 - ex + nx, y0 - ey + ny],
      [x1 + ex + nx, y1 + ey + ny],
      [x1 + ex - nx, y1 + ey - ny],
      [x0 - ex - nx, y0 - ey - ny],
    ]);
    // Separate quads must not cancel or double each other: rasterise one at a time.
  }
}

function _strokeEach(m: Mask, points: [number, number][], width: number): void {
  const r = new Rasterizer(m.w, m.h);
  for (let i = 1; i < points.length; i++) {
    r.clear();
    _strokePath(r, [points[i - 1]!, points[i]!], width);
    m.add(r.coverage());
  }
}

function _arc(cp: number, m: Mask, lx: number, ly: number, t: number): void {
  const { w, h } = m;
  const r = Math.min(w, h) / 2;
  // ╭ down and right, ╮ down and left, ╯ up and left, ╰ up and right.
  const right = cp === 0x256d || cp === 0x2570;
  const down = cp === 0x256d || cp === 0x256e;
  const sx = right ? 1 : -1;
  const sy = down ? 1 : -1;
  const ccx = lx + sx * r;
  const ccy = ly + sy * r;
  const points: [number, number][] = [[lx, down ? h + t : -t], [lx, ccy]];
  const steps = 16;
  for (let i = 1; i < steps; i++) {
    const a = (Math.PI / 2) * i / steps;
    points.push([ccx - sx * r * Math.cos(a), ccy - sy * r * Math.sin(a)]);
  }
  points.push([ccx, ly], [right ? w + t : -t, ly]);
  _strokeEach(m, points, t);
}

function _diagonal(cp: number, m: Mask, t: number): void {
  const { w, h } = m;
  const width = t * 1.2;
  if (cp === 0x2571 || cp === 0x2573) _strokeEach(m, [[w, 0], [0, h]], width);
  if (cp === 0x2572 || cp === 0x2573) _strokeEach(m, [[0, 0], [w, h]], width);
}

function _block(cp: number, m: Mask): void {
  const { w, h } = m;
  const hx = Math.round(w / 2);
  const hy = Math.round(h / 2);
  if (cp === 0x2580) return m.rect(0, 0, w, hy);
  if (cp >= 0x2581 && cp <= 0x2588) return m.rect(0, h - Math.round(h * (cp - 0x2580) / 8), w, h);
  if (cp >= 0x2589 && cp <= 0x258f) return m.rect(0, 0, Math.round(w * (0x2590 - cp) / 8), h);
  if (cp === 0x2590) return m.rect(hx, 0, w, h);
  if (cp >= 0x2591 && cp <= 0x2593) return m.rect(0, 0, w, h, (cp - 0x2590) / 4);
  if (cp === 0x2594) return m.rect(0, 0, w, Math.round(h / 8));
  if (cp === 0x2595) return m.rect(w - Math.round(w / 8), 0, w, h);
  // Quadrants U+2596–259F as bits: upper left 1, upper right 2, lower left 4, lower right 8.
  const quads = [4, 8, 1, 13, 9, 7, 11, 2, 6, 14][cp - 0x2596]!;
  if (quads & 1) m.rect(0, 0, hx, hy);
  if (quads & 2) m.rect(hx, 0, w, hy);
  if (quads & 4) m.rect(0, hy, hx, h);
  if (quads & 8) m.rect(hx, hy, w, h);
}

function _braille(bits: number, m: Mask): void {
  const { w, h } = m;
  const dot = Math.max(1, Math.round(Math.min(w / 4, h / 8)));
  // Dots 1–3 and 7 in the left column, 4–6 and 8 in the right, top to bottom.
  const places: [number, number][] = [[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [1, 2], [0, 3], [
    1,
    3,
  ]];
  for (let bit = 0; bit < 8; bit++) {
    if (!(bits & (1 << bit))) continue;
    const [col, row] = places[bit]!;
    const x = Math.round(w * (1 + 2 * col) / 4 - dot / 2);
    const y = Math.round(h * (1 + 2 * row) / 8 - dot / 2);
    m.rect(x, y, x + dot, y + dot);
  }
}

function _powerline(cp: number, m: Mask): void {
  const { w, h } = m;
  const r = new Rasterizer(w, h);
  const { t } = _thickness(w, h);
  // Solid shapes reach past the cell edges so they meet the neighbouring cells flush.
  const o = 0.01;
  switch (cp) {
    case 0xe0b0:
      r.polygon([[-o, -o], [w, h / 2], [-o, h + o]]);
      break;
    case 0xe0b2:
      r.polygon([[w + o, -o], [0, h / 2], [w + o, h + o]]);
      break;
    case 0xe0b1:
      return _strokeEach(m, [[0, 0], [w - t / 2, h / 2], [0, h]], t);
    case 0xe0b3:
      return _strokeEach(m, [[w, 0], [t / 2, h / 2], [w, h]], t);
    case 0xe0b4:
    case 0xe0b6: {
      const right = cp === 0xe0b4;
      const points: [number, number][] = [];
      for (let i = 0; i <= 24; i++) {
        const a = -Math.PI / 2 + Math.PI * i / 24;
        const x = w * Math.cos(a);
        points.push([right ? x - o : w - x + o, h / 2 + (h / 2 + o) * Math.sin(a)]);
      }
      r.polygon(points);
      break;
    }
    case 0xe0b5:
    case 0xe0b7: {
      const right = cp === 0xe0b5;
      const points: [number, number][] = [];
      for (let i = 0; i <= 24; i++) {
        const a = -Math.PI / 2 + Math.PI * i / 24;
        const x = (w - t / 2) * Math.cos(a);
        points.push([right ? x : w - x, h / 2 + (h / 2) * Math.sin(a)]);
      }
      return _strokeEach(m, points, t);
    }
    case 0xe0b8:
      r.polygon([[-o, -o], [-o, h + o], [w + o, h + o]]);
      break;
    case 0xe0ba:
      r.polygon([[w + o, -o], [w + o, h + o], [-o, h + o]]);
      break;
    case 0xe0bc:
      r.polygon([[-o, -o], [w + o, -o], [-o, h + o]]);
      break;
    case 0xe0be:
      r.polygon([[-o, -o], [w + o, -o], [w + o, h + o]]);
      break;
    case 0xe0b9:
    case 0xe0bf:
      return _strokeEach(m, [[0, 0], [w, h]], t);
    case 0xe0bb:
    case 0xe0bd:
      return _strokeEach(m, [[w, 0], [0, h]], t);
  }
  m.add(r.coverage());
}
