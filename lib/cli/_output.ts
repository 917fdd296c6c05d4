/**
 * Status lines for the user: `::: info` and `!!! warning` go to stderr, so stdout carries only
 * data (a recording written to `-`, a converted file) and status never mixes into it.
 *
 * @module
 */

const encoder = new TextEncoder();

let quiet = false;

/** Hides info lines and warnings from now on (errors still print). */
export function setQuiet(value: boolean): void {
  quiet = value;
}

/** Prints `::: message` on stderr unless quiet. */
export function info(message: string): void {
  if (!quiet) Deno.stderr.writeSync(encoder.encode(`::: ${message}\n`));
}

/** Prints `!!! message` on stderr unless quiet. */
export function warn(message: string): void {
  if (!quiet) Deno.stderr.writeSync(encoder.encode(`!!! ${message}\n`));
}

let verboseOn = false;

/** Turns `--verbose` status lines on (and stack traces of errors). */
export function setVerbose(value: boolean): void {
  verboseOn = value;
}

/** Whether `--verbose` is on. */
export function isVerbose(): boolean {
  return verboseOn;
}

/** Prints `::: message` on stderr with `--verbose` (or `ASCIIREC_DEBUG`) only. */
export function verbose(message: string): void {
  if (verboseOn) Deno.stderr.writeSync(encoder.encode(`::: ${message}\n`));
}
