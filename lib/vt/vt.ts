/**
 * A headless virtual terminal for the live hub: it takes a session's output and resizes in
 * order and produces, at any point of that stream, a snapshot (terminal output that
 * rebuilds the screen a viewer must see in a fresh terminal of the same size).
 *
 * @example
 * ```ts
 * import { Vt } from "./vt.ts";
 *
 * using vt = new Vt(80, 24);
 * vt.feed("\x1b[1;31mhello\x1b[0m\r\n$ ");
 * const init = await vt.snapshot(); // the screen, pen, cursor and modes as output
 * ```
 *
 * @module
 */

import type { Terminal } from "@xterm/headless";
import { EscapeTail } from "./_escape_tail.ts";
import { serialize } from "./_serialize.ts";
import { checkScrollback, checkSize } from "./_size.ts";
import { scrolledOffHead } from "./_scrolled_off.ts";
import {
  createTerminal,
  hasPendingOutput,
  internals,
  pendingLength,
  vtTerminals,
  writeSyncOf,
  type XInternals,
} from "./_xterm.ts";
import { readScreen } from "./_read_screen.ts";
import type { Screen } from "./screen.ts";

/** With `skipScrolledOff`, fed text is held until this much (or a read) before xterm gets it. */
const DEFER_LENGTH = 64 * 1024;

/** Options for {@linkcode Vt}. */
export interface VtOptions {
  /**
   * Lines kept above the screen (default 100). They never appear in a snapshot, but they
   * come back into view when the terminal grows taller, as in a real terminal.
   */
  scrollback?: number;
  /**
   * Called when the emulator throws while parsing output (`@xterm/headless` 6 does on a
   * few odd sequences). The rest of that piece of output is lost; the terminal goes on.
   * Default: ignored.
   */
  onError?: (error: unknown) => void;
  /**
   * Parse output in `feed` itself, before it returns, instead of in timer slices: for
   * readers that consume a recording as fast as they can (exports, search, edits), which
   * then read {@linkcode Vt.screen} after each event. Default false.
   */
  sync?: boolean;
  /**
   * Skip drawing the head of a piece of plain output that scrolls off the screen and the
   * scrollback within that same piece (a flood of lines): the state after each `feed` is
   * exactly the same, so snapshots, `screen()` and `text()` are too, but the lines that
   * scrolled through in between are never drawn. For terminals read only between feeds (a
   * live stream's, edits, exports, `play --from`), never for a reader that looks at every
   * line (search, txt). In a `sync` terminal, small pieces (a PTY read each) are held, up
   * to 64 KiB, and handed to the emulator together at the next read of the state, so that a
   * flood fed piece by piece is skipped too. Default false.
   */
  skipScrolledOff?: boolean;
}

/** Options for {@linkcode Vt.snapshot}. */
export interface SnapshotOptions {
  /**
   * Also rebuild the scrollback (the lines above the primary screen, as many as the
   * terminal keeps), for a replaying terminal that may later grow taller or change width:
   * edits need it, late viewers of a live stream do not. Default false.
   */
  scrollback?: boolean;
}

/**
 * A virtual terminal (`@xterm/headless` with Unicode 11 widths) fed with output and
 * resizes, in order, that serializes its state on demand.
 *
 * `feed` and `resize` return at once; the emulator parses asynchronously but strictly in
 * call order. `snapshot()` and `text()` resolve with the state after exactly the calls
 * made before them, whatever is fed while they are pending.
 *
 * @example
 * ```ts
 * using vt = new Vt(20, 5);
 * vt.feed("one\r\ntwo");
 * vt.resize(30, 5);
 * vt.cols; // 30
 * await vt.text(); // "one\ntwo"
 * ```
 */
export class Vt implements Disposable {
  #term: Terminal;
  #cols: number;
  #rows: number;
  #tail = new EscapeTail();
  #decoder = new TextDecoder();
  #decoding = false;
  #waiting = new Set<(error: Error) => void>();
  #disposed = false;
  #writeSync: ((data: string) => void) | undefined;
  #scrollback: number;
  #buffers: XInternals["buffers"] | undefined;
  /** With `skipScrolledOff`: text fed and not handed to xterm yet (any read hands it over). */
  #deferred: string[] = [];
  #deferredLength = 0;

  /**
   * Creates a terminal of `cols` × `rows` cells (xterm works with at least 2 columns; a
   * 1-column size is emulated with 2).
   *
   * @throws {RangeError} if a size is not a positive integer or `scrollback` is negative.
   */
  constructor(cols: number, rows: number, options: VtOptions = {}) {
    checkSize(cols, rows);
    const scrollback = checkScrollback(options.scrollback ?? 100);
    this.#cols = cols;
    this.#rows = rows;
    this.#scrollback = scrollback;
    this.#term = createTerminal(cols, rows, { scrollback, onError: options.onError });
    if (options.skipScrolledOff) this.#buffers = internals(this.#term).buffers;
    if (options.sync) this.#writeSync = writeSyncOf(this.#term);
    vtTerminals.set(this, this.#term);
  }

  /** Columns, as of the last `resize` (or the constructor). */
  get cols(): number {
    return this.#cols;
  }

  /** Rows, as of the last `resize` (or the constructor). */
  get rows(): number {
    return this.#rows;
  }

  /**
   * Characters fed but not parsed yet. The emulator parses in timer slices (about
   * 75 MB/s of coloured text here); output faster than that queues up, and xterm refuses
   * to queue more than 50 MB (`feed` then throws). A caller that can outrun it watches this
   * and starts over with a fresh `Vt` (and fresh viewers) past its own bound.
   */
  get pending(): number {
    return this.#disposed ? 0 : pendingLength(this.#term) + this.#deferredLength;
  }

  /**
   * Feeds terminal output. Bytes are decoded as UTF-8 across calls (a character split
   * between two calls is joined); a string is taken as already decoded.
   *
   * @throws {Error} if the terminal is disposed, or if xterm's queue of unparsed output is
   * full (see {@linkcode Vt.pending}).
   */
  feed(data: string | Uint8Array): void {
    this.#checkOpen();
    let text: string;
    if (typeof data === "string") {
      if (this.#decoding) {
        // Bytes of an unfinished character before a string cannot be completed any more.
        text = this.#decoder.decode() + data;
        this.#decoding = false;
      } else {
        text = data;
      }
    } else {
      text = this.#decoder.decode(data, { stream: true });
      this.#decoding = true;
    }
    if (text.length === 0) return;
    if (this.#buffers === undefined) return this.#write(text);
    // An asynchronous terminal parses in time slices: pieces go as they come (a held one
    // would be parsed in one long slice, delaying everything else).
    if (!this.#writeSync) return this.#write(this.#skipScrolledOff(text));
    // Small pieces (one read of a PTY each) are held and handed over together: only a long
    // piece has lines that scroll off unseen to skip.
    this.#deferred.push(text);
    this.#deferredLength += text.length;
    if (this.#deferredLength >= DEFER_LENGTH) this.#handOver();
  }

  /**
   * Hands the held text to xterm, without the lines that scroll off unseen. Pieces that
   * cannot be skipped go one by one, as fed: output that makes xterm throw loses only the
   * rest of its own piece (what can be skipped is plain text, which never makes it throw).
   */
  #handOver(): void {
    if (this.#deferredLength === 0) return;
    const pieces = this.#deferred;
    this.#deferred = [];
    this.#deferredLength = 0;
    const text = pieces.length === 1 ? pieces[0]! : pieces.join("");
    const skipped = this.#skipScrolledOff(text);
    if (skipped !== text || pieces.length === 1) return this.#write(skipped);
    for (const piece of pieces) this.#write(piece);
  }

  #write(text: string): void {
    this.#tail.scan(text);
    if (this.#writeSync) this.#writeSync(text);
    else this.#term.write(text);
  }

  /**
   * Resizes the terminal after everything fed so far (and before anything fed later).
   *
   * @throws {RangeError} if a size is not a positive integer.
   */
  resize(cols: number, rows: number): void {
    this.#checkOpen();
    checkSize(cols, rows);
    this.#handOver();
    this.#cols = cols;
    this.#rows = rows;
    const term = this.#term;
    if (this.#writeSync) term.resize(cols, rows);
    else term.write("", () => term.resize(cols, rows));
  }

  /**
   * Resolves with terminal output that, written into a fresh terminal of the size
   * `cols` × `rows` has now, reproduces the state after everything fed before this call
   * (and nothing fed after): both screens, colours and attributes, cursor, margins,
   * saved cursors, character sets, modes, and an unfinished escape sequence at the end.
   * Only 7-bit escape sequences are used. With `scrollback`, the lines above the screen
   * are rebuilt too (so a terminal that later grows or reflows shows the same lines).
   *
   * @throws {Error} (rejects) if the terminal is disposed before it resolves.
   */
  snapshot(options: SnapshotOptions = {}): Promise<string> {
    if (!this.#disposed) this.#handOver();
    const tail = this.#tail.pending;
    const scrollback = options.scrollback ?? false;
    return this.#atThisPoint(() => serialize(this.#term, { scrollback }) + tail);
  }

  /**
   * Resolves with the visible text of the active screen after everything fed before this
   * call: one line per row, right-trimmed, without trailing empty lines.
   */
  text(): Promise<string> {
    return this.#atThisPoint(() => {
      const buffer = this.#term.buffer.active;
      const lines: string[] = [];
      for (let y = 0; y < this.#term.rows; y++) {
        const line = buffer.getLine(buffer.baseY + y)?.translateToString(true) ?? "";
        lines.push(line.replace(/ +$/, ""));
      }
      while (lines.length > 0 && lines.at(-1) === "") lines.pop();
      return lines.join("\n");
    });
  }

  /**
   * The visible screen, cell by cell, with the cursor, after everything fed so far. For a
   * `sync` terminal at any time; otherwise once nothing is queued (after awaiting
   * {@linkcode Vt.settled}).
   *
   * @throws {Error} if output fed is not parsed yet, or the terminal is disposed.
   */
  screen(): Screen {
    this.#checkOpen();
    this.#handOver();
    if (hasPendingOutput(this.#term)) {
      throw new Error("Cannot read the screen: output is still being parsed (await settled())");
    }
    return readScreen(this.#term);
  }

  /** Resolves once everything fed before the call has been parsed. */
  settled(): Promise<void> {
    return this.#atThisPoint(() => {});
  }

  /** Resolves once at most `limit` characters fed are still waiting to be parsed. */
  drained(limit: number): Promise<void> {
    return this.pending <= limit ? Promise.resolve() : this.settled();
  }

  /** Releases the emulator; pending `snapshot`/`text` calls reject. Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#deferred = [];
    this.#deferredLength = 0;
    const error = new Error("Cannot finish: the terminal was disposed");
    for (const reject of this.#waiting) reject(error);
    this.#waiting.clear();
    this.#term.dispose();
  }

  /** Same as {@linkcode Vt.dispose}, for `using`. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  #checkOpen(): void {
    if (this.#disposed) throw new Error("Cannot use the terminal: it was disposed");
  }

  /** `text`, or its tail when its head would scroll off unseen (see `_scrolled_off.ts`). */
  #skipScrolledOff(text: string): string {
    // The state must be the one after everything fed so far: parsed, outside a sequence,
    // with the whole screen as its scroll region.
    if (this.#tail.pending !== "" || (!this.#writeSync && hasPendingOutput(this.#term))) {
      return text;
    }
    const active = this.#buffers!.active;
    if (active.scrollTop !== 0 || active.scrollBottom !== this.#term.rows - 1) return text;
    return scrolledOffHead(text, this.#term.rows, this.#scrollback) ?? text;
  }

  /** Runs `read` once the emulator has parsed everything written before this call. */
  #atThisPoint<T>(read: () => T): Promise<T> {
    this.#checkOpen();
    this.#handOver();
    if (!hasPendingOutput(this.#term)) {
      // Nothing queued: the state is current now, no need to wait for a parse slice.
      try {
        return Promise.resolve(read());
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return new Promise<T>((resolve, reject) => {
      this.#waiting.add(reject);
      this.#term.write("", () => {
        if (!this.#waiting.delete(reject)) return;
        try {
          resolve(read());
        } catch (error) {
          reject(error);
        }
      });
    });
  }
}
