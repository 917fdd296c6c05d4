/**
 * The numeric `--name N` flags of the benchmarks.
 *
 * @module
 */

/** Options for {@linkcode numberFlag}. */
export interface NumberFlagOptions {
  /** The value when the flag is absent. */
  fallback: number;
  /** Whether the value must be a whole number. Default `true`. */
  integer?: boolean;
}

/**
 * The positive number after `name` in `args`, or `options.fallback` when `name` is absent.
 * Throws a `RangeError` (`--runs needs an integer > 0`) when the value is missing or not
 * positive.
 *
 * @example
 * ```ts
 * import { numberFlag } from "./_number_flag.ts";
 * numberFlag(["--runs", "5"], "--runs", { fallback: 300 }); // 5
 * numberFlag([], "--size-mb", { fallback: 200, integer: false }); // 200
 * ```
 */
export function numberFlag(args: string[], name: string, options: NumberFlagOptions): number {
  const integer = options.integer ?? true;
  const i = args.indexOf(name);
  const value = i === -1 ? options.fallback : Number(args[i + 1]);
  const ok = integer ? Number.isInteger(value) : Number.isFinite(value);
  if (!ok || value <= 0) {
    throw new RangeError(`${name} needs ${integer ? "an integer" : "a number"} > 0`);
  }
  return value;
}
