/**
 * Plain text of a terminal session, for the `txt` format: output is fed to a headless
 * terminal; lines are written out as they scroll into the scrollback, and at the end the
 * remaining screen follows. Soft-wrapped lines are joined (a wide character that wrapped
 * early leaves no space behind), trailing spaces trimmed, trailing blank lines dropped.
 *
 * Better than asciinema's exporter (issue #739): a screen erased with `clear`, ctrl+L or a
 * terminal reset is kept — erase-display pushes the screen into the scrollback first, and the
 * scrollback is captured before `ESC[3J` or a reset discards it. Full-screen programs
 * (the alternate screen) leave no text while they run, but a session that ends inside one
 * ends with that last screen, as its viewer last saw it.
 *
 * Output is parsed synchronously, a bounded piece at a time, so memory stays constant
 * whatever the length of the session.
 *
 * @module
 */
import type { IBufferLine, IMarker, Terminal } from "@xterm/headless";
import { checkSize } from "./_size.ts";
import { createTerminal, writeSyncOf } from "./_xterm.ts";

/** Options for {@linkcode TerminalText}. */
export interface TerminalTextOptions {
  /**
   * Keep text erased by erase-display (`clear`, ctrl+L) and by a terminal reset. Default
   * true; false behaves like asciinema CLI 3.x.
   */
  keepErased?: boolean;
}

// Lines are captured after every piece of output; a piece of at most PIECE UTF-16 units can
// scroll at most that many lines, so nothing leaves the scrollback before it is captured.
const SCROLLBACK = 2000;
const PIECE = 1000;
/** A logical line this long is emitted in parts. */
const LONG_LINE = 64 * 1024;

/**
 * Turns terminal output into the text a reader would see: `feed` output, `resize` on `r`
 * events, then `finish`. Text arrives through the callback, in order, one or more whole
 * lines at a time (each ending in `\n`).
 *
 * @example
 * ```ts
 * import { TerminalText } from "./terminal_text.ts";
 * let text = "";
 * const screen = new TerminalText(80, 24, (chunk) => text += chunk);
 * screen.feed("hello\r\nworld\r\n");
 * await screen.finish();
 * // text === "hello\nworld\n"
 * ```
 */
export class TerminalText {
  #term: Terminal;
  #write: (data: string) => void;
  #onText: (text: string) => void;
  #marker: IMarker | undefined;
  #partial: string | undefined;
  #finished = false;

  /** A terminal of `cols`x`rows`; `onText` receives the text as it becomes final. */
  constructor(
    cols: number,
    rows: number,
    onText: (text: string) => void,
    options: TerminalTextOptions = {},
  ) {
    const keepErased = options.keepErased ?? true;
    this.#onText = onText;
    checkSize(cols, rows);
    this.#term = createTerminal(cols, rows, {
      scrollback: SCROLLBACK,
      scrollOnEraseInDisplay: keepErased,
    });
    this.#write = writeSyncOf(this.#term);
    if (keepErased) {
      // ESC[3J drops the scrollback and a reset (ESC c) everything: save what is there first.
      this.#term.parser.registerCsiHandler({ final: "J" }, (params: (number | number[])[]) => {
        if (params[0] === 3) this.#capture("scrollback");
        return false;
      });
      this.#term.parser.registerEscHandler({ final: "c" }, () => {
        this.#capture("reset");
        return false;
      });
    }
  }

  /** Feeds terminal output; its text is emitted (as far as it is final) before this returns. */
  feed(data: string): void {
    if (this.#finished) return;
    for (let i = 0; i < data.length; i += PIECE) {
      this.#write(data.length <= PIECE ? data : data.slice(i, i + PIECE));
      this.#capture("scrollback");
    }
  }

  /** Resizes the terminal (sizes out of range are ignored). */
  resize(cols: number, rows: number): void {
    if (this.#finished) return;
    this.#capture("scrollback");
    try {
      checkSize(cols, rows);
    } catch {
      return;
    }
    this.#term.resize(cols, rows);
  }

  /**
   * Emits the remaining text and releases the terminal: the rest of the normal screen, and,
   * if a full-screen program is still showing, its screen after that.
   */
  finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#capture("end");
    const alt = this.#term.buffer.alternate;
    if (this.#term.buffer.active === alt) {
      const lines: string[] = [];
      for (let y = 0; y < this.#term.rows; y++) {
        lines.push(_trimEnd(alt.getLine(y)?.translateToString(true) ?? ""));
      }
      while (lines.length > 0 && lines.at(-1) === "") lines.pop();
      if (lines.length > 0) this.#onText(lines.join("\n") + "\n");
    }
    this.#marker?.dispose();
    this.#term.dispose();
  }

  /**
   * Emits the normal buffer's lines not emitted yet: those in the scrollback (only whole
   * logical lines, unless one is very long), or, before a reset and at the end, all of them.
   */
  #capture(what: "scrollback" | "reset" | "end"): void {
    const term = this.#term;
    const buffer = term.buffer.normal;
    const all = what !== "scrollback";
    if (term.buffer.active !== buffer && what === "scrollback") return;
    const marker = this.#marker;
    const start = marker && !marker.isDisposed ? marker.line + 1 : 0;
    let end = all ? buffer.length : buffer.baseY;
    if (all) {
      while (end > start && buffer.getLine(end - 1)!.translateToString(true) === "") end--;
    } else if (end < buffer.length && buffer.getLine(end)!.isWrapped) {
      // The line continues on the screen: wait for it to end, unless it is huge.
      let head = end;
      const limit = Math.max(start, end - SCROLLBACK / 4);
      while (head > limit && buffer.getLine(head)!.isWrapped) head--;
      if (head > limit || !buffer.getLine(head)!.isWrapped) end = head;
    }
    if (end <= start) {
      if (all) {
        this.#flushPartial();
        this.#marker?.dispose();
        this.#marker = undefined;
      }
      return;
    }
    let out = "";
    for (let y = start; y < end; y++) {
      const line = buffer.getLine(y)!;
      const next = y + 1 < buffer.length ? buffer.getLine(y + 1) : undefined;
      out += this.#append(line, next?.isWrapped === true, next);
    }
    if (all) out += this.#takePartial();
    if (out !== "") this.#onText(out);
    this.#marker?.dispose();
    this.#marker = all ? undefined : term.registerMarker(end - 1 - (buffer.baseY + buffer.cursorY));
  }

  /** Adds a physical line; returns the text of the logical lines it completes. */
  #append(line: IBufferLine, continued: boolean, next: IBufferLine | undefined): string {
    let text = line.translateToString(!continued);
    if (continued && next !== undefined && _wrappedWide(line, next)) text = text.slice(0, -1);
    const whole = line.isWrapped && this.#partial !== undefined ? this.#partial + text : text;
    let out = "";
    if (!line.isWrapped && this.#partial !== undefined) out = this.#takePartial();
    if (continued) {
      if (whole.length < LONG_LINE) {
        this.#partial = whole;
        return out;
      }
      // A very long line goes out as it comes (all but its trailing spaces, which only the
      // end of the line decides on), so it is never held whole.
      const head = _trimEnd(whole);
      this.#partial = whole.slice(head.length);
      return out + head;
    }
    this.#partial = undefined;
    return out + _trimEnd(whole) + "\n";
  }

  #takePartial(): string {
    const partial = this.#partial;
    this.#partial = undefined;
    return partial === undefined ? "" : _trimEnd(partial) + "\n";
  }

  #flushPartial(): void {
    const out = this.#takePartial();
    if (out !== "") this.#onText(out);
  }
}

/**
 * A wide character that did not fit in the last column wrapped to the next line, leaving
 * that column empty: it is no space in the text.
 */
function _wrappedWide(line: IBufferLine, next: IBufferLine): boolean {
  const last = line.getCell(line.length - 1);
  const first = next.getCell(0);
  return last !== undefined && last.getChars() === "" && last.getWidth() === 1 &&
    first !== undefined && first.getWidth() === 2;
}

function _trimEnd(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 32) end--;
  return end === text.length ? text : text.slice(0, end);
}
