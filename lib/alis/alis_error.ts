/**
 * The one error the ALiS decoder throws.
 *
 * @module
 */

/**
 * A malformed ALiS message: truncated LEB128, a length beyond the message, an unknown type,
 * invalid UTF-8, a bad magic or theme format. The message names the byte offset.
 *
 * @example
 * ```ts
 * import { AlisError } from "./alis_error.ts";
 * import { decodeAlisMessage } from "./decoder.ts";
 * try {
 *   decodeAlisMessage(new Uint8Array([0x6f, 0x80]));
 * } catch (e) {
 *   if (e instanceof AlisError) console.log(e.message); // "truncated LEB128 at byte 1"
 * }
 * ```
 */
export class AlisError extends SyntaxError {
  /** Always `"AlisError"`. */
  override name = "AlisError";
}
