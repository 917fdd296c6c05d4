/**
 * Output that scrolls off before it could be seen: a flood of plain lines (`seq`, `cat`,
 * `yes`, a build log with colours) fed in one piece pushes everything but its last lines
 * out of the screen and the scrollback, so a terminal whose state only matters between
 * pieces (a live stream's emulator) need not draw the rest.
 *
 * Why the end state is the same. The piece must be plain: printable characters, TAB, CR,
 * LF and complete SGR sequences only, starting from the parser's ground state, in a screen
 * whose scroll region is the whole screen. Such output never moves the cursor up and
 * changes no state but the cells, the cursor and the pen. The kept tail starts at a CR LF:
 * after that CR both terminals (the one fed everything, the one fed the tail) have the
 * cursor in column 0 with no pending wrap and, given the head's SGR sequences, the same
 * pen; from then on they take identical steps. After `rows` line feeds both cursors are
 * on the last row, and after `rows + scrollback` more every line of screen and scrollback
 * was scrolled in as a blank line (in the pen's background) and drawn by the tail alone.
 *
 * @module
 */

/** Anything not plain: a control but TAB/LF/CR, a C1 control, an ESC not starting a whole SGR. */
// deno-lint-ignore no-control-regex -- control characters are what it looks for
const NOT_PLAIN = /[\x00-\x08\x0b-\x0c\x0e-\x1a\x1c-\x1f\x7f-\x9f]|\x1b(?!\[[0-9;:]*m)/;
// deno-lint-ignore no-control-regex -- as are SGR sequences
const SGR = /\x1b\[[0-9;:]*m/g;
/** An SGR sequence whose first parameter (0 or empty) resets the pen. */
// deno-lint-ignore no-control-regex -- and the one that resets the pen
const SGR_RESET = /^\x1b\[0*[;m]/;
/** Shorter pieces are fed whole: the scan would cost more than it saves. */
const MIN_LENGTH = 4096;

/**
 * Returns what to feed instead of `text` so that the terminal ends in the same state, or
 * `undefined` to feed `text` whole. The caller guarantees the preconditions on the terminal:
 * the parser is in its ground state and the scroll region is the whole screen.
 *
 * @example
 * ```ts
 * import { scrolledOffHead } from "./_scrolled_off.ts";
 * const lines = Array.from({ length: 2000 }, (_, i) => `${i}\r\n`).join("");
 * scrolledOffHead(lines, 24, 0)?.startsWith("\r\n19"); // true: only the last lines are kept
 * ```
 */
export function scrolledOffHead(
  text: string,
  rows: number,
  scrollback: number,
): string | undefined {
  if (text.length < MIN_LENGTH) return undefined;
  // Line feeds the tail needs, with a margin: `rows` to bring both cursors to the last row,
  // then enough to scroll every line of screen and scrollback in anew.
  const needed = 2 * rows + scrollback + 2;
  if (needed > text.length / 4) return undefined;
  let at = text.length;
  for (let found = 0; found < needed;) {
    at = text.lastIndexOf("\n", at - 1);
    if (at <= 0) return undefined;
    found++;
  }
  // Back to a line feed that follows a CR (a stream of bare LFs never lines up the columns).
  while (text.charCodeAt(at - 1) !== 0x0d) {
    at = text.lastIndexOf("\n", at - 1);
    if (at <= 0) return undefined;
  }
  const cut = at - 1;
  if (cut < MIN_LENGTH / 2 || NOT_PLAIN.test(text)) return undefined;
  const pen = text.slice(0, cut).match(SGR);
  if (pen === null) return text.slice(cut);
  // The pen after the head: its SGR sequences from the last one that resets it.
  let from = pen.length - 1;
  while (from > 0 && !SGR_RESET.test(pen[from]!)) from--;
  return pen.slice(from).join("") + text.slice(cut);
}
