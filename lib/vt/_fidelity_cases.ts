/**
 * Test support: the table of terminal states a snapshot must reproduce, and the check that
 * replays one. Shared by the tests of `Vt` and `WorkerVt`.
 *
 * @module
 */

import type { Terminal } from "@xterm/headless";
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert";
import { createTerminal, diffTerminals, replay, writeAndWait } from "./_compare.ts";
import { internals } from "./_xterm.ts";

const ESC = "\x1b";
const CSI = "\x1b[";

/** A case of the table: output that leaves a terminal in a state a snapshot must keep. */
export interface FidelityCase {
  name: string;
  cols?: number;
  rows?: number;
  /** Output fed before the snapshot, as separate writes. */
  feed: string | string[];
  /** Output fed to the original and to the replayed copy after the snapshot. */
  then?: string;
  /** Checks the case really puts the original terminal in the state it is about. */
  holds?: (term: Terminal) => void;
}

/** A screen full of coloured text, as left by a shell session. */
function shellScreen(lines: number): string {
  let s = "";
  for (let i = 0; i < lines; i++) {
    s += `${CSI}1;32muser@host${CSI}0m:${CSI}1;34m~/p${i}${CSI}0m$ ls\r\n`;
    s += `${CSI}38;5;${
      (i * 7) % 256
    }mfile${i}.ts${CSI}0m  ${CSI}48;2;${i};40;80mdir${i}${CSI}0m\r\n`;
  }
  return s + `${CSI}1;32muser@host${CSI}0m$ `;
}

/** A vim-like full-screen redraw on the alternate screen, over a shell screen. */
function vimRedraw(): string {
  let s = shellScreen(20);
  s += `${CSI}?1049h${CSI}22;0;0t${CSI}?1h${ESC}=${CSI}H${CSI}2J${CSI}?25l${CSI}1;23r`;
  for (let row = 1; row <= 22; row++) {
    s += `${CSI}${row};1H`;
    if (row <= 12) {
      s += `${CSI}33m${String(row).padStart(3)} ${CSI}0m`;
      s += `${CSI}38;5;81mconst${CSI}0m x${row} = ${CSI}38;2;255;120;0m"value ${row}"${CSI}0m;`;
      if (row === 4) s += ` ${CSI}3;38;5;244m// 注释 😀 comment${CSI}0m`;
      if (row === 6) s += `${CSI}48;5;236m${CSI}K`;
    } else {
      s += `${CSI}1;34m~${CSI}0m${CSI}K`;
    }
  }
  s += `${CSI}23;1H${CSI}7m main.ts [+]${CSI}0m${CSI}7m${" ".repeat(50)}12,7  All ${CSI}0m`;
  s += `${CSI}24;1H${CSI}1m-- INSERT --${CSI}0m${CSI}K`;
  s += `${CSI}6;12H${CSI}?25h`;
  return s;
}

/** Terminal states a snapshot must reproduce, each with output that continues from it. */
export const FIDELITY_CASES: readonly FidelityCase[] = [
  {
    name: "16, bright, 256 and true colours in foreground and background",
    feed: [
      `${CSI}31mred${CSI}91mbright${CSI}42mon green${CSI}103mon bright${CSI}0m\r\n`,
      `${CSI}38;5;208m208${CSI}48;5;17mon17${CSI}38;2;10;200;30mtrue${CSI}48;2;1;2;3mtruebg${CSI}39;49mplain`,
    ],
    then: "more",
  },
  {
    name: "256-colour indexes below 16 keep their colour mode",
    feed: `${CSI}38;5;1ma${CSI}31mb${CSI}48;5;9mc${CSI}101md`,
    then: `${CSI}0me`,
  },
  {
    name: "bold, dim, italic, underline, blink, inverse, invisible, strikethrough, overline",
    feed: [
      `${CSI}1mB${CSI}2mBD${CSI}22mN${CSI}2mD${CSI}3mI${CSI}4mU${CSI}5mK${CSI}7mR`,
      `${CSI}8mH${CSI}9mS${CSI}53mO${CSI}0m${CSI}1;2;3;4;5;7;8;9;53;35;44mall${CSI}24;27mx`,
      `${CSI}0m${CSI}4:3;58:5:196mcurly${CSI}21mdouble${CSI}4:4;58:2::9:8:7mdotted${CSI}0m.`,
    ],
    then: "tail",
  },
  {
    name: "erased cells keep their background colour",
    feed: [
      `${CSI}44m${CSI}2J${CSI}H${CSI}0mtext${CSI}41m${CSI}K`,
      `\r\n${CSI}42m${CSI}5X${CSI}3Cx${CSI}0m\r\n\r\n${CSI}45m${CSI}2K`,
    ],
    then: `${CSI}1;1H${CSI}P${CSI}2;1H${CSI}@z`,
  },
  {
    name: "alternate screen over a full primary screen, then back to the primary",
    cols: 40,
    rows: 10,
    feed: [shellScreen(12), `${CSI}?1049h${CSI}H${CSI}2J${CSI}7malt screen${CSI}0m\r\nline 2`],
    then: `${CSI}?1049lback in the primary\r\n`,
    holds: (term) => assertEquals(term.buffer.active.type, "alternate"),
  },
  {
    name: "alternate screen entered with 47 keeps the cursor when leaving",
    feed: `primary${CSI}3;4H${CSI}?47hin alt${CSI}5;2Hhere`,
    then: `${CSI}?47lafter`,
    holds: (term) => assertEquals(term.buffer.active.type, "alternate"),
  },
  {
    name: "hidden cursor",
    feed: `${CSI}?25lhidden${CSI}3;3H`,
    then: `${CSI}?25hshown`,
    holds: (term) => assert(internals(term).coreService.isCursorHidden),
  },
  {
    name: "scroll region keeps scrolling the same lines",
    rows: 8,
    feed: `top\r\n2\r\n3\r\n4\r\n5\r\n6\r\n7\r\nbottom${CSI}3;6r${CSI}6;1Hin region`,
    then: "\r\nnew 1\r\nnew 2\r\nnew 3\n\n\n\n",
    holds: (term) => assertEquals(internals(term).buffers.active.scrollTop, 2),
  },
  {
    name: "scroll regions of both screens",
    rows: 8,
    feed: `a\r\nb\r\nc${CSI}2;5r${CSI}?1049h${CSI}4;7r${CSI}7;1Halt`,
    then: `\n\n\nx${CSI}?1049l${CSI}5;1H\n\n\ny`,
  },
  {
    name: "origin mode positions relative to the margins",
    rows: 8,
    feed: `1\r\n2\r\n3\r\n4\r\n5${CSI}3;6r${CSI}?6h${CSI}2;4Hx`,
    then: `${CSI}Horigin home${CSI}10;1Hclamped\n\n\n\nscrolled`,
    holds: (term) => assert(term.modes.originMode),
  },
  {
    name: "saved cursor with its pen and character set",
    feed: `ab${ESC}(0${CSI}31;44m${CSI}2;5H${ESC}7${ESC}(B${CSI}0m${CSI}6;1Hz`,
    then: `${ESC}8qqx${CSI}0m ok`,
  },
  {
    name: "saved cursor of the alternate screen survives leaving it",
    feed: `${CSI}?1047h${CSI}3;4H${CSI}35m${ESC}7${CSI}?1047lprimary`,
    then: `${CSI}?1047h${ESC}8alt`,
  },
  {
    name: "DEC line drawing in G0 and G1, with G1 shifted in",
    feed: `${ESC}(0lqqk${ESC}(B text ${ESC})0${"\x0e"}x${"\x0f"}x${"\x0e"}`,
    then: `mqj${"\x0f"}abc`,
    holds: (term) => assertEquals(internals(term).charsetService.glevel, 1),
  },
  {
    name: "wide CJK and emoji",
    cols: 12,
    feed: `中文 😀 ok\r\n${CSI}32m漢字かな${CSI}0m\r\nabcdefghijk中`,
    then: "next",
  },
  {
    name: "wide character overwritten in half",
    cols: 12,
    feed: `中文字${CSI}1;2H${CSI}33ma${CSI}0m${CSI}2;1H中文${CSI}2;4Hb${CSI}3;1Hx`,
    then: "y",
  },
  {
    name: "soft-wrapped long line",
    cols: 10,
    feed: `${CSI}36m${"0123456789".repeat(2)}${CSI}0mabc\r\nshort`,
    then: `${CSI}1;10H${CSI}K`,
  },
  {
    name: "soft wrap over an erased end of line",
    cols: 10,
    feed: `${"x".repeat(15)}${CSI}1;8H${CSI}43m${CSI}K${CSI}0m${CSI}3;1Hz`,
    then: "w",
  },
  {
    name: "pending wrap after a narrow character",
    cols: 10,
    feed: `${CSI}35m${"abcdefghij"}`,
    then: "k",
    holds: (term) => assertEquals(internals(term).buffers.active.x, 10),
  },
  {
    name: "pending wrap after a wide character, pen changed since",
    cols: 10,
    feed: `12345678中${CSI}0;1m`,
    then: "k",
  },
  {
    name: "pending wrap with auto-wrap off",
    cols: 10,
    feed: `${CSI}?7l${"abcdefghijkl"}`,
    then: `mn${CSI}?7hop`,
  },
  {
    name: "combining mark split from its base character",
    feed: "cafe",
    then: "\u0301 ok",
  },
  {
    name: "partial CSI at the end",
    feed: `abc${CSI}3`,
    then: "1mred",
  },
  {
    name: "partial ESC at the end",
    feed: `abc${ESC}`,
    then: "[1mbold",
  },
  {
    name: "partial OSC title at the end",
    feed: `abc${ESC}]0;tit`,
    then: "le\x07after",
  },
  {
    name: "partial charset designation at the end",
    feed: `abc${ESC}(`,
    then: "0qqq",
  },
  {
    name: "vim-like full-screen redraw",
    cols: 80,
    rows: 24,
    feed: vimRedraw(),
    then: `${CSI}23;1H\n${CSI}1;1Hnew top${CSI}?1049l${CSI}?1l${ESC}>$ done\r\n`,
    holds: (term) => assert(term.modes.applicationCursorKeysMode),
  },
  {
    name: "insert mode, new-line mode and application cursor keys",
    feed: `abcdef${CSI}1;3H${CSI}4h${CSI}20h${CSI}?1h`,
    then: "XY\nnext",
    holds: (term) => assert(term.modes.insertMode),
  },
  {
    name: "tab stops set and cleared",
    cols: 40,
    feed: `${CSI}3g${CSI}5G${ESC}H${CSI}13G${ESC}H${CSI}1;1Ha`,
    then: "\tb\tc\td",
  },
  {
    name: "output scrolled past the screen with a saved cursor above",
    rows: 5,
    feed: `${CSI}2;3H${ESC}7${CSI}5;1H` + Array.from({ length: 12 }, (_, i) => `line ${i}`)
      .join("\r\n"),
    then: `${ESC}8restored`,
  },
  {
    name: "full reset after content",
    feed: `${CSI}31mred${CSI}?25l${CSI}2;4r${ESC}c`,
    then: "fresh",
  },
  {
    name: "bracketed paste, mouse, focus and cursor style modes",
    feed: `${CSI}?2004h${CSI}?1002h${CSI}?1006h${CSI}?1004h${CSI}4 q${ESC}=x`,
    then: "y",
  },
  {
    name: "hyperlinked text keeps its attributes",
    feed: `${ESC}]8;;https://example.com\x07${CSI}4mlink${CSI}24m${ESC}]8;;\x07 text`,
    then: "!",
  },
];

/** What {@linkcode assertReplays} needs of a terminal: `Vt` or `WorkerVt`. */
export interface SnapshotSource extends Disposable {
  readonly cols: number;
  readonly rows: number;
  feed(data: string): void;
  resize(cols: number, rows: number): void;
  snapshot(): Promise<string>;
}

/**
 * Feeds `c` to a terminal from `open` and to a plain xterm, replays the snapshot into a
 * fresh xterm and asserts it equals the original, then again after the case's further output.
 */
export async function assertReplays(
  c: FidelityCase,
  open: (cols: number, rows: number) => SnapshotSource,
): Promise<void> {
  const cols = c.cols ?? 20;
  const rows = c.rows ?? 6;
  const chunks = typeof c.feed === "string" ? [c.feed] : c.feed;
  using vt = open(cols, rows);
  const original = createTerminal(cols, rows, { scrollback: 100 });
  let copy: Terminal | undefined;
  try {
    for (const chunk of chunks) {
      vt.feed(chunk);
      await writeAndWait(original, chunk);
    }
    c.holds?.(original);
    const snapshot = await vt.snapshot();
    assert(!/[\x80-\x9f]/.test(snapshot), "the snapshot uses 8-bit controls");
    copy = await replay(snapshot, cols, rows);
    assertEquals(diffTerminals(original, copy), [], `snapshot ${JSON.stringify(snapshot)}`);
    if (c.then !== undefined) {
      await writeAndWait(original, c.then);
      await writeAndWait(copy, c.then);
      assertEquals(
        diffTerminals(original, copy),
        [],
        `after more output, ${JSON.stringify(snapshot)}`,
      );
    }
  } finally {
    original.dispose();
    copy?.dispose();
  }
}

/** A resize of a 20 × 6 terminal between two pieces of output. */
export interface ResizeCase {
  name: string;
  before: string;
  size: [cols: number, rows: number];
  after: string;
}

/** Resizes a snapshot must reproduce, with the output around them. */
export const RESIZE_CASES: readonly ResizeCase[] = [
  { name: "grow", before: "abc\r\ndef", size: [30, 8], after: "\r\nafter grow" },
  {
    name: "shrink below the cursor",
    before: "1\r\n2\r\n3\r\n4\r\n5\r\n6 long line here",
    size: [10, 3],
    after: "x",
  },
  { name: "narrower than a line", before: "0123456789abcdefghij", size: [8, 6], after: "y" },
  {
    name: "while a scroll region is set",
    before: `${CSI}2;4rabc`,
    size: [20, 8],
    after: "\n\n\n\n\nz",
  },
];

/**
 * Feeds `c` with its resize to a 20 × 6 terminal from `open` and to a plain xterm, and
 * asserts the snapshot replayed into a fresh xterm of the new size equals the original.
 */
export async function assertResizeReplays(
  c: ResizeCase,
  open: (cols: number, rows: number) => SnapshotSource,
): Promise<void> {
  const { before, size: [cols, rows], after } = c;
  using vt = open(20, 6);
  vt.feed(before);
  vt.resize(cols, rows);
  assertEquals([vt.cols, vt.rows], [cols, rows]);
  vt.feed(after);
  const snapshot = await vt.snapshot();
  const original = createTerminal(20, 6, { scrollback: 100 });
  await writeAndWait(original, before);
  original.resize(cols, rows);
  await writeAndWait(original, after);
  const copy = await replay(snapshot, cols, rows);
  try {
    assertEquals(diffTerminals(original, copy), []);
  } finally {
    original.dispose();
    copy.dispose();
  }
}
