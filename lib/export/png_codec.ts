/**
 * PNG encoding: an indexed image (with a palette and, where needed, transparency) or an
 * RGBA one, compressed with `node:zlib`.
 *
 * @module
 */
import { deflateSync } from "node:zlib";

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function _crc(bytes: Uint8Array, crc = 0xffffffff): number {
  for (let i = 0; i < bytes.length; i++) crc = CRC_TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return crc;
}

function _chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, (_crc(out.subarray(4, 8 + data.length)) ^ 0xffffffff) >>> 0);
  return out;
}

/** An image to encode. */
export type PngImage =
  | {
    /** Width in pixels. */
    width: number;
    /** Height in pixels. */
    height: number;
    /** Palette indices, row by row. */
    indices: Uint8Array;
    /** `0xRRGGBB` colours (at most 256). */
    palette: ArrayLike<number>;
    /** The index that is fully transparent, if any. */
    transparent?: number;
  }
  | {
    /** Width in pixels. */
    width: number;
    /** Height in pixels. */
    height: number;
    /** RGBA bytes, row by row. */
    rgba: Uint8Array;
  };

/**
 * Encodes a PNG file.
 *
 * @example
 * ```ts
 * import { encodePng } from "./png_codec.ts";
 * const png = encodePng({ width: 2, height: 1, indices: new Uint8Array([0, 1]), palette: [0x000000, 0xffffff] });
 * png[1]; // 0x50 ("P")
 * ```
 */
export function encodePng(image: PngImage): Uint8Array {
  const { width, height } = image;
  const header = new Uint8Array(13);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, width);
  hv.setUint32(4, height);
  header[8] = 8;
  const chunks: Uint8Array[] = [];
  let pixels: Uint8Array;
  let bpp: number;
  if ("indices" in image) {
    header[9] = 3;
    const n = image.palette.length;
    const plte = new Uint8Array(n * 3);
    for (let i = 0; i < n; i++) {
      const c = image.palette[i]!;
      plte[i * 3] = c >> 16;
      plte[i * 3 + 1] = (c >> 8) & 255;
      plte[i * 3 + 2] = c & 255;
    }
    chunks.push(_chunk("PLTE", plte));
    if (image.transparent !== undefined) {
      const trns = new Uint8Array(image.transparent + 1).fill(255);
      trns[image.transparent] = 0;
      chunks.push(_chunk("tRNS", trns));
    }
    pixels = image.indices;
    bpp = 1;
  } else {
    header[9] = 6;
    pixels = image.rgba;
    bpp = 4;
  }
  const stride = width * bpp;
  const raw = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    // Filter 0 (none) for palette images; "up" for RGBA, which compresses rows that repeat.
    const row = pixels.subarray(y * stride, (y + 1) * stride);
    const at = y * (stride + 1);
    if (bpp === 1 || y === 0) {
      raw[at] = 0;
      raw.set(row, at + 1);
    } else {
      raw[at] = 2;
      const above = pixels.subarray((y - 1) * stride, y * stride);
      for (let x = 0; x < stride; x++) raw[at + 1 + x] = (row[x]! - above[x]!) & 255;
    }
  }
  const idat = deflateSync(raw, { level: 9 });
  const signature = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const parts = [
    signature,
    _chunk("IHDR", header),
    ...chunks,
    _chunk("IDAT", new Uint8Array(idat.buffer, idat.byteOffset, idat.byteLength)),
    _chunk("IEND", new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
