/**
 * How many terminal cells text takes, by the same Unicode 11 width tables as the emulator
 * (so a replacement the same width as a character lines up on every screen that shows it).
 *
 * @module
 */
import { createTerminal } from "./_xterm.ts";

let _measure: ((text: string) => number) | undefined;
const _PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/**
 * The cell width of `text` (a wide character counts 2, a combining mark 0).
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
  if (_measure === undefined) {
    const term = createTerminal(2, 1);
    const service = (term as unknown as {
      _core: { unicodeService: { getStringCellWidth(s: string): number } };
    })._core.unicodeService;
    _measure = (s) => service.getStringCellWidth(s);
  }
  return _measure(text);
}
