/**
 * Serializes the state of an `@xterm/headless` terminal into terminal output that,
 * written into a fresh terminal of the same size, reproduces it: both screens with every
 * cell's text and attributes, soft wraps, tab stops, saved cursors, scroll margins,
 * origin mode, cursor position, pending wrap, pen, cursor visibility, character sets and
 * the modes that change how later output prints. The order follows avt's `dump` (the
 * asciinema player's terminal), so the result means the same to the player.
 *
 * Only 7-bit sequences are emitted.
 *
 * On request the lines above the primary screen (the scrollback) are rebuilt first, for a
 * terminal that may later grow taller or narrower than it is now (which brings those lines
 * back into view, or reflows them).
 *
 * Not reproduced (checked by the random-stream test in `vt_test.ts`, which lists them):
 * - scrollback (unless asked for), hyperlink ids (OSC 8), the protected attribute (DECSCA),
 *   window title;
 * - an empty cell with attributes beyond a background colour that no sequence leaves
 *   empty (xterm makes them when a wide character is cut); it becomes a space with those
 *   attributes, which looks the same;
 * - a wide character in the last two columns whose second half xterm made a plain empty
 *   cell (printing with auto-wrap off does); it is whole again;
 * - the parser's pending join of a combining mark onto the last character, when insert
 *   mode is on or the active character set would translate that character;
 * - an active character set that a cursor restore left different from its G-set and from
 *   both screens' saved cursors (or from the primary screen's while the alternate one is
 *   active);
 * - xterm quirks after resizes: text kept beyond the right edge, a wide character in the
 *   last column, the alternate screen's saved row offset.
 *
 * @module
 */

import type { Terminal } from "@xterm/headless";
import {
  Attr,
  charsetDesignator,
  internals,
  type XAttr,
  type XBuffer,
  type XCell,
  type XInternals,
  type XLine,
} from "./_xterm.ts";

const CSI = "\x1b[";

/** bg bits that describe how a cell looks (colour, italic, dim, overline). */
const BG_LOOK = Attr.CM_MASK | Attr.RGB_MASK | Attr.ITALIC | Attr.DIM | Attr.OVERLINE;
/** bg bits an erased cell carries (xterm's erase attribute keeps only the colour). */
const BG_COLOR = Attr.CM_MASK | Attr.RGB_MASK;

/** A cell's look, normalised so equal looks compare equal field by field. */
export interface Look {
  fg: number;
  bg: number;
  ulStyle: number;
  ulColor: number;
}

/** The raw underline style bits (not the dashed style xterm reports for hyperlinks). */
function rawUnderlineStyle(fg: number, ext: { _ext: number }): number {
  if (!(fg & Attr.UNDERLINE)) return 0;
  return ((ext._ext & Attr.UNDERLINE_STYLE_MASK) >>> Attr.UNDERLINE_STYLE_SHIFT) || 1;
}

/**
 * Clears the colour bits a colour mode does not use: xterm keeps stale bits there (`SGR 31`
 * after a true colour leaves the old green and red bytes), which mean nothing.
 */
export function normColor(v: number): number {
  const mode = v & Attr.CM_MASK;
  const rest = v & ~(Attr.CM_MASK | Attr.RGB_MASK);
  const color = mode === Attr.CM_RGB
    ? v & Attr.RGB_MASK
    : mode === Attr.CM_DEFAULT
    ? 0
    : v & Attr.PCOLOR_MASK;
  return (rest | mode | color) >>> 0;
}

/** Reads the look of a loaded cell (extended attributes only count where present). */
export function cellLook(cell: XCell, into: Look): Look {
  const fg = normColor(cell.fg);
  const bg = cell.bg >>> 0;
  into.fg = fg;
  into.bg = normColor(bg & BG_LOOK);
  if (bg & Attr.HAS_EXTENDED) {
    into.ulStyle = rawUnderlineStyle(fg, cell.extended);
    into.ulColor = into.ulStyle ? normColor(cell.extended.underlineColor) : 0;
  } else {
    into.ulStyle = fg & Attr.UNDERLINE ? 1 : 0;
    into.ulColor = 0;
  }
  return into;
}

/** Reads the look of the pen (whose extended attributes are always its own). */
export function penLook(pen: XAttr): Look {
  const fg = normColor(pen.fg);
  return {
    fg,
    bg: normColor(pen.bg & BG_LOOK),
    ulStyle: rawUnderlineStyle(fg, pen.extended),
    ulColor: normColor(pen.extended.underlineColor),
  };
}

function sameLook(a: Look, b: Look): boolean {
  return a.fg === b.fg && a.bg === b.bg && a.ulStyle === b.ulStyle && a.ulColor === b.ulColor;
}

function colorParams(v: number, base: number, bright: number, extended: number): string {
  switch (v & Attr.CM_MASK) {
    case Attr.CM_P16: {
      const c = v & Attr.PCOLOR_MASK;
      return c < 8 ? `;${base + c}` : `;${bright + c - 8}`;
    }
    case Attr.CM_P256:
      return `;${extended};5;${v & Attr.PCOLOR_MASK}`;
    case Attr.CM_RGB:
      return `;${extended};2;${(v >>> 16) & 0xff};${(v >>> 8) & 0xff};${v & 0xff}`;
    default:
      return "";
  }
}

/**
 * SGR for a look, from a full reset. 256 and true colours use `;` separators (understood
 * by every terminal, including avt); underline style and colour use `:` sub-parameters,
 * which avt skips as a whole instead of misreading them.
 */
export function sgr(look: Look): string {
  const { fg, bg, ulStyle, ulColor } = look;
  let s = CSI + "0";
  if (fg & Attr.BOLD) s += ";1";
  if (bg & Attr.DIM) s += ";2";
  if (bg & Attr.ITALIC) s += ";3";
  if (ulStyle) s += ulStyle === 1 ? ";4" : `;4;4:${ulStyle}`;
  if (fg & Attr.BLINK) s += ";5";
  if (fg & Attr.INVERSE) s += ";7";
  if (fg & Attr.INVISIBLE) s += ";8";
  if (fg & Attr.STRIKETHROUGH) s += ";9";
  if (bg & Attr.OVERLINE) s += ";53";
  s += colorParams(fg, 30, 90, 38);
  s += colorParams(bg, 40, 100, 48);
  switch (ulColor & Attr.CM_MASK) {
    case Attr.CM_P16:
    case Attr.CM_P256:
      s += `;58:5:${ulColor & Attr.PCOLOR_MASK}`;
      break;
    case Attr.CM_RGB:
      s += `;58:2::${(ulColor >>> 16) & 0xff}:${(ulColor >>> 8) & 0xff}:${ulColor & 0xff}`;
      break;
  }
  return s + "m";
}

function defaultLook(): Look {
  return { fg: 0, bg: 0, ulStyle: 0, ulColor: 0 };
}

/** A run of cells printed as spaces only to force a soft wrap; erased again at the end. */
interface Fixup {
  row: number;
  col: number;
  count: number;
  bg: number;
}

/** Output being built, and the pen the replaying terminal will have at its end. */
class Out {
  s = "";
  pen: Look = defaultLook();
  /** Finished pieces: joining them once is cheaper than one long chain of concatenations. */
  #parts: string[] = [];

  /** Sets aside what was written so far. */
  flush(): void {
    this.#parts.push(this.s);
    this.s = "";
  }

  /** Everything written. */
  text(): string {
    this.flush();
    return this.#parts.join("");
  }

  setPen(look: Look): void {
    if (sameLook(look, this.pen)) return;
    this.s += sgr(look);
    const pen = this.pen;
    pen.fg = look.fg;
    pen.bg = look.bg;
    pen.ulStyle = look.ulStyle;
    pen.ulColor = look.ulColor;
  }

  /** Makes the pen's background `bg` (all an erase uses), resetting the rest if needed. */
  setEraseBg(bg: number): void {
    if ((this.pen.bg & BG_COLOR) >>> 0 === bg) return;
    this.setPen({ fg: 0, bg, ulStyle: 0, ulColor: 0 });
  }

  resetPen(): void {
    this.setPen(defaultLook());
  }
}

const enum Kind {
  /** Second half of a wide character: written by the character itself. */
  Placeholder,
  /** Has text. */
  Content,
  /** Empty with default attributes, as in a fresh terminal. */
  Blank,
  /** Empty with only a background colour: what erasing leaves. */
  Erased,
  /** Empty with other attributes (left by wide-character wraps or insert mode). */
  OddBlank,
}

function kindOf(cell: XCell): Kind {
  const content = (cell.content & Attr.HAS_CONTENT_MASK) !== 0;
  if (cell.getWidth() === 0 && !content) return Kind.Placeholder;
  if (content) return Kind.Content;
  const fg = normColor(cell.fg);
  const bg = normColor(cell.bg & BG_LOOK);
  if (fg !== 0 || (bg & ~BG_COLOR) !== 0) return Kind.OddBlank;
  return bg === 0 ? Kind.Blank : Kind.Erased;
}

/** Any wide character; printed and overwritten to recreate xterm's half-overwrite blanks. */
const WIDE = "\u4e00";

/** Loads cell `x` into `cell` and tells whether it has text in the given look. */
function hasLook(line: XLine, x: number, cell: XCell, look: Look): boolean {
  line.loadCell(x, cell);
  return kindOf(cell) === Kind.Content && sameLook(cellLook(cell, defaultLook()), look);
}

/**
 * Writes one screen's visible rows, starting with the cursor at the top left. `rows` rows
 * are written (from `buf.ybase` on) into a terminal of `termRows` rows.
 */
function dumpScreen(
  out: Out,
  buf: XBuffer,
  cols: number,
  rows: number,
  cell: XCell,
  spare: XCell,
  termRows = rows,
): void {
  const look = defaultLook();
  const fixups: Fixup[] = [];
  let newlines = 0;
  // A top row that continues a line above the screen gets its wrap flag from a wrap: print
  // that line (or blanks, if it is gone) in a two-row region, wrap into the second row,
  // scroll the region up by one, and reset the margins (which homes the cursor).
  if (buf.lines.get(buf.ybase)?.isWrapped === true) {
    const above = buf.ybase > 0 ? buf.lines.get(buf.ybase - 1) : undefined;
    // With one row the screen itself is that region.
    if (termRows >= 2) out.s += CSI + "1;2r";
    for (let x = 0; x < cols; x++) {
      const kind = above === undefined ? Kind.Blank : kindOf(above.loadCell(x, cell));
      if (kind === Kind.Placeholder) continue;
      out.setPen(above === undefined ? defaultLook() : cellLook(cell, look));
      out.s += kind === Kind.Content ? cell.getChars() : " ";
    }
    if (termRows >= 2) {
      const first = buf.lines.get(buf.ybase)!.loadCell(0, cell);
      const kind = kindOf(first);
      out.setPen(cellLook(first, look));
      out.s += kind === Kind.Content ? first.getChars() : " ";
      if (kind === Kind.Blank || kind === Kind.Erased) {
        fixups.push({ row: 0, col: 0, count: 1, bg: normColor(first.bg & BG_COLOR) });
      }
      // The line scrolled in takes the pen's background: make it the default.
      out.resetPen();
      out.s += CSI + "S" + CSI + "r";
    } else {
      // Wrapping scrolls the line in, with the pen's background: make it the default.
      out.resetPen();
      out.s += " \r";
      const first = buf.lines.get(buf.ybase)!.loadCell(0, cell);
      const kind = kindOf(first);
      if (kind === Kind.Blank || kind === Kind.Erased) {
        fixups.push({ row: 0, col: 0, count: 1, bg: normColor(first.bg & BG_COLOR) });
      }
    }
  }
  for (let row = 0; row < rows; row++) {
    const line = buf.lines.get(buf.ybase + row);
    if (line === undefined) break;
    const next = row + 1 < rows ? buf.lines.get(buf.ybase + row + 1) : undefined;
    const wrapsIntoNext = next?.isWrapped === true;
    // Arrived here by a soft wrap: the first cell must be printed to make it.
    let mustPrint = row > 0 && line.isWrapped;
    // To wrap into the next row, print through the last column.
    let fillFrom = cols;
    let leaveLastForWide = false;
    if (wrapsIntoNext) {
      fillFrom = 0;
      for (let x = cols - 1; x >= 0; x--) {
        const k = kindOf(line.loadCell(x, cell));
        if (k === Kind.Content || k === Kind.Placeholder) {
          fillFrom = x + 1;
          break;
        }
      }
      // A wide character that did not fit leaves the last cell empty with its pen; printing
      // it at the last column recreates exactly that.
      if (fillFrom <= cols - 1) {
        const last = cellLook(line.loadCell(cols - 1, cell), defaultLook());
        const first = next!.loadCell(0, cell);
        if (first.getWidth() === 2 && kindOf(first) === Kind.Content) {
          leaveLastForWide = sameLook(last, cellLook(first, look));
        }
      }
    }
    let skip = 0;
    // Column of the narrow character printed just before, if the last thing was one.
    let narrowAt = -1;
    let wideSeen = false;
    let wideAt = -1;
    const startRow = (): void => {
      if (newlines > 0) {
        out.s += "\r\n".repeat(newlines);
        newlines = 0;
      }
    };
    const flushSkip = (): void => {
      startRow();
      if (skip > 0) {
        out.s += skip === 1 ? CSI + "C" : `${CSI}${skip}C`;
        skip = 0;
      }
    };
    for (let x = 0; x < cols; x++) {
      line.loadCell(x, cell);
      const kind = kindOf(cell);
      if (kind === Kind.Placeholder) continue;
      if (kind === Kind.Content) {
        flushSkip();
        cellLook(cell, look);
        const chars = cell.getChars();
        const width = cell.getWidth();
        if (width === 0) {
          // A lone zero-width character: re-send the pen so it does not join the one before.
          out.s += sgr(out.pen);
        }
        out.setPen(look);
        if (x === cols - 1 && wideAt === x - 1) {
          // Over the second half of a wide character in the last column, as auto-wrap off
          // leaves it: print it the same way (the cursor is past the line by now).
          out.s += `${CSI}?7l${chars}${CSI}?7h`;
        } else {
          out.s += chars;
        }
        mustPrint = false;
        narrowAt = width === 1 ? x : -1;
        if (width === 2) {
          wideSeen = true;
          wideAt = x;
        }
        continue;
      }
      const before = narrowAt === x - 1 ? x - 1 : -1;
      narrowAt = -1;
      if (x >= fillFrom || mustPrint) {
        if (leaveLastForWide && x === cols - 1) {
          skip++;
          flushSkip();
          continue;
        }
        // Print a space to carry the cursor to the wrap; erase it again afterwards.
        flushSkip();
        out.setPen(cellLook(cell, look));
        out.s += " ";
        if (kind !== Kind.OddBlank) {
          fixups.push({ row, col: x, count: 1, bg: normColor(cell.bg & BG_COLOR) });
        }
        mustPrint = false;
        continue;
      }
      if (kind === Kind.Blank) {
        skip++;
        continue;
      }
      if (kind === Kind.Erased) {
        const bg = normColor(cell.bg & BG_COLOR);
        let n = 1;
        while (x + n < Math.min(cols, fillFrom)) {
          const c = line.loadCell(x + n, cell);
          if (kindOf(c) !== Kind.Erased || normColor(c.bg & BG_COLOR) !== bg) break;
          n++;
        }
        flushSkip();
        out.setEraseBg(bg);
        out.s += n === 1 ? CSI + "X" : `${CSI}${n}X`;
        skip += n;
        x += n - 1;
        continue;
      }
      // OddBlank: xterm leaves one where a character overwrote half of a wide one, with
      // that character's pen. Where that is what happened, redo it, with absolute
      // columns so the asciinema player (one column per character) ends up as it showed
      // it live; otherwise print a space, which looks the same.
      flushSkip();
      cellLook(cell, look);
      out.setPen(look);
      if (!wideSeen && before >= 0 && hasLook(line, before, spare, look)) {
        // The character before overwrote the first half.
        out.s += `${CSI}${x}G${WIDE}${CSI}${x}G${spare.getChars()}`;
        skip++;
      } else if (!wideSeen && x + 1 < cols && hasLook(line, x + 1, spare, look)) {
        // The character after overwrote the second half: it is printed next.
        out.s += `${WIDE}${CSI}${x + 2}G`;
      } else {
        out.s += " ";
      }
    }
    if (!wrapsIntoNext) newlines++;
    out.flush();
  }
  for (const f of mergeFixups(fixups)) {
    out.s += `${CSI}${f.row + 1};${f.col + 1}H`;
    out.setEraseBg(f.bg);
    out.s += f.count === 1 ? CSI + "X" : `${CSI}${f.count}X`;
  }
}

function mergeFixups(fixups: Fixup[]): Fixup[] {
  const merged: Fixup[] = [];
  for (const f of fixups) {
    const last = merged.at(-1);
    if (last && last.row === f.row && last.col + last.count === f.col && last.bg === f.bg) {
      last.count++;
    } else {
      merged.push({ ...f });
    }
  }
  return merged;
}

/** Sets the tab stops of the active screen if they are not every 8 columns. */
function dumpTabs(out: Out, buf: XBuffer, cols: number): void {
  let differs = false;
  for (let x = 0; x < cols && !differs; x++) differs = (buf.tabs[x] === true) !== (x % 8 === 0);
  if (!differs) return;
  out.s += CSI + "3g";
  for (let x = 0; x < cols; x++) {
    if (buf.tabs[x] === true) out.s += `${CSI}${x + 1}G\x1bH`;
  }
}

/** Sets the active screen's saved cursor (DECSC), if it is not the initial one. */
function dumpSavedCursor(
  out: Out,
  buf: XBuffer,
  cols: number,
  rows: number,
  cell: XCell,
  at: { row?: number; force?: boolean } = {},
): void {
  const x = Math.min(buf.savedX, cols - 1);
  const y = at.row ?? Math.min(Math.max(buf.savedY - buf.ybase, 0), rows - 1);
  const fg = normColor(buf.savedCurAttrData.fg);
  const bg = normColor(buf.savedCurAttrData.bg & BG_LOOK);
  const charset = buf.savedCharset;
  const initial = x === 0 && y === 0 && fg === 0 && bg === 0 && charset === undefined;
  if (initial && at.row === undefined && !at.force) return;
  out.s += `${CSI}${y + 1};${x + 1}H`;
  let eraseAfter: number | undefined;
  if (buf.savedX >= cols) {
    // Saved with a wrap pending (just after the last column): re-print the last character
    // to get there, where the row ends with one.
    const line = buf.lines.get(at.row === undefined ? buf.ybase + y : buf.savedY);
    let from = cols - 1;
    if (from > 0 && line !== undefined && kindOf(line.loadCell(from, cell)) === Kind.Placeholder) {
      from--;
    }
    const kind = line === undefined ? Kind.Blank : kindOf(line.loadCell(from, cell));
    if (kind === Kind.Content && from + cell.getWidth() === cols) {
      if (from < cols - 1) out.s += `${CSI}${y + 1};${from + 1}H`;
      out.setPen(cellLook(cell, defaultLook()));
      out.s += cell.getChars();
    } else if (kind !== Kind.Placeholder && kind !== Kind.Content) {
      // No character there: print a space, and erase it once the cursor is saved.
      out.setPen(cellLook(cell, defaultLook()));
      out.s += " ";
      if (kind !== Kind.OddBlank) eraseAfter = normColor(cell.bg & BG_COLOR);
    }
  }
  out.setPen({ fg, bg, ulStyle: fg & Attr.UNDERLINE ? 1 : 0, ulColor: 0 });
  const designator = charset === undefined ? undefined : charsetDesignator(charset);
  const designate = designator !== undefined && designator !== "B";
  if (designate) out.s += "\x1b(" + designator;
  out.s += "\x1b7";
  if (designate) out.s += "\x1b(B";
  if (eraseAfter !== undefined) {
    out.s += `${CSI}${y + 1};${cols}H`;
    out.setEraseBg(eraseAfter);
    out.s += CSI + "X";
  }
}

function isDefaultRegion(buf: XBuffer, rows: number): boolean {
  return buf.scrollTop === 0 && buf.scrollBottom === rows - 1;
}

function dumpCharsets(out: Out, state: XInternals): void {
  const cs = state.charsetService;
  for (let g = 0; g < 4; g++) {
    const charset = cs._charsets[g];
    if (charset === undefined) continue;
    const designator = charsetDesignator(charset);
    if (designator !== undefined && designator !== "B") out.s += "\x1b" + "()*+"[g] + designator;
  }
  if (cs.glevel === 1) out.s += "\x0e";
  else if (cs.glevel === 2) out.s += "\x1bn";
  else if (cs.glevel === 3) out.s += "\x1bo";
}

function dumpModes(out: Out, state: XInternals): void {
  const m = state.coreService.decPrivateModes;
  if (state.coreService.modes.insertMode) out.s += CSI + "4h";
  if (!m.wraparound) out.s += CSI + "?7l";
  if (state.convertEol) out.s += CSI + "20h";
  if (m.applicationCursorKeys) out.s += CSI + "?1h";
  if (m.applicationKeypad) out.s += "\x1b=";
  if (m.bracketedPasteMode) out.s += CSI + "?2004h";
  if (m.reverseWraparound) out.s += CSI + "?45h";
  if (m.sendFocus) out.s += CSI + "?1004h";
  const mouse = state.coreMouseService;
  const protocol = ({ X10: 9, VT200: 1000, DRAG: 1002, ANY: 1003 } as Record<string, number>)[
    mouse.activeProtocol
  ];
  if (protocol !== undefined) out.s += `${CSI}?${protocol}h`;
  if (mouse.activeEncoding === "SGR") out.s += CSI + "?1006h";
  else if (mouse.activeEncoding === "SGR_PIXELS") out.s += CSI + "?1016h";
  if (m.cursorStyle !== undefined) {
    const base = m.cursorStyle === "block" ? 1 : m.cursorStyle === "underline" ? 3 : 5;
    out.s += `${CSI}${m.cursorBlink === false ? base + 1 : base} q`;
  }
}

/** The background colour of a row that is entirely erased to one colour, if it is. */
function uniformErased(line: XLine, cols: number, cell: XCell): number | undefined {
  let bg: number | undefined;
  for (let x = 0; x < cols; x++) {
    line.loadCell(x, cell);
    const kind = kindOf(cell);
    if (kind !== Kind.Blank && kind !== Kind.Erased) return undefined;
    const cellBg = normColor(cell.bg & BG_COLOR);
    if (bg !== undefined && cellBg !== bg) return undefined;
    bg = cellBg;
  }
  return bg;
}

/**
 * Re-prints the cell at `col` of the cursor row, leaving the cursor just after it. With a
 * wide character before it, the row's characters up to it are re-printed from the left
 * edge instead: in xterm that rewrites them unchanged, and a terminal that gives every
 * character one column (avt, in the asciinema player) ends at its own matching place
 * rather than printing a stray copy at xterm's column.
 */
function reprint(
  out: Out,
  line: XLine,
  row: number,
  col: number,
  wideBefore: boolean,
  cell: XCell,
  cup: (row: number, col: number) => string,
  cols: number,
): void {
  const look = defaultLook();
  out.s += cup(row, wideBefore ? 0 : col);
  let skip = 0;
  let wideAt = -1;
  for (let x = wideBefore ? 0 : col; x <= col; x++) {
    line.loadCell(x, cell);
    const kind = kindOf(cell);
    if (kind === Kind.Placeholder) continue;
    if (kind !== Kind.Content && x < col) {
      skip++;
      continue;
    }
    if (skip > 0) {
      out.s += `${CSI}${skip}C`;
      skip = 0;
    }
    const width = cell.getWidth();
    if (width === 0) out.s += sgr(out.pen);
    out.setPen(cellLook(cell, look));
    const chars = cell.getChars() || " ";
    // Over the second half of a wide character in the last column (see dumpScreen).
    out.s += x === cols - 1 && wideAt === x - 1 ? `${CSI}?7l${chars}${CSI}?7h` : chars;
    if (width === 2) wideAt = x;
  }
}

/**
 * Rebuilds the primary screen's scrollback: the lines above the screen, oldest first, a
 * screenful at a time, each screenful printed at the top and then pushed up by line feeds
 * from the bottom row. Where the next line continues the last one printed (a soft wrap),
 * the next line is printed too, below, so the wrap into it is made as in the original
 * (an empty cell left at the end by a wide character that did not fit is made by printing
 * that character again); it is pushed to the top and erased, and printed again in turn.
 * Leaves a blank screen, the cursor home and the pen reset, as in a fresh terminal.
 */
function dumpScrollback(
  out: Out,
  buf: XBuffer,
  cols: number,
  rows: number,
  cell: XCell,
  spare: XCell,
): void {
  const total = buf.ybase;
  // Line `i` continues the one above it (line `total` is the screen's top row).
  const continues = (i: number) => buf.lines.get(i)?.isWrapped === true;
  for (let start = 0; start < total;) {
    let count = Math.min(rows, total - start);
    let lookahead = false;
    if (rows >= 2 && continues(start + count)) {
      if (count === rows) count--;
      lookahead = continues(start + count);
    }
    // The same buffer, seen as if the screen started `start` lines down.
    const view = { lines: buf.lines, ybase: start } as XBuffer;
    dumpScreen(out, view, cols, count + (lookahead ? 1 : 0), cell, spare, rows);
    // A cursor saved on a line now above the screen is saved there, so that it stays
    // with that line (it comes back into view if the terminal grows).
    if (buf.savedY >= start && buf.savedY < start + count) {
      dumpSavedCursor(out, buf, cols, rows, cell, { row: buf.savedY - start });
    }
    // New lines take the pen's background: make it the default.
    out.resetPen();
    out.s += `${CSI}${rows};1H${"\n".repeat(count)}${CSI}H`;
    if (lookahead) out.s += CSI + "2K";
    out.flush();
    start += count;
  }
}

/** Options for {@linkcode serialize}. */
export interface SerializeOptions {
  /** Also rebuild the lines above the primary screen (default false). */
  scrollback?: boolean;
}

/**
 * Returns terminal output that reproduces the terminal's current state when written into
 * a fresh terminal of the same size. Call it where the terminal is not parsing (inside a
 * write callback) so the state is that of a point in the stream.
 */
export function serialize(term: Terminal, options: SerializeOptions = {}): string {
  const state = internals(term);
  const cols = term.cols;
  const rows = term.rows;
  const { normal, alt, active } = state.buffers;
  const altActive = active === alt;
  const cell = state.newCell();
  const spare = state.newCell();
  const out = new Out();

  // 0. The scrollback, when asked for.
  if (options.scrollback) dumpScrollback(out, normal, cols, rows, cell, spare);

  // 1-3. The primary screen, its tab stops, margins (when not active) and saved cursor.
  dumpScreen(out, normal, cols, rows, cell, spare);
  dumpTabs(out, normal, cols);
  const primaryRegion = altActive && !isDefaultRegion(normal, rows);
  if (primaryRegion) out.s += `${CSI}${normal.scrollTop + 1};${normal.scrollBottom + 1}r`;
  // With the scrollback rebuilt, a saved cursor is saved where it is, even at the top left:
  // a fresh terminal's is above all those lines.
  const rebuilt = options.scrollback === true && normal.ybase > 0;
  if (!(rebuilt && normal.savedY < normal.ybase)) {
    dumpSavedCursor(out, normal, cols, rows, cell, { force: rebuilt });
  }
  // 4. No attribute may leak into the alternate screen.
  out.resetPen();
  // 5. The alternate screen (1047 switches without touching the saved cursor).
  if (altActive) {
    // The primary screen keeps its own cursor under the alternate one; a resize meanwhile
    // decides by it which of its lines to keep.
    out.s += `${CSI}${normal.y + 1};${Math.min(normal.x, cols - 1) + 1}H`;
    out.s += CSI + "?1047h";
    // Margins are one per screen in xterm but shared in avt: clear them for avt's sake.
    if (primaryRegion) out.s += CSI + "r";
    out.s += CSI + "H";
    dumpScreen(out, alt, cols, rows, cell, spare);
    dumpTabs(out, alt, cols);
    dumpSavedCursor(out, alt, cols, rows, cell);
  } else {
    const before = out.s.length;
    out.s += CSI + "?1047h";
    const switched = out.s.length;
    dumpSavedCursor(out, alt, cols, rows, cell);
    if (out.s.length === switched) {
      out.s = out.s.slice(0, before);
    } else {
      out.resetPen();
      out.s += CSI + "?1047l";
    }
  }

  // 6. Origin mode and margins home the cursor, so they come before it is placed.
  const origin = state.coreService.decPrivateModes.origin;
  if (origin) out.s += CSI + "?6h";
  if (!isDefaultRegion(active, rows)) {
    out.s += `${CSI}${active.scrollTop + 1};${active.scrollBottom + 1}r`;
  }

  // After a cursor restore, xterm's active character set can differ from the one its
  // G-set holds; only another restore recreates that, so then the sets come before the
  // cursor is placed (a restore moves it) rather than after the re-print below.
  const cs = state.charsetService;
  const strayCharset = cs.charset !== cs._charsets[cs.glevel];
  // Or a restore on the alternate screen left its saved set active after a return to the
  // primary one: that same restore, in a round trip to the alternate screen, recreates it.
  const fromAlt = strayCharset && !altActive && cs.charset !== active.savedCharset &&
    cs.charset !== undefined && cs.charset === alt.savedCharset;
  const charsetsFirst = (strayCharset && cs.charset === active.savedCharset) || fromAlt;
  if (charsetsFirst) {
    dumpCharsets(out, state);
    out.s += fromAlt ? `${CSI}?1047h\x1b8${CSI}?1047l` : "\x1b8";
    // The restore loaded the saved pen's colours: make the next pen change a full one.
    out.pen = { fg: -1, bg: -1, ulStyle: -1, ulColor: -1 };
  }

  // 7-8. The cursor, and a pending wrap made by re-printing the cell before the cursor.
  // That re-print also restores the parser's pending join of a following combining
  // character, which needs it to be the very last thing printed.
  const cup = (row: number, col: number): string => {
    const r = origin ? Math.max(row - active.scrollTop, 0) : row;
    return `${CSI}${r + 1};${col + 1}H`;
  };
  const placeCursor = (): string => {
    const x = Math.min(active.x, cols - 1);
    if (origin && !altActive && (active.y < active.scrollTop || active.y > active.scrollBottom)) {
      // Outside the margins under origin mode (left so by a return from the alternate
      // screen): only a screen switch moves the cursor there without clamping.
      return `${CSI}?1047h${CSI}${active.y + 1};${x + 1}H${CSI}?1047l`;
    }
    return cup(active.y, x);
  };
  const pen = penLook(state.pen);
  const line = active.lines.get(active.ybase + active.y);
  const pendingWrap = active.x >= cols;
  const joining = state.parser.precedingJoinState !== 0 && active.x > 0;
  let late = "";
  if (line !== undefined && (pendingWrap || joining)) {
    let col = Math.min(active.x, cols) - 1;
    if (col > 0 && kindOf(line.loadCell(col, cell)) === Kind.Placeholder) col--;
    let wideBefore = false;
    for (let x = 0; x < col && !wideBefore; x++) {
      wideBefore = line.loadCell(x, cell).getWidth() === 2;
    }
    line.loadCell(col, cell);
    const look = cellLook(cell, defaultLook());
    const chars = cell.getChars();
    const charset = state.charsetService.charset as Record<string, string> | undefined;
    const translates = charset !== undefined &&
      (wideBefore || (chars.charCodeAt(0) < 127 && charset[chars[0]!] !== undefined));
    const endsAtCursor = col + Math.max(cell.getWidth(), 1) === Math.min(active.x, cols);
    // That case needs auto-wrap switched around the print, which would end the join.
    const overWide = col === cols - 1 && col > 0 && line.loadCell(col - 1, spare).getWidth() === 2;
    if (
      joining && chars !== "" && endsAtCursor && !overWide && sameLook(look, pen) &&
      !state.coreService.modes.insertMode && !translates
    ) {
      const tail = new Out();
      tail.pen = { ...pen };
      reprint(tail, line, active.y, col, wideBefore, cell, cup, cols);
      late = tail.s;
    } else if (pendingWrap && chars === "" && uniformErased(line, cols, cell) !== undefined) {
      // Wrap pending over an erased row: print, then erase the row up to the cursor, which
      // keeps both the pending wrap and the row's wrap flag.
      out.s += cup(active.y, cols - 1) + " ";
      out.setEraseBg(uniformErased(line, cols, cell)!);
      out.s += CSI + "1K";
    } else if (pendingWrap) {
      reprint(out, line, active.y, col, wideBefore, cell, cup, cols);
    } else {
      out.s += placeCursor();
    }
  } else {
    out.s += placeCursor();
  }

  // 9. Pen and cursor visibility.
  out.setPen(pen);
  if (state.coreService.isCursorHidden) out.s += CSI + "?25l";
  // 10-11. Character sets and modes, after everything printed above.
  if (!charsetsFirst) dumpCharsets(out, state);
  dumpModes(out, state);
  out.s += late;
  return out.text();
}
