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

/** Milliseconds per clock tick of `/proc/PID/stat` (USER_HZ is 100 on Linux). */
const TICK_MS = 10;

/**
 * CPU times of a process from `/proc/PID/stat` (`self` for this one), in ms: its own user +
 * system time, and that of its waited-for children (`cutime` + `cstime`). Throws once the
 * process is gone. `stat` is the file's text when the caller has read it already.
 *
 * @example
 * ```ts
 * import { procCpuMs } from "./_stats.ts";
 * console.log(procCpuMs("self").ownMs);
 * ```
 */
export function procCpuMs(
  pid: number | "self",
  stat = Deno.readTextFileSync(`/proc/${pid}/stat`),
): { ownMs: number; childrenMs: number } {
  // Fields after the ")" of the command name, from field 3: utime, stime, cutime and
  // cstime are fields 14 to 17.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ").map(Number);
  return {
    ownMs: (fields[11]! + fields[12]!) * TICK_MS,
    childrenMs: (fields[13]! + fields[14]!) * TICK_MS,
  };
}
