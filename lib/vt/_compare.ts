/**
 * Test support: compares two `@xterm/headless` terminals cell by cell and state by state,
 * to check that a snapshot replayed into a fresh terminal reproduces the original.
 * Shared by the VT tests and the live hub's tests.
 *
 * @module
 */

import type { Terminal } from "@xterm/headless";
import { cellLook, type Look, normColor, penLook } from "./_serialize.ts";
import {
  charsetDesignator,
  createTerminal,
  internals,
  type XBuffer,
  type XCell,
} from "./_xterm.ts";

export { createTerminal };

/** Writes `data` and resolves once the terminal has parsed it. */
export function writeAndWait(term: Terminal, data: string): Promise<void> {
  return new Promise((resolve) => term.write(data, resolve));
}

/**
 * Creates a fresh terminal configured like `Vt`'s, writes `snapshot` into it and resolves
 * with it once parsed. The caller disposes it.
 */
export async function replay(snapshot: string, cols: number, rows: number): Promise<Terminal> {
  const term = createTerminal(cols, rows, { scrollback: 100 });
  await writeAndWait(term, snapshot);
  return term;
}

function lookText(l: Look): string {
  const hex = (n: number) => (n >>> 0).toString(16);
  return `fg=${hex(l.fg)} bg=${hex(l.bg)} ul=${l.ulStyle}/${hex(l.ulColor)}`;
}

function diffScreen(name: string, a: XBuffer, b: XBuffer, ta: Terminal, tb: Terminal): string[] {
  const out: string[] = [];
  const cellA = ta.buffer.normal.getNullCell() as unknown as XCell;
  const cellB = tb.buffer.normal.getNullCell() as unknown as XCell;
  const la: Look = { fg: 0, bg: 0, ulStyle: 0, ulColor: 0 };
  const lb: Look = { ...la };
  for (let y = 0; y < ta.rows; y++) {
    const lineA = a.lines.get(a.ybase + y);
    const lineB = b.lines.get(b.ybase + y);
    if (lineA === undefined || lineB === undefined) {
      if (lineA !== lineB) out.push(`${name} row ${y}: missing in one terminal`);
      continue;
    }
    if (lineA.isWrapped !== lineB.isWrapped) {
      out.push(`${name} row ${y}: wrapped ${lineA.isWrapped} vs ${lineB.isWrapped}`);
    }
    for (let x = 0; x < ta.cols; x++) {
      lineA.loadCell(x, cellA);
      lineB.loadCell(x, cellB);
      const ca = cellA.getChars();
      const cb = cellB.getChars();
      const wa = cellA.getWidth();
      const wb = cellB.getWidth();
      cellLook(cellA, la);
      cellLook(cellB, lb);
      if (
        ca !== cb || wa !== wb || la.fg !== lb.fg || la.bg !== lb.bg ||
        la.ulStyle !== lb.ulStyle || la.ulColor !== lb.ulColor
      ) {
        out.push(
          `${name} cell ${y},${x}: ${JSON.stringify(ca)} w${wa} ${lookText(la)} vs ` +
            `${JSON.stringify(cb)} w${wb} ${lookText(lb)}`,
        );
      }
      if (out.length > 20) return out;
    }
  }
  return out;
}

/** The saved pen's background bits that matter (not the extended-attributes marker). */
const SAVED_BG = ~(0x10000000 | 0x20000000);

function savedCursor(buf: XBuffer, cols: number, rows: number): string {
  const charset = buf.savedCharset === undefined ? "B" : charsetDesignator(buf.savedCharset);
  return JSON.stringify({
    x: Math.min(buf.savedX, cols - 1),
    y: Math.min(Math.max(buf.savedY - buf.ybase, 0), rows - 1),
    fg: normColor(buf.savedCurAttrData.fg),
    bg: normColor(buf.savedCurAttrData.bg & SAVED_BG),
    charset,
  });
}

function tabs(buf: XBuffer, cols: number): string {
  const set: number[] = [];
  for (let x = 0; x < cols; x++) if (buf.tabs[x] === true) set.push(x);
  return set.join(",");
}

/**
 * Lists every difference a viewer or later output could notice between two terminals:
 * size, active screen, each visible cell of the primary screen (and of the alternate one
 * when active) with its text, width and attributes, soft wraps, cursor position and
 * visibility, pending wrap, pen, margins, saved cursors, character sets, tab stops and
 * modes. Returns an empty array when they match.
 *
 * Not compared, because no snapshot carries them: scrollback, hyperlink ids, the protected
 * attribute, window title.
 */
export function diffTerminals(a: Terminal, b: Terminal): string[] {
  if (a.cols !== b.cols || a.rows !== b.rows) {
    return [`size ${a.cols}x${a.rows} vs ${b.cols}x${b.rows}`];
  }
  const sa = internals(a);
  const sb = internals(b);
  const out: string[] = [];
  const check = (what: string, va: unknown, vb: unknown): void => {
    const ja = JSON.stringify(va);
    const jb = JSON.stringify(vb);
    if (ja !== jb) out.push(`${what}: ${ja} vs ${jb}`);
  };
  const altA = sa.buffers.active === sa.buffers.alt;
  const altB = sb.buffers.active === sb.buffers.alt;
  check("active screen", altA ? "alternate" : "normal", altB ? "alternate" : "normal");
  if (altA !== altB) return out;
  out.push(...diffScreen("primary", sa.buffers.normal, sb.buffers.normal, a, b));
  if (altA) out.push(...diffScreen("alternate", sa.buffers.alt, sb.buffers.alt, a, b));
  const ba = sa.buffers.active;
  const bb = sb.buffers.active;
  check("cursor", { x: ba.x, y: ba.y }, { x: bb.x, y: bb.y });
  check("cursor hidden", sa.coreService.isCursorHidden, sb.coreService.isCursorHidden);
  check("pending join", sa.parser.precedingJoinState, sb.parser.precedingJoinState);
  check("pen", penLook(sa.pen), penLook(sb.pen));
  for (const [name, xa, xb] of [["primary", sa.buffers.normal, sb.buffers.normal]] as const) {
    check(`${name} margins`, [xa.scrollTop, xa.scrollBottom], [xb.scrollTop, xb.scrollBottom]);
    check(`${name} saved cursor`, savedCursor(xa, a.cols, a.rows), savedCursor(xb, b.cols, b.rows));
    check(`${name} tab stops`, tabs(xa, a.cols), tabs(xb, b.cols));
  }
  const xa = sa.buffers.alt;
  const xb = sb.buffers.alt;
  if (altA) {
    check("alternate margins", [xa.scrollTop, xa.scrollBottom], [xb.scrollTop, xb.scrollBottom]);
    check("alternate tab stops", tabs(xa, a.cols), tabs(xb, b.cols));
  }
  check("alternate saved cursor", savedCursor(xa, a.cols, a.rows), savedCursor(xb, b.cols, b.rows));
  const charsets = (s: typeof sa) => ({
    g: [0, 1, 2, 3].map((g) => {
      const c = s.charsetService._charsets[g];
      return c === undefined ? "B" : charsetDesignator(c);
    }),
    glevel: s.charsetService.glevel,
    active: s.charsetService.charset === undefined
      ? "B"
      : charsetDesignator(s.charsetService.charset),
  });
  check("charsets", charsets(sa), charsets(sb));
  check("modes", a.modes, b.modes);
  check("new-line mode", sa.convertEol, sb.convertEol);
  const m = (s: typeof sa) => ({
    style: s.coreService.decPrivateModes.cursorStyle,
    blink: s.coreService.decPrivateModes.cursorBlink,
    encoding: s.coreMouseService.activeEncoding,
  });
  check("cursor style and mouse encoding", m(sa), m(sb));
  return out;
}
