/**
 * A small seeded pseudo-random generator for tests and benchmarks, so a failure or a
 * measurement reproduces from its seed.
 *
 * @module
 */

/**
 * mulberry32: returns a function that yields the same sequence of numbers in [0, 1) for the
 * same `seed`.
 *
 * @example
 * ```ts
 * import { mulberry32 } from "./_mulberry32.ts";
 * const random = mulberry32(42);
 * const die = 1 + Math.floor(random() * 6);
 * ```
 */
export function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
