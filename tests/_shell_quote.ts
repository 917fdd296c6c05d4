/**
 * Quoting for POSIX shell command lines that tests and benchmarks type or run.
 *
 * @module
 */

/**
 * `word` as one POSIX shell word: unchanged when it is only safe characters, otherwise in
 * single quotes (each `'` written as `'\''`).
 *
 * @example
 * ```ts
 * import { shellQuote } from "./_shell_quote.ts";
 * shellQuote("/tmp/a.cast"); // "/tmp/a.cast"
 * shellQuote("it's"); // "'it'\\''s'"
 * ```
 */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}
