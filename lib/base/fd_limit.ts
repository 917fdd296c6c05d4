/**
 * The process's limit on open file descriptors (`ulimit -n`): servers keep their
 * connections under it, because a process that runs out of descriptors fails everywhere at
 * once (Deno 2.9 itself panics when it then needs one for a signal or a thread's stack
 * bounds).
 *
 * Read with libc's `getrlimit` (Deno gives `/proc/self` only to `--allow-all`), so it needs
 * `--allow-ffi`; without it, or off Linux, the limit is unknown.
 *
 * @module
 */

/** `RLIMIT_NOFILE` on Linux. */
const RLIMIT_NOFILE = 7;

/**
 * The soft limit on open file descriptors; `undefined` when it is unlimited or cannot be
 * read.
 *
 * @example
 * ```ts
 * import { openFileLimit } from "./fd_limit.ts";
 * console.log(openFileLimit()); // 1024, say
 * ```
 */
export function openFileLimit(): number | undefined {
  if (Deno.build.os !== "linux") return undefined;
  let lib;
  try {
    lib = Deno.dlopen("libc.so.6", {
      getrlimit: { parameters: ["i32", "buffer"], result: "i32" },
    });
  } catch {
    return undefined; // no --allow-ffi
  }
  try {
    const limits = new BigUint64Array(2); // struct rlimit { rlim_cur, rlim_max }
    if (lib.symbols.getrlimit(RLIMIT_NOFILE, limits) !== 0) return undefined;
    const soft = limits[0]!;
    return soft >= BigInt(Number.MAX_SAFE_INTEGER) ? undefined : Number(soft);
  } finally {
    lib.close();
  }
}
