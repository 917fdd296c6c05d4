/**
 * An anti-aliasing scanline rasterizer: polygons and quadratic curves in, exact area
 * coverage (0–1) per pixel out. Each edge adds its signed area to an accumulation buffer,
 * and a running sum along each row gives the coverage (non-zero fill, as TrueType wants).
 *
 * @module
 */

/**
 * Accumulates path edges over a `width` × `height` pixel grid (y down).
 *
 * @example
 * ```ts
 * import { Rasterizer } from "./rasterizer.ts";
 * const r = new Rasterizer(4, 4);
 * r.moveTo(0, 0);
 * r.lineTo(4, 0);
 * r.lineTo(4, 2);
 * r.lineTo(0, 2);
 * r.close();
 * const coverage = r.coverage(); // the top half is 1, the bottom half 0
 * ```
 */
export class Rasterizer {
  readonly width: number;
  readonly height: number;
  #stride: number;
  #acc: Float32Array;
  #x = 0;
  #y = 0;
  #startX = 0;
  #startY = 0;

  constructor(width: number, height: number) {
    this.width = width;
    this.height = height;
    this.#stride = width + 2;
    this.#acc = new Float32Array(this.#stride * height);
  }

  /** Starts a new contour at (x, y) (closing the one before). */
  moveTo(x: number, y: number): void {
    this.close();
    this.#x = this.#startX = x;
    this.#y = this.#startY = y;
  }

  /** A straight edge to (x, y). */
  lineTo(x: number, y: number): void {
    this.#line(this.#x, this.#y, x, y);
    this.#x = x;
    this.#y = y;
  }

  /** A quadratic Bézier edge through control point (cx, cy) to (x, y), flattened. */
  quadTo(cx: number, cy: number, x: number, y: number): void {
    const x0 = this.#x;
    const y0 = this.#y;
    const ddx = x0 - 2 * cx + x;
    const ddy = y0 - 2 * cy + y;
    const dev = ddx * ddx + ddy * ddy;
    if (dev < 0.333) return this.lineTo(x, y);
    const n = 1 + Math.floor(Math.sqrt(Math.sqrt(3 * dev)));
    for (let i = 1; i <= n; i++) {
      const t = i / n;
      const u = 1 - t;
      this.lineTo(u * u * x0 + 2 * u * t * cx + t * t * x, u * u * y0 + 2 * u * t * cy + t * t * y);
    }
  }

  /** Closes the current contour with a straight edge to its start. */
  close(): void {
    if (this.#x !== this.#startX || this.#y !== this.#startY) {
      this.lineTo(this.#startX, this.#startY);
    }
  }

  /** A filled polygon (a closed contour through the points). */
  polygon(points: readonly (readonly [number, number])[]): void {
    if (points.length < 3) return;
    this.moveTo(points[0]![0], points[0]![1]);
    for (let i = 1; i < points.length; i++) this.lineTo(points[i]![0], points[i]![1]);
    this.close();
  }

  /**
   * Coverage per pixel, row by row, 0 to 1 (the contours closed first). The rasterizer can
   * be reused after {@linkcode Rasterizer.clear}.
   */
  coverage(): Float32Array {
    this.close();
    const { width, height } = this;
    const out = new Float32Array(width * height);
    const acc = this.#acc;
    for (let y = 0; y < height; y++) {
      let sum = 0;
      const row = y * this.#stride;
      for (let x = 0; x < width; x++) {
        sum += acc[row + x]!;
        const a = Math.abs(sum);
        out[y * width + x] = a > 1 ? 1 : a;
      }
    }
    return out;
  }

  /** Forgets every edge. */
  clear(): void {
    this.#acc.fill(0);
    this.#x =
      this.#y =
      this.#startX =
      this.#startY =
        0;
  }

  #line(x0: number, y0: number, x1: number, y1: number): void {
    if (y0 === y1) return;
    const w = this.width;
    // Clamping x keeps every row's sum right: coverage only depends on what lies left.
    x0 = x0 < 0 ? 0 : x0 > w ? w : x0;
    x1 = x1 < 0 ? 0 : x1 > w ? w : x1;
    let dir = 1;
    if (y0 > y1) {
      dir = -1;
      [x0, y0, x1, y1] = [x1, y1, x0, y0];
    }
    const dxdy = (x1 - x0) / (y1 - y0);
    let x = x0;
    if (y0 < 0) x -= y0 * dxdy;
    const acc = this.#acc;
    const end = Math.min(this.height, Math.ceil(y1));
    for (let y = Math.max(0, Math.floor(y0)); y < end; y++) {
      const row = y * this.#stride;
      const dy = Math.min(y + 1, y1) - Math.max(y, y0);
      const xnext = x + dxdy * dy;
      const d = dy * dir;
      const [xa, xb] = x < xnext ? [x, xnext] : [xnext, x];
      const xaFloor = Math.floor(xa);
      const xai = xaFloor;
      const xbCeil = Math.ceil(xb);
      const xbi = xbCeil;
      if (xbi <= xai + 1) {
        const xmf = 0.5 * (x + xnext) - xaFloor;
        acc[row + xai] = acc[row + xai]! + d - d * xmf;
        acc[row + xai + 1] = acc[row + xai + 1]! + d * xmf;
      } else {
        const s = 1 / (xb - xa);
        const xaf = xa - xaFloor;
        const a0 = 0.5 * s * (1 - xaf) * (1 - xaf);
        const xbf = xb - xbCeil + 1;
        const am = 0.5 * s * xbf * xbf;
        acc[row + xai] = acc[row + xai]! + d * a0;
        if (xbi === xai + 2) {
          acc[row + xai + 1] = acc[row + xai + 1]! + d * (1 - a0 - am);
        } else {
          const a1 = s * (1.5 - xaf);
          acc[row + xai + 1] = acc[row + xai + 1]! + d * (a1 - a0);
          for (let xi = xai + 2; xi < xbi - 1; xi++) acc[row + xi] = acc[row + xi]! + d * s;
          const a2 = a1 + (xbi - xai - 3) * s;
          acc[row + xbi - 1] = acc[row + xbi - 1]! + d * (1 - a2 - am);
        }
        acc[row + xbi] = acc[row + xbi]! + d * am;
      }
      x = xnext;
    }
  }
}
