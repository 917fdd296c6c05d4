/**
 * What the benchmarks compute from their samples and read about a process: percentiles and
 * medians, and a process's peak RSS from `/proc`.
 *
 * @module
 */

/** The 50th and 99th percentile of a set of samples. */
export interface Percentiles {
  p50: number;
  p99: number;
}

/** The sample at `p` percent of `sorted` (nearest rank, rounding down); `NaN` when empty. */
function _at(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

/**
 * p50 and p99 of `values` (left unsorted); `NaN` for both when there are none.
 *
 * @example
 * ```ts
 * import { percentiles } from "./_stats.ts";
 * percentiles([3, 1, 2]); // { p50: 2, p99: 3 }
 * ```
 */
export function percentiles(values: ArrayLike<number>): Percentiles {
  const sorted = Float64Array.from(values).sort();
  return { p50: _at(sorted, 50), p99: _at(sorted, 99) };
}

/**
 * The median of `values` (the upper one of an even count); `NaN` when there are none.
 *
 * @example
 * ```ts
 * import { median } from "./_stats.ts";
 * median([30, 10, 20]); // 20
 * ```
 */
export function median(values: ArrayLike<number>): number {
  return _at(Float64Array.from(values).sort(), 50);
}

/**
 * The peak resident set size of process `pid` in KiB (`VmHWM` in `/proc/PID/status`); 0 once
 * it is a zombie. Throws `Deno.errors.NotFound` when the process is gone.
 *
 * @example
 * ```ts
 * import { peakRssKiB } from "./_stats.ts";
 * console.log(`${(peakRssKiB(Deno.pid) / 1024).toFixed(0)} MB`);
 * ```
 */
export function peakRssKiB(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
}
