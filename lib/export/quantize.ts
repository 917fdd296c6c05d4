/**
 * Colour quantisation for the rare frame with more colours than a GIF palette holds
 * (truecolor gradients, images drawn with half blocks): median cut over the frame's distinct
 * colours weighted by how many pixels use them, then each colour mapped to its nearest
 * palette entry.
 *
 * @module
 */

/**
 * Reduces `pixels` (`0xRRGGBB`, or `skip` for pixels to leave out) to at most `max` colours.
 * Returns the palette and, per pixel, its index; skipped pixels get `palette.length` (one
 * past the colours, for the caller's transparent entry).
 *
 * @example
 * ```ts
 * import { quantize } from "./quantize.ts";
 * const pixels = new Uint32Array(1000).map((_, i) => i * 997);
 * const { palette, indices } = quantize(pixels, 16);
 * palette.length <= 16; // true
 * ```
 */
export function quantize(
  pixels: Uint32Array,
  max: number,
  options: { skip?: number } = {},
): { palette: number[]; indices: Uint8Array } {
  const counts = new Map<number, number>();
  for (let i = 0; i < pixels.length; i++) {
    const c = pixels[i]!;
    if (c === options.skip) continue;
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  const colors = [...counts.keys()];
  let palette: number[];
  let lookup: Map<number, number>;
  if (colors.length <= max) {
    palette = colors;
    lookup = new Map(colors.map((c, i) => [c, i]));
  } else {
    palette = _medianCut(colors, counts, max);
    lookup = new Map();
    for (const c of colors) lookup.set(c, _nearest(palette, c));
  }
  const indices = new Uint8Array(pixels.length);
  const skipIndex = palette.length;
  for (let i = 0; i < pixels.length; i++) {
    const c = pixels[i]!;
    indices[i] = c === options.skip ? skipIndex : lookup.get(c)!;
  }
  return { palette, indices };
}

function _medianCut(colors: number[], counts: Map<number, number>, max: number): number[] {
  type Box = { colors: number[]; range: number; channel: number };
  const box = (cs: number[]): Box => {
    let best = 0;
    let channel = 16;
    for (const shift of [16, 8, 0]) {
      let lo = 255;
      let hi = 0;
      for (const c of cs) {
        const v = (c >> shift) & 255;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      if (hi - lo > best) {
        best = hi - lo;
        channel = shift;
      }
    }
    return { colors: cs, range: best, channel };
  };
  const boxes: Box[] = [box(colors)];
  while (boxes.length < max) {
    let pick = -1;
    let score = 0;
    for (let i = 0; i < boxes.length; i++) {
      const b = boxes[i]!;
      if (b.colors.length < 2) continue;
      const s = b.range * Math.log2(1 + b.colors.length);
      if (s > score) {
        score = s;
        pick = i;
      }
    }
    if (pick < 0) break;
    const b = boxes[pick]!;
    const shift = b.channel;
    b.colors.sort((p, q) => ((p >> shift) & 255) - ((q >> shift) & 255));
    // Split at the weighted median.
    let total = 0;
    for (const c of b.colors) total += counts.get(c)!;
    let acc = 0;
    let at = 1;
    for (; at < b.colors.length - 1; at++) {
      acc += counts.get(b.colors[at - 1]!)!;
      if (acc >= total / 2) break;
    }
    boxes.splice(pick, 1, box(b.colors.slice(0, at)), box(b.colors.slice(at)));
  }
  return boxes.map((b) => {
    let r = 0, g = 0, bl = 0, n = 0;
    for (const c of b.colors) {
      const k = counts.get(c)!;
      r += ((c >> 16) & 255) * k;
      g += ((c >> 8) & 255) * k;
      bl += (c & 255) * k;
      n += k;
    }
    return (Math.round(r / n) << 16) | (Math.round(g / n) << 8) | Math.round(bl / n);
  });
}

function _nearest(palette: number[], c: number): number {
  const r = (c >> 16) & 255, g = (c >> 8) & 255, b = c & 255;
  let best = 0;
  let dist = Infinity;
  for (let i = 0; i < palette.length; i++) {
    const p = palette[i]!;
    const dr = ((p >> 16) & 255) - r, dg = ((p >> 8) & 255) - g, db = (p & 255) - b;
    const d = 2 * dr * dr + 4 * dg * dg + 3 * db * db;
    if (d < dist) {
      dist = d;
      best = i;
    }
  }
  return best;
}
