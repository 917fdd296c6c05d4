/**
 * GIF89a encoding: the file header with the looping extension, and frames that each cover a
 * rectangle of the picture with their own colour table, an optional transparent index (for
 * pixels left as they were), a delay, and LZW-compressed indices.
 *
 * @module
 */

/** One frame's pixels and timing. */
export interface GifFrame {
  /** Left of the rectangle. */
  x: number;
  /** Top of the rectangle. */
  y: number;
  /** Width of the rectangle. */
  w: number;
  /** Height of the rectangle. */
  h: number;
  /** Palette indices, row by row (`w × h`). */
  indices: Uint8Array;
  /** The frame's colours, `0xRRGGBB`, at most 256. */
  palette: ArrayLike<number>;
  /** The index that leaves the pixel as the frame before drew it. */
  transparent?: number;
  /** How long the frame shows, in hundredths of a second. */
  delay: number;
}

/**
 * The start of a GIF file: header, logical screen (no global colour table) and, for an
 * animation that loops, the NETSCAPE2.0 extension (loop forever).
 *
 * @example
 * ```ts
 * import { gifHeader } from "./gif_codec.ts";
 * new TextDecoder().decode(gifHeader(100, 50, true).subarray(0, 6)); // "GIF89a"
 * ```
 */
export function gifHeader(width: number, height: number, loop: boolean): Uint8Array {
  const out = new Uint8Array(13 + (loop ? 19 : 0));
  out.set([0x47, 0x49, 0x46, 0x38, 0x39, 0x61]);
  out[6] = width & 255;
  out[7] = width >> 8;
  out[8] = height & 255;
  out[9] = height >> 8;
  out[10] = 0; // no global colour table
  if (loop) {
    out.set([0x21, 0xff, 0x0b], 13);
    out.set([..."NETSCAPE2.0"].map((c) => c.charCodeAt(0)), 16);
    out.set([0x03, 0x01, 0x00, 0x00, 0x00], 27);
  }
  return out;
}

/** The end of a GIF file. */
export const GIF_TRAILER: Uint8Array = new Uint8Array([0x3b]);

/**
 * One frame: graphic control extension (disposal "leave in place"), image descriptor,
 * local colour table and image data.
 *
 * @example
 * ```ts
 * import { gifFrame } from "./gif_codec.ts";
 * const bytes = gifFrame({
 *   x: 0, y: 0, w: 2, h: 1, indices: new Uint8Array([0, 1]), palette: [0, 0xffffff], delay: 10,
 * });
 * ```
 */
export function gifFrame(frame: GifFrame): Uint8Array {
  const n = frame.palette.length;
  let bits = 1;
  while (1 << bits < n) bits++;
  const tableSize = 1 << bits;
  const data = lzwEncode(frame.indices, Math.max(2, bits));
  const out = new Uint8Array(8 + 10 + tableSize * 3 + data.length);
  let p = 0;
  const hasT = frame.transparent !== undefined;
  out.set([0x21, 0xf9, 0x04, (1 << 2) | (hasT ? 1 : 0)], 0);
  out[4] = frame.delay & 255;
  out[5] = (frame.delay >> 8) & 255;
  out[6] = hasT ? frame.transparent! : 0;
  out[7] = 0;
  p = 8;
  out[p++] = 0x2c;
  for (const v of [frame.x, frame.y, frame.w, frame.h]) {
    out[p++] = v & 255;
    out[p++] = v >> 8;
  }
  out[p++] = 0x80 | (bits - 1);
  for (let i = 0; i < n; i++) {
    const c = frame.palette[i]!;
    out[p++] = (c >> 16) & 255;
    out[p++] = (c >> 8) & 255;
    out[p++] = c & 255;
  }
  p += (tableSize - n) * 3;
  out.set(data, p);
  return out;
}

const MAX_BITS = 12;
const MAX_CODES = 1 << MAX_BITS;
// The string table as a direct map from (prefix code, next symbol) to a code, stamped with a
// generation so that starting a new table costs nothing: no hashing, no probing.
const table = new Int32Array(MAX_CODES * 256);
let generation = 0;
let scratch = new Uint8Array(0);

function _newTable(): number {
  if (++generation >= 1 << 19) {
    table.fill(0);
    generation = 1;
  }
  return generation;
}

/**
 * GIF's variable-width LZW over `indices` with `minCodeSize`-bit symbols, as the image data
 * block: the code size byte, then sub-blocks of at most 255 bytes, then a zero-length block.
 * Code widths grow as codes are assigned and the table starts over (a clear code) when it
 * holds 4096 codes, as decoders expect.
 *
 * @example
 * ```ts
 * import { lzwEncode } from "./gif_codec.ts";
 * lzwEncode(new Uint8Array(100), 2)[0]; // 2
 * ```
 */
export function lzwEncode(indices: Uint8Array, minCodeSize: number): Uint8Array {
  // The worst case is a bit over 12 bits per pixel; the scratch buffer is reused.
  const need = Math.ceil(indices.length * 1.5) + 16;
  if (scratch.length < need) scratch = new Uint8Array(Math.max(need, scratch.length * 2));
  const packed = scratch;
  let op = 0;
  const initBits = minCodeSize + 1;
  const clearCode = 1 << minCodeSize;
  const eofCode = clearCode + 1;
  let nBits = initBits;
  let nextBump = 1 << nBits;
  let freeEnt = clearCode + 2;
  let acc = 0;
  let accBits = 0;
  let gen = _newTable();
  // Keys are prefix code × symbols + symbol: small palettes keep the table small and cached.
  const symBits = minCodeSize;

  // Codes go out least significant bit first.
  acc = clearCode;
  accBits = nBits;
  const n = indices.length;
  if (n > 0) {
    let ent = indices[0]!;
    for (let k = 1; k < n; k++) {
      const c = indices[k]!;
      const key = (ent << symBits) | c;
      const v = table[key]!;
      if (v >>> 12 === gen) {
        ent = v & 4095;
        continue;
      }
      acc |= ent << accBits;
      accBits += nBits;
      while (accBits >= 8) {
        packed[op++] = acc & 255;
        acc >>>= 8;
        accBits -= 8;
      }
      ent = c;
      if (freeEnt < MAX_CODES) {
        table[key] = (gen << 12) | freeEnt;
        // A decoder widens its codes once the code it would assign next needs another bit.
        if (freeEnt++ === nextBump && nBits < MAX_BITS) {
          nBits++;
          nextBump = 1 << nBits;
        }
      } else {
        acc |= clearCode << accBits;
        accBits += nBits;
        while (accBits >= 8) {
          packed[op++] = acc & 255;
          acc >>>= 8;
          accBits -= 8;
        }
        gen = _newTable();
        freeEnt = clearCode + 2;
        nBits = initBits;
        nextBump = 1 << nBits;
      }
    }
    acc |= ent << accBits;
    accBits += nBits;
    while (accBits >= 8) {
      packed[op++] = acc & 255;
      acc >>>= 8;
      accBits -= 8;
    }
  }
  acc |= eofCode << accBits;
  accBits += nBits;
  while (accBits > 0) {
    packed[op++] = acc & 255;
    acc >>>= 8;
    accBits -= 8;
  }
  // Into sub-blocks of up to 255 bytes.
  const blocks = Math.ceil(op / 255);
  const out = new Uint8Array(1 + op + blocks + 1);
  out[0] = minCodeSize;
  let p = 1;
  for (let at = 0; at < op; at += 255) {
    const len = Math.min(255, op - at);
    out[p++] = len;
    out.set(packed.subarray(at, at + len), p);
    p += len;
  }
  out[p++] = 0;
  return out.subarray(0, p);
}
