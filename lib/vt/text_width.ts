/**
 * How many terminal cells text takes, by the same Unicode 11 width tables as the emulator
 * (so a replacement the same width as a character lines up on every screen that shows it).
 * It loads only the width tables, not the emulator: redaction uses it in every session.
 *
 * @module
 */
import { Unicode11Addon } from "@xterm/addon-unicode11";

interface _Provider {
  wcwidth(codePoint: number): 0 | 1 | 2;
}

let _provider: _Provider | undefined;

/** The Unicode 11 provider the addon would register with a terminal. */
function provider(): _Provider {
  if (_provider === undefined) {
    const host = { unicode: { register: (p: _Provider) => (_provider = p) } };
    new Unicode11Addon().activate(host as unknown as Parameters<Unicode11Addon["activate"]>[0]);
    if (_provider === undefined) throw new TypeError("unsupported @xterm/addon-unicode11");
  }
  return _provider;
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
  const p = provider();
  let width = 0;
  for (const ch of text) width += p.wcwidth(ch.codePointAt(0)!);
  return width;
}
