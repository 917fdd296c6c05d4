/**
 * Unguessable URL tokens for streams and recordings.
 *
 * @module
 */

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/**
 * Returns `length` random base62 characters from `crypto.getRandomValues` (unbiased:
 * bytes ≥ 248 are redrawn), about 5.95 bits each: 16 characters carry ~95 bits.
 *
 * @throws {RangeError} when `length` is below 16.
 * @example
 * ```ts
 * import { randomToken } from "./token.ts";
 * randomToken(16); // e.g. "q3ZbK0vN8xYtR2mA"
 * ```
 */
export function randomToken(length: number): string {
  if (!Number.isInteger(length) || length < 16) {
    throw new RangeError(`Cannot make a ${length}-character token: use at least 16`);
  }
  let out = "";
  const bytes = new Uint8Array(length * 2);
  while (out.length < length) {
    crypto.getRandomValues(bytes);
    for (const b of bytes) {
      if (b < 248 && out.length < length) out += ALPHABET[b % 62];
    }
  }
  return out;
}
