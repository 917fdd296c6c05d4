/**
 * The error for a bad command line found after parsing (a conflict between flags, a value
 * that cannot be used): printed as `error: …` with exit status 2, like parse errors.
 *
 * @module
 */

/**
 * A usage error: the command line cannot be carried out as written.
 *
 * @example
 * ```ts
 * import { UsageError } from "./usage_error.ts";
 * throw new UsageError("--append and --overwrite cannot be used together");
 * ```
 */
export class UsageError extends Error {
  override name = "UsageError";
}
