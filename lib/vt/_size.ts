/**
 * Argument checks shared by `Vt` and `WorkerVt`.
 *
 * @module
 */

/**
 * Throws unless `cols` and `rows` are positive integers.
 *
 * @throws {RangeError} naming the bad size.
 */
export function checkSize(cols: number, rows: number): void {
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
