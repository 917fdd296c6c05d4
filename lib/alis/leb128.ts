/**
 * Unsigned LEB128, the integer encoding of every ALiS field: 7 bits per byte, least
 * significant group first, the high bit set on every byte but the last. Exact for every
 * integer up to `Number.MAX_SAFE_INTEGER` (2^53 − 1).
 *
 * @module
 */
import { AlisError } from "./alis_error.ts";

const TWO_32 = 2 ** 32;

function _checkValue(value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(
      `Cannot encode ${value} as unsigned LEB128: expected an integer from 0 to 2^53-1`,
    );
  }
}

/**
 * Number of bytes the unsigned LEB128 encoding of `value` takes.
 *
 * @example
 * ```ts
 * import { leb128Length } from "./leb128.ts";
 * leb128Length(127); // 1
 * leb128Length(128); // 2
 * ```
 */
export function leb128Length(value: number): number {
  _checkValue(value);
  let n = 1;
  while (value >= 128) {
    value = Math.floor(value / 128);
    n++;
  }
  return n;
}

/**
 * Writes `value` as unsigned LEB128 into `out` at `offset` and returns the offset after it.
 * `out` must have room ({@linkcode leb128Length}); throws `RangeError` for a value that is not
 * an integer in 0..2^53−1.
 *
 * @example
 * ```ts
 * import { writeLeb128 } from "./leb128.ts";
 * const out = new Uint8Array(2);
 * writeLeb128(out, 0, 300); // 2; out is AC 02
 * ```
 */
export function writeLeb128(out: Uint8Array, offset: number, value: number): number {
  _checkValue(value);
  // Bit operations are 32-bit, so the high part is reduced with division first.
  while (value >= TWO_32) {
    out[offset++] = (value % 128) | 0x80;
    value = Math.floor(value / 128);
  }
  while (value >= 128) {
    out[offset++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  out[offset++] = value;
  return offset;
}

/**
 * Encodes `value` as unsigned LEB128.
 *
 * @example
 * ```ts
 * import { encodeLeb128 } from "./leb128.ts";
 * encodeLeb128(1000); // Uint8Array [0xe8, 0x07]
 * ```
 */
export function encodeLeb128(value: number): Uint8Array {
  const out = new Uint8Array(leb128Length(value));
  writeLeb128(out, 0, value);
  return out;
}

/** A decoded integer and the offset of the byte after it. */
export interface Leb128Result {
  /** The value. */
  value: number;
  /** Offset of the first byte after the encoding. */
  next: number;
}

/**
 * Decodes one unsigned LEB128 integer from `bytes` at `offset`. Non-minimal encodings (extra
 * `0x80` groups) are accepted. Throws {@linkcode AlisError} when the input ends before the last
 * byte or the value exceeds 2^53 − 1.
 *
 * @example
 * ```ts
 * import { decodeLeb128 } from "./leb128.ts";
 * decodeLeb128(new Uint8Array([0xac, 0x02]), 0); // { value: 300, next: 2 }
 * ```
 */
export function decodeLeb128(bytes: Uint8Array, offset: number): Leb128Result {
  const start = offset;
  let value = 0;
  let scale = 1;
  while (true) {
    const byte = bytes[offset];
    if (byte === undefined) throw new AlisError(`truncated LEB128 at byte ${start}`);
    offset++;
    const group = byte & 0x7f;
    if (group !== 0) {
      // Exact while the true sum stays below 2^53; past it the rounded sum is ≥ 2^53 too.
      value += group * scale;
      if (value > Number.MAX_SAFE_INTEGER) {
        throw new AlisError(`LEB128 value at byte ${start} exceeds 2^53-1`);
      }
    }
    if ((byte & 0x80) === 0) return { value, next: offset };
    scale *= 128;
  }
}
