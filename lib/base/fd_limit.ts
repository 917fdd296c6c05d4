/**
 * The process's limit on open file descriptors (`ulimit -n`): servers keep their
 * connections under it, because a process that runs out of descriptors fails everywhere at
 * once (Deno 2.9 itself panics when it then needs one for a signal or a thread's stack
 * bounds). A server that wants many connections first raises its soft limit to the hard
 * one, as Go programs and nginx do.
 *
 * Read and set with libc's `getrlimit`/`setrlimit` (Deno gives `/proc/self` only to
 * `--allow-all`), so it needs `--allow-ffi`; without it, or off Linux, the limit is unknown
 * and stays as it is.
 *
 * @module
 */

/** `RLIMIT_NOFILE` on Linux. */
const RLIMIT_NOFILE = 7;
/** The most a raised soft limit asks for. */
const RAISE_AT_MOST = 1 << 20;

const SYMBOLS = {
  getrlimit: { parameters: ["i32", "buffer"], result: "i32" },
  setrlimit: { parameters: ["i32", "buffer"], result: "i32" },
} as const;

/** Runs `fn` with libc's rlimit calls, or returns `undefined` when they are not available. */
function withLibc<T>(
  fn: (libc: Deno.DynamicLibrary<typeof SYMBOLS>["symbols"]) => T,
): T | undefined {
  if (Deno.build.os !== "linux") return undefined;
  let lib;
  try {
    lib = Deno.dlopen("libc.so.6", SYMBOLS);
  } catch {
    return undefined; // no --allow-ffi
  }
  try {
    return fn(lib.symbols);
  } finally {
    lib.close();
  }
}

/** `[soft, hard]`, or `undefined`. */
function limits(libc: Deno.DynamicLibrary<typeof SYMBOLS>["symbols"]): BigUint64Array | undefined {
  const rlimit = new BigUint64Array(2); // struct rlimit { rlim_cur, rlim_max }
  return libc.getrlimit(RLIMIT_NOFILE, rlimit) === 0 ? rlimit : undefined;
}

function _number(value: bigint): number | undefined {
  return value >= BigInt(Number.MAX_SAFE_INTEGER) ? undefined : Number(value);
}

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
  return withLibc((libc) => {
    const rlimit = limits(libc);
    return rlimit && _number(rlimit[0]!);
  });
}

/**
 * Raises the soft limit on open file descriptors to the hard limit (at most 2^20), as far
 * as the system allows. Returns the soft limit after (`undefined` when unknown).
 *
 * @example
 * ```ts
 * import { raiseOpenFileLimit } from "./fd_limit.ts";
 * raiseOpenFileLimit(); // 1024 → 524288 under systemd's defaults, say
 * ```
 */
export function raiseOpenFileLimit(): number | undefined {
  return withLibc((libc) => {
    const rlimit = limits(libc);
    if (!rlimit) return undefined;
    const [soft, hard] = [rlimit[0]!, rlimit[1]!];
    const wanted = hard < BigInt(RAISE_AT_MOST) ? hard : BigInt(RAISE_AT_MOST);
    if (soft < wanted) {
      const raised = new BigUint64Array([wanted, hard]);
      if (libc.setrlimit(RLIMIT_NOFILE, raised) === 0) return _number(wanted);
    }
    return _number(soft);
  });
}
