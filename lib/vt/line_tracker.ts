/**
 * What a viewer saw, line by line: a synchronous {@linkcode Vt} whose lines are reported as
 * output changes them, for searching a recording (`asciirec grep`).
 *
 * A line is a row of the screen, or several rows when its text wrapped at the right margin.
 * Each line has an identity that follows it while it stays the same line: scrolling moves
 * it without making it new, and so does switching to the alternate screen and back; a line
 * that is wholly erased, or scrolled in, is a new line. After each {@linkcode
 * LineTracker.feed} the lines output wrote to are reported; a line written to since its
 * last report that scrolls off the top into the scrollback is reported as it leaves, even
 * when it came and went within one piece of output (a viewer could scroll back to it).
 * Text that was drawn and overwritten within one piece of output was never on the screen
 * between two pieces and is not seen.
 *
 * @module
 */
import type { Terminal } from "@xterm/headless";
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
   * The line's identity: the same number for as long as it is the same line (see the
   * module's description), so that a reader can tell a changed line from a new one.
   * Numbers are not reused until a billion lines later.
   */
  id: number;
  /** The text: wrapped rows joined, trailing spaces removed (possibly as last reported). */
  text: string;
  /** The line has scrolled off the top into the scrollback; it will not be reported again. */
  scrolledOff: boolean;
  /** The line is on the alternate screen (a full-screen program: vim, less, htop). */
  alternate: boolean;
}

/**
 * A line's identity, kept on xterm's own line object as a small integer: looked up for
 * every line of a recording, it must cost no allocation (an object hung on xterm's
 * long-lived line objects would outlive every young-generation collection and make the
 * heap grow).
 */
const LINE_ID = Symbol("asciirec.lineId");
type _Tagged = XLine & { [LINE_ID]?: number };
const MAX_ID = 2 ** 30;

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
  #rows = 0;
  #text = "";
  #complete = true;
  #written = new Set<XLine>();
  #nextId = 0;
  /** The line `#read` last read had no identity yet. */
  #fresh = false;
  /** Every line of the screen must be read again (a resize, a change of all rows). */
  #rereadAll = false;
  /** Lines that went into the scrollback and were not reported yet (the last ones in it). */
  #pending = 0;
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
   * Feeds output. Lines that scroll off are reported as they go; then every line output
   * wrote to, top to bottom.
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
    const before = new Map<string, number>();
    this.#eachScreenLine((head, text) => {
      const id = (head as _Tagged)[LINE_ID];
      if (id !== undefined && text !== "") before.set(text, id);
    });
    this.#vt.resize(cols, rows);
    // Rewrapping moves lines between the scrollback and the screen without scrolling.
    this.#pending = 0;
    this.#eachScreenLine((head, text) => {
      const id = before.get(text);
      if (id !== undefined) (head as _Tagged)[LINE_ID] = id;
    });
    this.#rereadAll = true;
    this.#reportChanged();
  }

  /** Releases the terminal. */
  dispose(): void {
    for (const d of this.#disposables) d.dispose();
    this.#disposables = [];
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
      const buffer = this.#state.buffers.active;
      const normal = buffer === this.#state.buffers.normal;
      // Scrolling the whole screen up pushes its first row into the scrollback.
      if (normal && buffer.scrollTop === 0) this.#pending++;
      scroll.call(service, eraseAttr, isWrapped);
      if (normal) return;
      const bottom = buffer.lines.get(buffer.ybase + buffer.scrollBottom);
      if (bottom !== undefined) (bottom as _Tagged)[LINE_ID] = undefined;
    };
    this.#disposables.push({ dispose: () => service.scroll = scroll });
  }

  #cursorLine(): XLine {
    const buffer = this.#state.buffers.active;
    return buffer.lines.get(buffer.ybase + buffer.y)!;
  }

  /** Before ED or EL runs: the rows it erases wholly become new lines. */
  #erasing(what: "display" | "line", mode: number): void {
    const buffer = this.#state.buffers.active;
    const { cols, rows } = this.#term;
    const x = Math.min(buffer.x, cols - 1);
    const y = buffer.y;
    const renew = (row: number) => {
      const line = buffer.lines.get(buffer.ybase + row);
      if (line) (line as _Tagged)[LINE_ID] = undefined;
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
   * Reports the lines of the screen that output wrote to. (Lines it did not write to are
   * unchanged, or new and blank.)
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
      const id = this.#read(buffer, index);
      done = index + this.#rows - 1;
      // A new line still blank (a screen cleared, a program starting) says nothing yet.
      if (this.#fresh && this.#text === "") continue;
      this.#onLine({ id, text: this.#text, scrolledOff: false, alternate });
    }
    this.#written.clear();
    this.#rereadAll = false;
  }

  /**
   * Reports the lines that have scrolled into the scrollback since last time and that
   * output wrote to since they were last reported.
   */
  #captureScrollback(): void {
    if (this.#pending === 0) return;
    const buffer = this.#state.buffers.normal;
    if (this.#state.buffers.active !== buffer) return;
    const end = buffer.ybase; // the first row of the screen
    // (After ESC[3J or a reset the scrollback is gone, and so are the pending lines.)
    let index = Math.max(0, end - this.#pending);
    while (index < end) {
      const written = this.#span(buffer, index, end);
      const rows = this.#rows;
      // A line that continues on the screen is not done yet, unless it is huge.
      if (!this.#complete && rows < MAX_WRAPPED_ROWS) break;
      const id = written ? this.#read(buffer, index, end) : 0;
      for (let i = 0; i < rows; i++) {
        const row = buffer.lines.get(index + i);
        if (row) {
          // Done with: if xterm recycles the object for a new line, that is a new line.
          (row as _Tagged)[LINE_ID] = undefined;
          this.#written.delete(row);
        }
      }
      index += rows;
      if (written) this.#onLine({ id, text: this.#text, scrolledOff: true, alternate: false });
    }
    this.#pending = end - index;
  }

  /**
   * Measures the line starting at buffer row `index`: `#rows` (up to `limit`) and
   * `#complete` (it ends before `limit`). Returns whether output wrote to it since it was
   * last read (or it was never read).
   */
  #span(buffer: XBuffer, index: number, limit = buffer.lines.length): boolean {
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
    this.#rows = rows;
    this.#complete = complete;
    return written;
  }

  /**
   * Reads the line starting at buffer row `index` (up to `limit`): its text into `#text`,
   * its extent into `#rows` and `#complete` (fields rather than a result object: this runs
   * for every line of a recording). Returns its identity.
   */
  #read(buffer: XBuffer, index: number, limit = buffer.lines.length, name = true): number {
    this.#span(buffer, index, limit);
    const rows = this.#rows;
    const head = buffer.lines.get(index)! as _Tagged;
    let id = head[LINE_ID];
    this.#fresh = id === undefined;
    if (id === undefined && name) {
      id = this.#nextId = (this.#nextId + 1) % MAX_ID;
      head[LINE_ID] = id;
    }
    const cols = this.#term.cols;
    if (rows === 1) {
      this.#text = _rowText(head, cols);
      return id ?? 0;
    }
    let text = "";
    for (let i = 0; i < rows; i++) {
      const row = buffer.lines.get(index + i)!;
      let part = _rowText(row, cols, false);
      const next = buffer.lines.get(index + i + 1);
      if (next?.isWrapped && _endsInWideGap(row, next, cols, this.#cell)) part = part.slice(0, -1);
      text += part;
    }
    this.#text = _trimEnd(text);
    return id ?? 0;
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
      this.#read(buffer, index, undefined, false);
      fn(head, this.#text);
      index += this.#rows;
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

const CODEPOINT_MASK = 0x1fffff;
const IS_COMBINED = 0x200000;
const WIDTH_SHIFT = 22;
let codes = new Uint16Array(1024);

/**
 * The text of a row's first `cols` cells, as xterm's `translateToString(false)` reads it
 * (empty cells as spaces, the second cell of a wide character skipped), made in one piece
 * from the cells' code points. translateToString adds a character at a time, making a
 * string object per character; for every line of a long recording that garbage makes the
 * process's heap grow. A row holding a combined character (its text is kept elsewhere) is
 * read with translateToString.
 */
function _rowText(row: XLine, cols: number, trim = true): string {
  const data = row._data;
  const end = Math.min(row.length, cols);
  if (codes.length < end * 2) codes = new Uint16Array(end * 2);
  let n = 0;
  for (let x = 0; x < end;) {
    const content = data[x * 3]!;
    if (content & IS_COMBINED) {
      const text = row.translateToString(false, 0, cols);
      return trim ? _trimEnd(text) : text;
    }
    const cp = content & CODEPOINT_MASK;
    if (cp === 0) codes[n++] = 32;
    else if (cp < 0x10000) codes[n++] = cp;
    else {
      codes[n++] = 0xd800 + ((cp - 0x10000) >> 10);
      codes[n++] = 0xdc00 + ((cp - 0x10000) & 0x3ff);
    }
    x += (content >>> WIDTH_SHIFT) || 1;
  }
  if (trim) { while (n > 0 && codes[n - 1] === 32) n--; }
  return n === 0 ? "" : _decoder.decode(codes.subarray(0, n));
}

const _decoder = new TextDecoder("utf-16le");

function _trimEnd(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 32) end--;
  return end === text.length ? text : text.slice(0, end);
}
