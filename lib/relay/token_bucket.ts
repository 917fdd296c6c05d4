/**
 * The producer bandwidth limit of asciinema servers: a token bucket per connection, one
 * token per received byte, refilled in fixed steps.
 *
 * @module
 */

/** Settings of a {@linkcode TokenBucket}. */
export interface TokenBucketOptions {
  /** Capacity and initial fill; default 60 000 000 (60 MB burst). */
  capacity?: number;
  /** Tokens added per step; default 10 000. */
  refillAmount?: number;
  /** Step length in milliseconds; default 100 (so 100 KB/s sustained). */
  refillIntervalMs?: number;
}

/**
 * A token bucket refilled lazily from the clock (no timers): `take(n)` first adds every
 * whole step elapsed since the last refill, then removes `n` tokens and says whether the
 * level stayed at or above zero.
 *
 * @example
 * ```ts
 * import { TokenBucket } from "./token_bucket.ts";
 * const bucket = new TokenBucket({ capacity: 100 });
 * bucket.take(60); // true
 * bucket.take(60); // false: 40 − 60 < 0
 * ```
 */
export class TokenBucket {
  readonly #capacity: number;
  readonly #refillAmount: number;
  readonly #intervalMs: number;
  readonly #now: () => number;
  #level: number;
  #refilledAt: number;

  /** A full bucket; `now` (milliseconds) is the clock, `performance.now` by default. */
  constructor(options: TokenBucketOptions = {}, now: () => number = () => performance.now()) {
    this.#capacity = options.capacity ?? 60_000_000;
    this.#refillAmount = options.refillAmount ?? 10_000;
    this.#intervalMs = options.refillIntervalMs ?? 100;
    this.#now = now;
    this.#level = this.#capacity;
    this.#refilledAt = now();
  }

  /** The tokens left (after refilling up to now). */
  get level(): number {
    this.#refill();
    return this.#level;
  }

  /** Removes `count` tokens; `false` once the level is below zero. */
  take(count: number): boolean {
    this.#refill();
    this.#level -= count;
    return this.#level >= 0;
  }

  #refill(): void {
    const steps = Math.floor((this.#now() - this.#refilledAt) / this.#intervalMs);
    if (steps <= 0) return;
    this.#refilledAt += steps * this.#intervalMs;
    this.#level = Math.min(this.#capacity, this.#level + steps * this.#refillAmount);
  }
}
