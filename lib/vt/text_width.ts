/**
 * How many terminal cells text takes, by the same Unicode 11 width tables as the emulator
 * (so a replacement the same width as a character lines up on every screen that shows it).
 * It reads a table generated from the emulator's (`scripts/build_width_table.ts`) and loads
 * neither the emulator nor its addon: redaction uses it in every session.
 *
 * @module
 */
import { DOUBLE_WIDTH, ZERO_WIDTH } from "./_width_table.ts";

/** Whether `c` is in one of `ranges` (first, last, first, last, … sorted). */
function _inRanges(ranges: readonly number[], c: number): boolean {
  let lo = 0;
  let hi = ranges.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (c < ranges[mid * 2]!) hi = mid - 1;
    else if (c > ranges[mid * 2 + 1]!) lo = mid + 1;
    else return true;
  }
  return false;
}

/**
 * The cell width of one code point: 0 (combining marks, controls), 1, or 2 (wide).
 *
 * @example
 * ```ts
 * import { codePointWidth } from "./text_width.ts";
 * codePointWidth(0x754c); // 2 (界)
 * ```
 */
export function codePointWidth(codePoint: number): 0 | 1 | 2 {
  if (codePoint >= 0x20 && codePoint < 0x7f) return 1;
  if (_inRanges(ZERO_WIDTH, codePoint)) return 0;
  return _inRanges(DOUBLE_WIDTH, codePoint) ? 2 : 1;
}

const _PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/**
 * The cell width of `text`: the sum of its characters' widths (a wide character counts 2, a
 * combining mark 0).
 *
 * @example
 * ```ts
 * import { textWidth } from "./text_width.ts";
 * textWidth("ab"); // 2
 * textWidth("界"); // 2
 * ```
 */
export function textWidth(text: string): number {
  if (_PRINTABLE_ASCII.test(text)) return text.length;
  let width = 0;
  for (const ch of text) width += codePointWidth(ch.codePointAt(0)!);
  return width;
}
