/**
 * Polling for the end-to-end tests: wait until a condition holds, or fail naming what was
 * awaited.
 *
 * @module
 */

/**
 * Polls `condition` every 10 ms until it holds; throws `Error("timed out waiting for WHAT")`
 * after `timeoutMs` (default 15 s).
 *
 * @example
 * ```ts
 * import { waitUntil } from "./_wait_until.ts";
 * const start = Date.now();
 * await waitUntil(() => Date.now() - start > 30, "30 ms to pass");
 * ```
 */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
