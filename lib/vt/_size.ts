/**
 * Argument checks shared by `Vt` and `WorkerVt`.
 *
 * @module
 */

import { MAX_COLS, MAX_ROWS } from "../asciicast/event.ts";

/**
 * Throws unless `cols` and `rows` are positive integers within `MAX_COLS` × `MAX_ROWS`.
 *
 * @throws {RangeError} naming the bad size.
 */
export function checkSize(cols: number, rows: number): void {
  if (cols > MAX_COLS || rows > MAX_ROWS) {
    throw new RangeError(
      `Cannot size the terminal ${cols}x${rows}: the largest is ${MAX_COLS}x${MAX_ROWS}`,
    );
  }
  if (!Number.isInteger(cols) || cols < 1) {
    throw new RangeError(
      `Cannot size the terminal: columns must be a positive integer, got ${cols}`,
    );
  }
  if (!Number.isInteger(rows) || rows < 1) {
    throw new RangeError(`Cannot size the terminal: rows must be a positive integer, got ${rows}`);
  }
}

/**
 * Returns `scrollback` once checked.
 *
 * @throws {RangeError} if it is not a non-negative integer.
 */
export function checkScrollback(scrollback: number): number {
  if (!Number.isInteger(scrollback) || scrollback < 0) {
    throw new RangeError(
      `Cannot create the terminal: scrollback must be a non-negative integer, got ${scrollback}`,
    );
  }
  return scrollback;
}
