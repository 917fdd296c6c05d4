/**
 * Plain text of a terminal session, for `convert -f txt`: output is fed to a headless
 * terminal (`@xterm/headless`); lines are written out as they scroll into the scrollback, and
 * at the end the remaining screen follows. Soft-wrapped lines are joined, trailing spaces
 * trimmed, trailing blank lines dropped.
 *
 * Better than asciinema's exporter (issue #739): a screen erased with `clear`, ctrl+L or a
 * terminal reset is kept — erase-display pushes the screen into the scrollback first, and the
 * scrollback is captured before `ESC[3J` or a reset discards it. Alternate-screen content
 * (full-screen programs) is not part of the text.
 *
 * @module
 */
import { type IBufferLine, type IMarker, Terminal } from "@xterm/headless";

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
  #onText: (text: string) => void;
  #marker: IMarker | undefined;
  #partial: string | undefined;
  #queued = 0;
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
    this.#term = new Terminal({
      cols,
      rows,
      scrollback: SCROLLBACK,
      // The parser hooks that save erased text are a "proposed" API in @xterm/headless.
      allowProposedApi: true,
      scrollOnEraseInDisplay: keepErased,
    });
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

  /** UTF-16 units fed but not yet processed by the terminal. */
  get backlog(): number {
    return this.#queued;
  }

  /** Feeds terminal output. */
  feed(data: string): void {
    for (let i = 0; i < data.length; i += PIECE) {
      const piece = data.length <= PIECE ? data : data.slice(i, i + PIECE);
      this.#queued += piece.length;
      this.#term.write(piece, () => {
        this.#queued -= piece.length;
        this.#capture("scrollback");
      });
    }
  }

  /** Resizes the terminal, in order with the output fed before. */
  resize(cols: number, rows: number): void {
    this.#term.write("", () => {
      this.#capture("scrollback");
      if (cols > 0 && rows > 0) this.#term.resize(cols, rows);
    });
  }

  /** Resolves when everything fed so far has been processed (and its text emitted). */
  settled(): Promise<void> {
    return new Promise((resolve) => this.#term.write("", resolve));
  }

  /** Processes what is left, emits the remaining text and releases the terminal. */
  async finish(): Promise<void> {
    if (this.#finished) return;
    await this.settled();
    this.#finished = true;
    this.#capture("end");
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
      while (head > start && buffer.getLine(head)!.isWrapped) head--;
      if (end - head < SCROLLBACK / 4) end = head;
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
      const continued = y + 1 < buffer.length && buffer.getLine(y + 1)!.isWrapped;
      out += this.#append(line, continued);
    }
    if (all) out += this.#takePartial();
    if (out !== "") this.#onText(out);
    this.#marker?.dispose();
    this.#marker = all ? undefined : term.registerMarker(end - 1 - (buffer.baseY + buffer.cursorY));
  }

  /** Adds a physical line; returns the text of the logical lines it completes. */
  #append(line: IBufferLine, continued: boolean): string {
    const text = line.translateToString(!continued);
    const whole = line.isWrapped && this.#partial !== undefined ? this.#partial + text : text;
    let out = "";
    if (!line.isWrapped && this.#partial !== undefined) out = this.#takePartial();
    if (continued) {
      this.#partial = whole;
      return out;
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

function _trimEnd(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 32) end--;
  return end === text.length ? text : text.slice(0, end);
}
