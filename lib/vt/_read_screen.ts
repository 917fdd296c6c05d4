/**
 * Reads `@xterm/headless` buffers into the emulator-independent {@linkcode Screen} model.
 *
 * @module
 */
import type { Terminal } from "@xterm/headless";
import { Attr, internals, type XBuffer, type XCell, type XLine } from "./_xterm.ts";
import {
  type Cell,
  CellFlag,
  type Color,
  DEFAULT_COLOR,
  RGB_COLOR,
  type Screen,
  type ScreenLine,
} from "./screen.ts";

function color(v: number): Color {
  switch (v & Attr.CM_MASK) {
    case Attr.CM_P16:
    case Attr.CM_P256:
      return v & Attr.PCOLOR_MASK;
    case Attr.CM_RGB:
      return RGB_COLOR | (v & Attr.RGB_MASK);
    default:
      return DEFAULT_COLOR;
  }
}

function flags(fg: number, bg: number): number {
  let f = 0;
  if (fg & Attr.BOLD) f |= CellFlag.BOLD;
  if (bg & Attr.DIM) f |= CellFlag.DIM;
  if (bg & Attr.ITALIC) f |= CellFlag.ITALIC;
  if (fg & Attr.UNDERLINE) f |= CellFlag.UNDERLINE;
  if (fg & Attr.BLINK) f |= CellFlag.BLINK;
  if (fg & Attr.INVERSE) f |= CellFlag.INVERSE;
  if (fg & Attr.INVISIBLE) f |= CellFlag.INVISIBLE;
  if (fg & Attr.STRIKETHROUGH) f |= CellFlag.STRIKETHROUGH;
  if (bg & Attr.OVERLINE) f |= CellFlag.OVERLINE;
  return f;
}

/** Reads one buffer line of `cols` cells. */
export function readLine(line: XLine | undefined, cols: number, cell: XCell): ScreenLine {
  const cells: Cell[] = new Array(cols);
  for (let x = 0; x < cols; x++) {
    if (line === undefined || x >= line.length) {
      cells[x] = { chars: "", width: 1, fg: DEFAULT_COLOR, bg: DEFAULT_COLOR, flags: 0 };
      continue;
    }
    line.loadCell(x, cell);
    const fg = cell.fg >>> 0;
    const bg = cell.bg >>> 0;
    const width = cell.getWidth() as 0 | 1 | 2;
    cells[x] = {
      chars: width === 0 ? "" : cell.getChars(),
      width,
      fg: color(fg),
      bg: color(bg),
      flags: flags(fg, bg),
    };
  }
  return { cells, wrapped: line?.isWrapped ?? false };
}

/** Reads the visible part of the active screen, the cursor and the screen in use. */
export function readScreen(term: Terminal): Screen {
  const state = internals(term);
  const buf: XBuffer = state.buffers.active;
  const cell = state.newCell();
  const { cols, rows } = term;
  const lines: ScreenLine[] = new Array(rows);
  for (let y = 0; y < rows; y++) lines[y] = readLine(buf.lines.get(buf.ybase + y), cols, cell);
  return {
    cols,
    rows,
    lines,
    cursor: { x: buf.x, y: buf.y, visible: !state.coreService.isCursorHidden },
    alternate: buf === state.buffers.alt,
  };
}
