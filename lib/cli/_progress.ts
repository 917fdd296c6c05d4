/**
 * A progress line for long work (searching or skipping through a big recording): one
 * `::: …` line on stderr, rewritten in place a few times a second, only when stderr is a
 * terminal (never in pipes, logs or CI) and not with `-q`; erased when the work is done.
 *
 * @module
 */

const encoder = new TextEncoder();
const EVERY_MS = 250;

/** A progress line; `update` is cheap to call often. */
export interface Progress {
  /** Shows `text` (at most a few times a second). */
  update(text: string): void;
  /** Erases the line. */
  done(): void;
}

/**
 * A progress line for `label`, or one that does nothing when stderr is not a terminal or
 * `quiet` is set.
 *
 * @example
 * ```ts
 * import { progressLine } from "./_progress.ts";
 * const progress = progressLine("Searching demo.cast", false);
 * progress.update("at 01:02.000");
 * progress.done();
 * ```
 */
export function progressLine(label: string, quiet: boolean): Progress {
  if (quiet || !Deno.stderr.isTerminal()) return { update() {}, done() {} };
  let last = 0;
  let shown = false;
  return {
    update(text) {
      const now = performance.now();
      if (now - last < EVERY_MS) return;
      last = now;
      shown = true;
      Deno.stderr.writeSync(encoder.encode(`\r::: ${label} ${text}\x1b[K`));
    },
    done() {
      if (shown) Deno.stderr.writeSync(encoder.encode("\r\x1b[K"));
      shown = false;
    },
  };
}
