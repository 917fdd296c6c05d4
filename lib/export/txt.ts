/**
 * The `txt` format: the text a viewer read, through {@linkcode TerminalText} (scrolled-off
 * and erased lines in order, then the last screen).
 *
 * @module
 */
import { parseSize } from "../asciicast/event.ts";
import type { EncoderFactory } from "../asciicast/encoder.ts";
import { TerminalText } from "../vt/terminal_text.ts";

/**
 * Encodes a session as plain text.
 *
 * @example
 * ```ts
 * import { txtEncoder } from "./txt.ts";
 * let out = "";
 * const encoder = txtEncoder({ header: { version: 3, cols: 80, rows: 24 }, emit: (s) => out += s });
 * encoder.event({ time: 0, code: "o", data: "\x1b[1mhello\x1b[0m\r\n" });
 * encoder.finish();
 * // out === "hello\n"
 * ```
 */
export const txtEncoder: EncoderFactory = ({ header, emit }) => {
  const screen = new TerminalText(header.cols, header.rows, (text) => emit(text));
  return {
    event(event) {
      if (event.code === "o") screen.feed(event.data);
      else if (event.code === "r") {
        const size = parseSize(event.data);
        if (size) screen.resize(size.cols, size.rows);
      }
    },
    finish() {
      screen.finish();
    },
  };
};
