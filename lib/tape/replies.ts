/**
 * Answers to the few terminal queries programs wait for. A real terminal (and VHS's
 * xterm.js) answers them; without answers, programs hang or time out: termenv (Bubble Tea,
 * Glow, Gum…) asks for the background colour and the device attributes and waits up to
 * seconds, and some prompts ask where the cursor is.
 *
 * Answered: cursor position (`CSI 6n`, and `CSI ?6n`), status (`CSI 5n`), primary and
 * secondary device attributes (`CSI c`, `CSI >c`, as xterm.js answers them), and the
 * foreground, background and cursor colours (`OSC 10/11/12 ; ?`) from the tape's theme.
 * `lib/vt` keeps the one emulator; this module only recognises the queries in the output
 * and reads the cursor from the emulator's screen.
 *
 * @module
 */
import type { Theme } from "../asciicast/event.ts";

/** Where the answers come from. */
export interface ReplyContext {
  /** The cursor, 0-based, after the output that asked. */
  cursor(): { x: number; y: number };
  /** The theme's colours. */
  theme: Theme;
}

// Queries, possibly split between reads: CSI [?>]? params? (n|c), OSC 1[0-2];? (BEL|ST).
// deno-lint-ignore no-control-regex -- escape sequences are what it looks for
const QUERY = /\x1b\[([?>]?)(\d*)([nc])|\x1b\](1[0-2]);\?(\x07|\x1b\\)/g;
const MAX_TAIL = 16;

/**
 * Finds queries in a program's output and makes the answers.
 *
 * @example
 * ```ts
 * import { TerminalReplies } from "./replies.ts";
 * const replies = new TerminalReplies({
 *   cursor: () => ({ x: 4, y: 2 }),
 *   theme: { fg: "#dddddd", bg: "#171717", palette: [] },
 * });
 * replies.scan("\x1b[6n"); // "\x1b[3;5R"
 * replies.scan("\x1b]11;?\x07"); // "\x1b]11;rgb:1717/1717/1717\x07"
 * ```
 */
export class TerminalReplies {
  #context: ReplyContext;
  #tail = "";

  /** Answers from `context`. */
  constructor(context: ReplyContext) {
    this.#context = context;
  }

  /** Scans the next piece of output; returns what to send back (`""` for nothing). */
  scan(output: string): string {
    const text = this.#tail + output;
    let answers = "";
    let end = 0;
    for (const match of text.matchAll(QUERY)) {
      answers += this.#answer(match);
      end = match.index + match[0].length;
    }
    // Keep an unfinished escape sequence at the end for the next piece.
    const esc = text.lastIndexOf("\x1b");
    this.#tail = esc >= end && text.length - esc <= MAX_TAIL ? text.slice(esc) : "";
    return answers;
  }

  #answer(match: RegExpMatchArray): string {
    const [, prefix, param, final, osc, terminator] = match;
    if (osc !== undefined) {
      const theme = this.#context.theme;
      const color = osc === "10" ? theme.fg : osc === "11" ? theme.bg : theme.fg;
      return `\x1b]${osc};${xColor(color)}${terminator}`;
    }
    if (final === "n") {
      if (param === "5" && prefix === "") return "\x1b[0n";
      if (param === "6") {
        const { x, y } = this.#context.cursor();
        return `\x1b[${prefix === "?" ? "?" : ""}${y + 1};${x + 1}R`;
      }
      return "";
    }
    if (param !== "" && param !== "0") return "";
    if (prefix === "") return "\x1b[?1;2c";
    if (prefix === ">") return "\x1b[>0;276;0c";
    return "";
  }
}

/** `#rrggbb` → X11 `rgb:rrrr/gggg/bbbb`, as terminals report colours. */
function xColor(hex: string): string {
  const part = (i: number) => hex.slice(i, i + 2).repeat(2);
  return `rgb:${part(1)}/${part(3)}/${part(5)}`;
}
