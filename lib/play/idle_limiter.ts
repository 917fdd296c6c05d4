/**
 * The idle-time limit of playback (asciicast.md §7): every pause longer than the limit is
 * shortened to exactly the limit, and a time that goes backwards is treated as no pause at
 * all instead of failing.
 *
 * @module
 */

/**
 * Maps original event times to limited ones, one event after the other.
 *
 * Walks the original absolute times; whenever a gap exceeds the limit, the excess is added
 * to an offset subtracted from this and every later time. Times are integer microseconds.
 *
 * @example
 * ```ts
 * import { IdleLimiter } from "./idle_limiter.ts";
 * const limiter = new IdleLimiter(2_000_000); // 2 s
 * [0, 1_000_000, 10_000_000, 10_500_000].map((t) => limiter.adjust(t));
 * // → [0, 1_000_000, 3_000_000, 3_500_000]
 * ```
 */
export class IdleLimiter {
  #limit: number;
  #previous = 0;
  #offset = 0;

  /**
   * @param limit the longest gap kept, in microseconds (`Infinity`, the default, keeps every
   * gap and only clamps times that go backwards).
   * @throws {RangeError} when the limit is negative or not a number.
   */
  constructor(limit: number = Infinity) {
    if (!(limit >= 0)) throw new RangeError(`Idle time limit must be 0 or more, got ${limit}`);
    this.#limit = limit;
  }

  /** Returns the limited time of the next event, given its original absolute time. */
  adjust(time: number): number {
    const gap = time - this.#previous;
    if (gap < 0) this.#offset += gap;
    else if (gap > this.#limit) this.#offset += gap - this.#limit;
    this.#previous = time;
    return time - this.#offset;
  }
}
