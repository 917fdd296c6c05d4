/**
 * What a viewer saw, line by line: a synchronous {@linkcode Vt} whose lines are reported as
 * output changes them, for searching a recording (`asciirec grep`).
 *
 * A line is a row of the screen, or several rows when its text wrapped at the right margin.
 * Each line has an identity that follows it while it stays the same line: scrolling moves
 * it without making it new, and so does switching to the alternate screen and back; a line
 * that is wholly erased, or scrolled in, is a new line. After each {@linkcode
 * LineTracker.feed} the lines whose text changed are reported; a line that scrolls off the
 * top into the scrollback is reported as it leaves, even when it came and went within one
 * piece of output (a viewer could scroll back to it). Text that was drawn and overwritten
 * within one piece of output was never on the screen between two pieces and is not seen.
 *
 * @module
 */
import type { IMarker, Terminal } from "@xterm/headless";
import {
  internals,
  vtTerminals,
  type XBuffer,
  type XCell,
  type XInternals,
  type XLine,
} from "./_xterm.ts";
import { Vt } from "./vt.ts";

/** One line as reported by {@linkcode LineTracker}. */
export interface TrackedLine {
  /**
   * The line's identity: the same object for as long as it is the same line (see the
   * module's description), so that a reader can tell a changed line from a new one.
   */
  id: object;
  /** The text: wrapped rows joined, trailing spaces removed. */
  text: string;
  /** The line has scrolled off the top into the scrollback; it will not be reported again. */
  scrolledOff: boolean;
  /** The line is on the alternate screen (a full-screen program: vim, less, htop). */
  alternate: boolean;
}

/** What the tracker knows of a line (its identity is this object). */
interface _Line {
  /** The text last reported; undefined before the first report. */
  text: string | undefined;
}

// A piece of at most PIECE UTF-16 units scrolls at most PIECE lines into the scrollback, so
// lines are read after each piece before SCROLLBACK more can push them out.
const PIECE = 1000;
const SCROLLBACK = 2000;
/** A line wrapped over more rows than this is reported in parts. */
const MAX_WRAPPED_ROWS = SCROLLBACK / 4;

type _Params = (number | number[])[];

/**
 * Follows the lines of a terminal of `cols` x `rows` as output is fed to it, and reports
 * changed, new and departing lines to `onLine`, synchronously, in order.
 *
 * Reading a line's text costs far more than parsing it, and most lines a piece of output
 * touches have only moved (scrolled), so the tracker notes which lines output wrote to —
 * printing, erasing, inserting or deleting characters — and reads only those and new ones.
 *
 * @example
 * ```ts
 * import { LineTracker } from "./line_tracker.ts";
 * const seen: string[] = [];
 * using tracker = new LineTracker(20, 2, (line) => seen.push(line.text));
 * tracker.feed("one\r\ntwo\r\nthree");
 * // seen: ["one" (it scrolled off), "two", "three"]
 * ```
 */
export class LineTracker implements Disposable {
  #vt: Vt;
  #term: Terminal;
  #state: XInternals;
  #cell: XCell;
  #onLine: (line: TrackedLine) => void;
  #lines = new WeakMap<XLine, _Line>();
  /** Lines written to since they were last read. */
  #written = new Set<XLine>();
  /** Every line of the screen must be read again (a resize, a change of all rows). */
  #rereadAll = false;
  #marker: IMarker | undefined;
  /** The first row of the screen when the scrollback was last read, and its index. */
  #top: XLine | undefined;
  #topIndex = -1;
  #disposables: { dispose(): void }[] = [];

  /** A terminal of `cols` x `rows` whose lines go to `onLine`. */
  constructor(cols: number, rows: number, onLine: (line: TrackedLine) => void) {
    this.#vt = new Vt(cols, rows, { sync: true, scrollback: SCROLLBACK });
    const term = this.#term = vtTerminals.get(this.#vt)!;
    this.#state = internals(term);
    this.#cell = this.#state.newCell();
    this.#onLine = onLine;
    this.#watchWrites(term);
  }

  /** The terminal the lines are read from (for its screen or a snapshot). */
  get vt(): Vt {
    return this.#vt;
  }

  /**
   * Feeds output. Lines that scroll off are reported as they go; then every line whose
   * text changed, top to bottom.
   */
  feed(data: string | Uint8Array): void {
    if (data.length <= PIECE) {
      this.#vt.feed(data);
      this.#captureScrollback();
    } else {
      for (let i = 0; i < data.length; i += PIECE) {
        this.#vt.feed(
          typeof data === "string" ? data.slice(i, i + PIECE) : data.subarray(i, i + PIECE),
        );
        this.#captureScrollback();
      }
    }
    this.#reportChanged();
  }

  /**
   * Resizes the terminal. Lines rewrapped to the new width keep their identity where their
   * text did not change.
   */
  resize(cols: number, rows: number): void {
    this.#captureScrollback();
    this.#reportChanged();
    const before = new Map<string, _Line>();
    this.#eachScreenLine((head, text) => {
      const line = this.#lines.get(head);
      if (line !== undefined) before.set(text, line);
    });
    this.#vt.resize(cols, rows);
    this.#eachScreenLine((head, text) => {
      const line = before.get(text);
      if (line !== undefined) this.#lines.set(head, line);
    });
    this.#rereadAll = true;
    this.#reportChanged();
  }

  /** Releases the terminal. */
  dispose(): void {
    for (const d of this.#disposables) d.dispose();
    this.#disposables = [];
    this.#marker?.dispose();
    this.#vt.dispose();
  }

  /** Same as {@linkcode LineTracker.dispose}, for `using`. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /**
   * Notes the lines output writes to: handlers registered in front of xterm's own (they
   * return false, so xterm's run next), and a wrapper around printing, which has none.
   */
  #watchWrites(term: Terminal): void {
    const parser = term.parser;
    const atCursor = () => {
      this.#written.add(this.#cursorLine());
      return false;
    };
    const everything = () => {
      this.#rereadAll = true;
      return false;
    };
    this.#disposables.push(
      // Characters inserted, deleted, erased or repeated on the cursor's row.
      parser.registerCsiHandler({ final: "@" }, atCursor),
      parser.registerCsiHandler({ final: "P" }, atCursor),
      parser.registerCsiHandler({ final: "X" }, atCursor),
      parser.registerCsiHandler({ final: "b" }, atCursor),
      parser.registerCsiHandler({ prefix: "?", final: "K" }, atCursor),
      parser.registerCsiHandler({ final: "K" }, (params: _Params) => {
        // Erasing a whole line makes a new line of it.
        this.#erasing("line", _param(params));
        return atCursor();
      }),
      parser.registerCsiHandler({ final: "J" }, (params: _Params) => {
        this.#erasing("display", _param(params));
        return everything();
      }),
      parser.registerCsiHandler({ prefix: "?", final: "J" }, everything),
      // Columns inserted, deleted or scrolled on every row, and DECALN's screen of Es.
      parser.registerCsiHandler({ intermediates: "'", final: "}" }, everything),
      parser.registerCsiHandler({ intermediates: "'", final: "~" }, everything),
      parser.registerCsiHandler({ intermediates: " ", final: "@" }, everything),
      parser.registerCsiHandler({ intermediates: " ", final: "A" }, everything),
      parser.registerEscHandler({ intermediates: "#", final: "8" }, everything),
      // DECCOLM switches between 80 and 132 columns: every line is rewrapped.
      parser.registerCsiHandler({ prefix: "?", final: "h" }, (params: _Params) => {
        return params.includes(3) ? everything() : false;
      }),
      parser.registerCsiHandler({ prefix: "?", final: "l" }, (params: _Params) => {
        return params.includes(3) ? everything() : false;
      }),
      // A reset drops the scrollback: it is read first.
      parser.registerEscHandler({ final: "c" }, () => {
        this.#captureScrollback();
        return everything();
      }),
    );
    const handler = (term as unknown as { _core: { _inputHandler: _Printer } })._core
      ._inputHandler;
    const print = handler.print;
    if (typeof print !== "function") {
      throw new TypeError("Cannot follow printing: unsupported @xterm/headless version");
    }
    // Printing may wrap onto the rows below: every row from where it started to where the
    // cursor ends is written.
    handler.print = (data, start, end) => {
      const first = this.#cursorLine();
      this.#written.add(first);
      print.call(handler, data, start, end);
      const buffer = this.#state.buffers.active;
      let index = buffer.ybase + buffer.y;
      for (let n = 0; n < MAX_WRAPPED_ROWS && index >= 0; n++, index--) {
        const line = buffer.lines.get(index);
        if (line === undefined || line === first) break;
        this.#written.add(line);
        if (!line.isWrapped) break;
      }
    };
    this.#disposables.push({ dispose: () => handler.print = print });
    // On the alternate screen (which keeps no scrollback) a scroll recycles the line that
    // leaves at the top as the new bottom line: the object is reused, the line is new.
    const service = (term as unknown as { _core: { _bufferService: _Scroller } })._core
      ._bufferService;
    const scroll = service.scroll;
    if (typeof scroll !== "function") {
      throw new TypeError("Cannot follow scrolling: unsupported @xterm/headless version");
    }
    service.scroll = (eraseAttr, isWrapped) => {
      scroll.call(service, eraseAttr, isWrapped);
      const buffer = this.#state.buffers.active;
      if (buffer !== this.#state.buffers.alt) return;
      const bottom = buffer.lines.get(buffer.ybase + buffer.scrollBottom);
      if (bottom !== undefined) this.#lines.delete(bottom);
    };
    this.#disposables.push({ dispose: () => service.scroll = scroll });
  }

  #cursorLine(): XLine {
    const buffer = this.#state.buffers.active;
    return buffer.lines.get(buffer.ybase + buffer.y)!;
  }

  #lineOf(head: XLine): _Line {
    let line = this.#lines.get(head);
    if (line === undefined) {
      line = { text: undefined };
      this.#lines.set(head, line);
    }
    return line;
  }

  /** Before ED or EL runs: the rows it erases wholly become new lines. */
  #erasing(what: "display" | "line", mode: number): void {
    const buffer = this.#state.buffers.active;
    const { cols, rows } = this.#term;
    const x = Math.min(buffer.x, cols - 1);
    const y = buffer.y;
    const renew = (row: number) => {
      const line = buffer.lines.get(buffer.ybase + row);
      if (line) this.#lines.delete(line);
    };
    if (what === "line") {
      if (mode === 2 || (mode === 0 && x === 0) || (mode === 1 && x === cols - 1)) renew(y);
      return;
    }
    if (mode === 3) {
      this.#captureScrollback();
      return;
    }
    const from = mode === 0 ? (x === 0 ? y : y + 1) : 0;
    const to = mode === 1 ? (x === cols - 1 ? y : y - 1) : rows - 1;
    if (mode <= 2) { for (let row = from; row <= to; row++) renew(row); }
  }

  /**
   * Reports the lines of the screen that output wrote to and whose text changed. (Lines it
   * did not write to are unchanged, or new and blank.)
   */
  #reportChanged(): void {
    if (this.#written.size === 0 && !this.#rereadAll) return;
    const buffer = this.#state.buffers.active;
    const alternate = buffer === this.#state.buffers.alt;
    const top = buffer.ybase;
    const last = top + this.#term.rows - 1;
    let done = -1;
    for (let y = top; y <= last; y++) {
      if (!this.#rereadAll && !this.#written.has(buffer.lines.get(y)!)) continue;
      // A line that wrapped from above starts there.
      const index = y > done ? _head(buffer, y) : y;
      if (index <= done) continue;
      const { line, rows, text } = this.#read(buffer, index);
      done = index + rows - 1;
      const before = line.text;
      if (before === text || (before === undefined && text === "")) continue;
      line.text = text;
      this.#onLine({ id: line, text, scrolledOff: false, alternate });
    }
    this.#written.clear();
    this.#rereadAll = false;
  }

  /** Reports the lines that have scrolled into the scrollback since last time. */
  #captureScrollback(): void {
    const state = this.#state;
    const buffer = state.buffers.normal;
    if (state.buffers.active !== buffer) return;
    // Nothing scrolled (the first row of the screen is the same line): nothing is new above.
    const top = buffer.lines.get(buffer.ybase);
    if (top === this.#top && buffer.ybase === this.#topIndex) return;
    this.#top = top;
    this.#topIndex = buffer.ybase;
    const marker = this.#marker;
    let index = marker && !marker.isDisposed ? marker.line + 1 : 0;
    const end = buffer.ybase; // the first row of the screen
    if (index >= end) return;
    let lastDone = -1;
    while (index < end) {
      const { line, rows, text, complete } = this.#read(buffer, index, end);
      // A line that continues on the screen is not done yet, unless it is huge.
      if (!complete && rows < MAX_WRAPPED_ROWS) break;
      const seen = line.text;
      for (let i = 0; i < rows; i++) {
        const row = buffer.lines.get(index + i);
        if (row) {
          // Done with: if xterm recycles the object for a new line, that is a new line.
          this.#lines.delete(row);
          this.#written.delete(row);
        }
      }
      index += rows;
      lastDone = index - 1;
      if (text === "" && (seen === undefined || seen === "")) continue;
      this.#onLine({ id: line, text, scrolledOff: true, alternate: false });
    }
    if (lastDone < 0) return;
    marker?.dispose();
    this.#marker = this.#term.registerMarker(lastDone - (buffer.ybase + buffer.y));
  }

  /**
   * The line starting at buffer row `index`: what the tracker knows of it, how many rows it
   * spans (up to `limit`), its text, and whether it ends before `limit`. The text is read
   * only for a new line or one that output wrote to; otherwise it is the text last read.
   */
  #read(
    buffer: XBuffer,
    index: number,
    limit = buffer.lines.length,
  ): { line: _Line; rows: number; text: string; complete: boolean } {
    const head = buffer.lines.get(index)!;
    const count = buffer.lines.length;
    let rows = 1;
    let complete = true;
    let written = this.#rereadAll || this.#written.has(head);
    for (;;) {
      const next = index + rows < count ? buffer.lines.get(index + rows) : undefined;
      if (next === undefined || !next.isWrapped || rows >= MAX_WRAPPED_ROWS) break;
      if (index + rows >= limit) {
        complete = false;
        break;
      }
      written ||= this.#written.has(next);
      rows++;
    }
    const line = this.#lineOf(head);
    if (!written && line.text !== undefined) return { line, rows, text: line.text, complete };
    const cols = this.#term.cols;
    if (rows === 1) {
      return { line, rows, text: _trimEnd(head.translateToString(true, 0, cols)), complete };
    }
    let text = "";
    for (let i = 0; i < rows; i++) {
      const row = buffer.lines.get(index + i)!;
      let part = row.translateToString(false, 0, cols);
      const next = buffer.lines.get(index + i + 1);
      if (next?.isWrapped && _endsInWideGap(row, next, cols, this.#cell)) part = part.slice(0, -1);
      text += part;
    }
    return { line, rows, text: _trimEnd(text), complete };
  }

  /** Calls `fn` with the first row and the text of each line on the screen. */
  #eachScreenLine(fn: (head: XLine, text: string) => void): void {
    const buffer = this.#state.buffers.active;
    const last = buffer.ybase + this.#term.rows - 1;
    let index = _head(buffer, buffer.ybase);
    const reread = this.#rereadAll;
    this.#rereadAll = true;
    while (index <= last && index < buffer.lines.length) {
      const head = buffer.lines.get(index)!;
      const { rows, text } = this.#read(buffer, index);
      fn(head, text);
      index += rows;
    }
    this.#rereadAll = reread;
  }
}

interface _Printer {
  print(data: Uint32Array, start: number, end: number): void;
}

interface _Scroller {
  scroll(eraseAttr: unknown, isWrapped?: boolean): void;
}

/** The first row of the line that row `index` belongs to. */
function _head(buffer: XBuffer, index: number): number {
  let head = index;
  let steps = 0;
  while (head > 0 && buffer.lines.get(head)?.isWrapped && steps++ < MAX_WRAPPED_ROWS) head--;
  return head;
}

function _param(params: _Params): number {
  const first = params[0];
  return typeof first === "number" ? first : 0;
}

/**
 * A wide character that did not fit in the last column wrapped to the next row, leaving
 * that column empty: it is no space in the text.
 */
function _endsInWideGap(line: XLine, next: XLine, cols: number, cell: XCell): boolean {
  line.loadCell(cols - 1, cell);
  if (cell.getChars() !== "" || cell.getWidth() !== 1) return false;
  next.loadCell(0, cell);
  return cell.getWidth() === 2;
}

function _trimEnd(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 32) end--;
  return end === text.length ? text : text.slice(0, end);
}
