/**
 * Private access to the `@xterm/headless` 6.0.0 state that its public API does not expose
 * (scroll margins, saved cursors, character sets, tab stops, the current pen, cursor
 * visibility), plus the one place that creates terminals configured the way `Vt` needs.
 *
 * Reading the emulator's own state, rather than mirroring it from parser hooks, keeps the
 * snapshot exact by construction; the price is a dependency on field names of one pinned
 * version, checked by {@linkcode internals} and by the fidelity tests.
 *
 * @module
 */

import { Terminal } from "@xterm/headless";
import { Unicode11Addon } from "@xterm/addon-unicode11";

/** Cell attribute bits of xterm's `AttributeData` (`common/buffer/Constants.ts`). */
export const Attr = {
  CM_MASK: 0x3000000,
  CM_DEFAULT: 0,
  CM_P16: 0x1000000,
  CM_P256: 0x2000000,
  CM_RGB: 0x3000000,
  RGB_MASK: 0xffffff,
  PCOLOR_MASK: 0xff,
  // fg flags
  INVERSE: 0x4000000,
  BOLD: 0x8000000,
  UNDERLINE: 0x10000000,
  BLINK: 0x20000000,
  INVISIBLE: 0x40000000,
  STRIKETHROUGH: 0x80000000,
  // bg flags
  ITALIC: 0x4000000,
  DIM: 0x8000000,
  HAS_EXTENDED: 0x10000000,
  PROTECTED: 0x20000000,
  OVERLINE: 0x40000000,
  // extended attrs
  UNDERLINE_STYLE_MASK: 0x1c000000,
  UNDERLINE_STYLE_SHIFT: 26,
  // cell content
  HAS_CONTENT_MASK: 0x3fffff,
} as const;

/** xterm's `ExtendedAttrs` (underline style and colour, hyperlink id). */
export interface XExtended {
  _ext: number;
  _urlId: number;
  underlineColor: number;
}

/** xterm's `CellData`, as filled by `loadCell`. */
export interface XCell {
  fg: number;
  bg: number;
  extended: XExtended;
  content: number;
  getChars(): string;
  getWidth(): number;
}

/** xterm's `BufferLine`. */
export interface XLine {
  isWrapped: boolean;
  length: number;
  /** Three numbers per cell: content (code point, combined flag, width), fg, bg. */
  _data: Uint32Array;
  loadCell(x: number, cell: XCell): XCell;
  translateToString(trimRight?: boolean, start?: number, end?: number): string;
}

/** xterm's `Buffer` (one of the normal and alternate screens). */
export interface XBuffer {
  lines: { get(index: number): XLine | undefined; length: number };
  ybase: number;
  x: number;
  y: number;
  scrollTop: number;
  scrollBottom: number;
  tabs: Record<number, boolean | undefined>;
  savedX: number;
  savedY: number;
  savedCurAttrData: { fg: number; bg: number };
  savedCharset: object | undefined;
}

/** xterm's pen (`AttributeData`). */
export interface XAttr {
  fg: number;
  bg: number;
  extended: XExtended;
}

/** The internal state of one terminal that the serializer and comparator read. */
export interface XInternals {
  buffers: { normal: XBuffer; alt: XBuffer; active: XBuffer };
  coreService: {
    isCursorHidden: boolean;
    modes: { insertMode: boolean };
    decPrivateModes: {
      applicationCursorKeys: boolean;
      applicationKeypad: boolean;
      bracketedPasteMode: boolean;
      origin: boolean;
      reverseWraparound: boolean;
      sendFocus: boolean;
      wraparound: boolean;
      cursorStyle: "block" | "underline" | "bar" | undefined;
      cursorBlink: boolean | undefined;
    };
  };
  coreMouseService: { activeProtocol: string; activeEncoding: string };
  charsetService: {
    charset: object | undefined;
    glevel: number;
    _charsets: (object | undefined)[];
  };
  pen: XAttr;
  parser: { precedingJoinState: number };
  convertEol: boolean;
  newCell(): XCell;
}

interface RawCore {
  buffers: XInternals["buffers"];
  coreService: XInternals["coreService"];
  coreMouseService: XInternals["coreMouseService"];
  _charsetService: XInternals["charsetService"];
  _inputHandler: { _curAttrData: XAttr; _parser: XInternals["parser"] };
  optionsService: { rawOptions: { convertEol: boolean } };
}

/**
 * Returns live views of a terminal's internal state. The objects are the terminal's own:
 * read them inside a write callback to see the state at that point of the stream.
 */
export function internals(term: Terminal): XInternals {
  const core = (term as unknown as { _core?: RawCore })._core;
  const handler = core?._inputHandler;
  if (
    core === undefined || handler === undefined || core.buffers?.normal === undefined ||
    core._charsetService === undefined || handler._curAttrData === undefined
  ) {
    throw new TypeError("Cannot read the terminal state: unsupported @xterm/headless version");
  }
  return {
    buffers: core.buffers,
    coreService: core.coreService,
    coreMouseService: core.coreMouseService,
    charsetService: core._charsetService,
    // The pen object is replaced on some resets, so read it through a getter.
    get pen() {
      return handler._curAttrData;
    },
    parser: handler._parser,
    get convertEol() {
      return core.optionsService.rawOptions.convertEol;
    },
    newCell: () => term.buffer.normal.getNullCell() as unknown as XCell,
  };
}

/**
 * The terminal inside each `Vt`, for the modules of this folder that read more of it than
 * `Vt` shows (the line tracker).
 */
export const vtTerminals: WeakMap<object, Terminal> = new WeakMap();

/**
 * True while output written to the terminal waits in its write queue (xterm parses in
 * timer slices); false when its state reflects everything written.
 */
export function hasPendingOutput(term: Terminal): boolean {
  const queue = writeQueue(term);
  return queue._writeBuffer.length > queue._bufferOffset;
}

/** Characters written to the terminal and not parsed yet. */
export function pendingLength(term: Terminal): number {
  return writeQueue(term)._pendingData;
}

function writeQueue(term: Terminal) {
  return (term as unknown as {
    _core: {
      _writeBuffer: { _writeBuffer: unknown[]; _bufferOffset: number; _pendingData: number };
    };
  })._core._writeBuffer;
}

/**
 * The terminal's synchronous write: parses `data` completely before returning, so the
 * terminal state reflects it at once (the terminal must not also be written to with the
 * queued `write`).
 */
export function writeSyncOf(term: Terminal): (data: string) => void {
  const core = (term as unknown as { _core: { writeSync?(data: string): void } })._core;
  if (typeof core.writeSync !== "function") {
    throw new TypeError("Cannot parse synchronously: unsupported @xterm/headless version");
  }
  return (data) => core.writeSync!(data);
}

/** Options for {@linkcode createTerminal}. */
export interface CreateTerminalOptions {
  /** Lines kept above the screen (default 0). */
  scrollback?: number;
  /** Called with an exception the emulator threw while parsing output (default: ignored). */
  onError?: (error: unknown) => void;
  /** Erase-display pushes the screen into the scrollback first (default false). */
  scrollOnEraseInDisplay?: boolean;
}

/**
 * Creates a headless terminal configured like `Vt`'s: Unicode 11 character widths (so
 * emoji are wide, as in the asciinema player and current hosts), no logging. Tests create
 * the terminal that replays a snapshot with this too, so both measure widths alike.
 */
export function createTerminal(
  cols: number,
  rows: number,
  options: CreateTerminalOptions = {},
): Terminal {
  const term = new Terminal({
    cols,
    rows,
    scrollback: options.scrollback ?? 0,
    allowProposedApi: true,
    logLevel: "off",
    scrollOnEraseInDisplay: options.scrollOnEraseInDisplay ?? false,
  });
  term.loadAddon(new Unicode11Addon());
  term.unicode.activeVersion = "11";
  // xterm 6 throws on some odd input (e.g. ED after certain buffer switches and resets),
  // from inside a timer, where nothing could catch it and the whole process would die.
  // Contain it: the rest of that chunk is lost, parsing goes on with the next one. (The
  // escape tail of `Vt` may then claim an unfinished sequence xterm no longer has.)
  const handler = (term as unknown as { _core: { _inputHandler: ParseHost } })._core
    ._inputHandler;
  const parse = handler.parse.bind(handler);
  const onError = options.onError;
  handler.parse = (data, promiseResult) => {
    try {
      return parse(data, promiseResult);
    } catch (error) {
      // The parser may be left mid-sequence by the throw: start clean, as after a CAN.
      handler._parser.reset();
      onError?.(error);
    }
  };
  clampCounts(term, handler);
  return term;
}

/**
 * Sequences whose count xterm 6 loops over (or allocates for) without bounding it by the
 * screen: `ESC[999999999S` would scroll a billion times, `ESC[999999999b` allocate gigabytes.
 * No count larger than the screen changes what it shows, so each is cut to the bound named.
 */
const COUNTED: readonly [final: string, intermediates: string, method: string, bound: Bound][] = [
  ["S", "", "scrollUp", "rows"],
  ["T", "", "scrollDown", "rows"],
  ["L", "", "insertLines", "rows"],
  ["M", "", "deleteLines", "rows"],
  ["@", "", "insertChars", "cols"],
  ["P", "", "deleteChars", "cols"],
  ["X", "", "eraseChars", "cols"],
  ["I", "", "cursorForwardTab", "cols"],
  ["Z", "", "cursorBackwardTab", "cols"],
  ["@", " ", "scrollLeft", "cols"],
  ["A", " ", "scrollRight", "cols"],
  ["}", "'", "insertColumns", "cols"],
  ["~", "'", "deleteColumns", "cols"],
  ["b", "", "repeatPrecedingCharacter", "cells"],
];

type Bound = "rows" | "cols" | "cells";

/**
 * Registers a handler in front of each of {@linkcode COUNTED}: a count within the bound
 * falls through to xterm's own handler (the common case costs one comparison); a larger
 * one calls that handler with the bound instead.
 */
function clampCounts(term: Terminal, handler: object): void {
  const methods = handler as Record<string, (params: unknown) => boolean>;
  for (const [final, intermediates, method, bound] of COUNTED) {
    const run = methods[method];
    if (typeof run !== "function") {
      throw new TypeError(`Cannot bound ${method}: unsupported @xterm/headless version`);
    }
    term.parser.registerCsiHandler({ final, intermediates }, (params: (number | number[])[]) => {
      const count = params[0];
      if (typeof count !== "number") return false;
      const limit = bound === "rows"
        ? term.rows
        : bound === "cols"
        ? term.cols
        : term.rows * term.cols;
      if (count <= limit) return false;
      return run.call(handler, { params: Int32Array.of(limit), length: 1 });
    });
  }
}

interface ParseHost {
  parse(data: string | Uint8Array, promiseResult?: boolean): void | Promise<boolean>;
  _parser: { reset(): void };
}

let designators: Map<object, string> | undefined;

/**
 * Maps xterm's character set objects back to the final byte that designates them
 * (`ESC ( 0` → DEC line drawing). Built once, on first use, from a scratch terminal,
 * so it follows the emulator's own table.
 */
export function charsetDesignator(charset: object): string | undefined {
  if (designators === undefined) {
    designators = new Map();
    const probe = new Terminal({ cols: 2, rows: 1, logLevel: "off" });
    try {
      const core = (probe as unknown as { _core: RawCore })._core;
      const handler = core._inputHandler as unknown as { selectCharset(s: string): void };
      // Every final byte xterm 6 knows, in its table's order; aliases map to the first.
      for (const final of "0AB4C5RQKYE6ZH7=") {
        handler.selectCharset("(" + final);
        const object = core._charsetService.charset;
        if (object !== undefined && !designators.has(object)) designators.set(object, final);
      }
    } finally {
      probe.dispose();
    }
  }
  return designators.get(charset);
}
