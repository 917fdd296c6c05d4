import type { Terminal } from "@xterm/headless";
import { assert, assertEquals, assertRejects, assertThrows } from "../../tests/_assert.ts";
import { diffTerminals, replay, writeAndWait } from "./_compare.ts";
import { createTerminal, internals } from "./_xterm.ts";
import { Vt } from "./vt.ts";
import { mulberry32 } from "../../tests/_mulberry32.ts";

const ESC = "\x1b";
const CSI = "\x1b[";

interface Case {
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

const cases: Case[] = [
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

async function assertReplays(c: Case): Promise<void> {
  const cols = c.cols ?? 20;
  const rows = c.rows ?? 6;
  const chunks = typeof c.feed === "string" ? [c.feed] : c.feed;
  using vt = new Vt(cols, rows);
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

Deno.test("snapshot replayed into a fresh terminal reproduces the original", async (t) => {
  for (const c of cases) await t.step(c.name, () => assertReplays(c));
});

Deno.test("snapshot ends with the unfinished escape sequence", async () => {
  using vt = new Vt(20, 4);
  vt.feed(`x${CSI}38;5`);
  const snapshot = await vt.snapshot();
  assert(snapshot.endsWith(`${CSI}38;5`), JSON.stringify(snapshot));
});

Deno.test("snapshot reflects exactly the output fed before the call", async () => {
  using vt = new Vt(20, 4);
  const before = `first line\r\n${CSI}32mgreen${CSI}1`;
  vt.feed(before);
  const pending = vt.snapshot();
  vt.feed("mafter the call\r\n");
  vt.resize(30, 8);
  vt.feed("and more");
  const snapshot = await pending;
  const original = createTerminal(20, 4, { scrollback: 100 });
  await writeAndWait(original, before);
  const copy = await replay(snapshot, 20, 4);
  try {
    assertEquals(diffTerminals(original, copy), []);
    assert(!snapshot.includes("after"), JSON.stringify(snapshot));
    // The rest of the split sequence completes in the copy as in the original.
    await writeAndWait(original, "mafter");
    await writeAndWait(copy, "mafter");
    assertEquals(diffTerminals(original, copy), []);
  } finally {
    original.dispose();
    copy.dispose();
  }
});

Deno.test("resize applies between the output fed before and after it", async (t) => {
  const steps: [name: string, before: string, size: [number, number], after: string][] = [
    ["grow", "abc\r\ndef", [30, 8], "\r\nafter grow"],
    ["shrink below the cursor", "1\r\n2\r\n3\r\n4\r\n5\r\n6 long line here", [10, 3], "x"],
    ["narrower than a line", "0123456789abcdefghij", [8, 6], "y"],
    ["while a scroll region is set", `${CSI}2;4rabc`, [20, 8], "\n\n\n\n\nz"],
  ];
  for (const [name, before, [cols, rows], after] of steps) {
    await t.step(name, async () => {
      using vt = new Vt(20, 6);
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
    });
  }
});

Deno.test("snapshot taken before a resize has the old size's screen", async () => {
  using vt = new Vt(20, 4);
  const before = "0123456789abcdefghij-wrapped";
  vt.feed(before);
  const pending = vt.snapshot();
  vt.resize(8, 2);
  const snapshot = await pending;
  const original = createTerminal(20, 4, { scrollback: 100 });
  await writeAndWait(original, before);
  const copy = await replay(snapshot, 20, 4);
  try {
    assertEquals(diffTerminals(original, copy), []);
    assertEquals(copy.buffer.active.getLine(1)?.isWrapped, true);
  } finally {
    original.dispose();
    copy.dispose();
  }
  assertEquals([vt.cols, vt.rows], [8, 2]);
});

Deno.test("feed joins UTF-8 characters split between byte chunks", async () => {
  using vt = new Vt(20, 3);
  const bytes = new TextEncoder().encode("héllo 中文 😀");
  for (const byte of bytes) vt.feed(new Uint8Array([byte]));
  assertEquals(await vt.text(), "héllo 中文 😀");
});

Deno.test("text returns the active screen's lines without trailing blanks", async () => {
  using vt = new Vt(20, 5);
  vt.feed("one   \r\n\r\nthree");
  assertEquals(await vt.text(), "one\n\nthree");
  vt.feed(`${CSI}?1049h${CSI}Hfull screen`);
  assertEquals(await vt.text(), "full screen");
});

Deno.test("Vt rejects sizes that are not positive integers", async (t) => {
  const sizes: [number, number][] = [[0, 24], [80, 0], [-1, 24], [80.5, 24], [NaN, 24]];
  for (const [cols, rows] of sizes) {
    await t.step(`${cols}x${rows}`, () => {
      assertThrows(() => new Vt(cols, rows), RangeError, "positive integer");
      using vt = new Vt(10, 10);
      assertThrows(() => vt.resize(cols, rows), RangeError, "positive integer");
    });
  }
  assertThrows(() => new Vt(80, 24, { scrollback: -1 }), RangeError, "scrollback");
});

Deno.test("Vt refuses use after dispose and rejects a pending snapshot", async () => {
  const vt = new Vt(10, 2);
  vt.feed("abc");
  const pending = vt.snapshot();
  vt.dispose();
  await assertRejects(() => pending, Error, "disposed");
  assertThrows(() => vt.feed("x"), Error, "disposed");
  assertThrows(() => vt.resize(5, 5), Error, "disposed");
  await assertRejects(() => vt.snapshot(), Error, "disposed");
  vt.dispose();
  // Let the emulator's already scheduled parse run so no timer outlives the test.
  await new Promise((resolve) => setTimeout(resolve, 20));
});

Deno.test("escape tail agrees with xterm's parser on random control-heavy output", async () => {
  // xterm's parser state after each chunk is the truth the scanner mirrors.
  const alphabet = [
    "\x1b",
    "[",
    "]",
    "P",
    "(",
    "0",
    "1",
    ";",
    "?",
    " ",
    "m",
    "H",
    "\x07",
    "\\",
    "a",
    "é",
    "\x18",
    "\n",
    "\x9b",
    "\x9c",
    "_",
    "$",
  ];
  let seed = 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  using vt = new Vt(10, 3);
  const term = createTerminal(10, 3);
  // deno-lint-ignore no-explicit-any
  const parser = (term as any)._core._inputHandler._parser as { currentState: number };
  try {
    for (let i = 0; i < 150; i++) {
      let chunk = "";
      const length = 1 + Math.floor(random() * 8);
      for (let j = 0; j < length; j++) chunk += alphabet[Math.floor(random() * alphabet.length)];
      vt.feed(chunk);
      await writeAndWait(term, chunk);
      const snapshot = await vt.snapshot();
      const inSequence = parser.currentState !== 0;
      // The snapshot ends with a pending sequence exactly when xterm is inside one.
      const copy = await replay(snapshot, 10, 3);
      // deno-lint-ignore no-explicit-any
      const copyState = ((copy as any)._core._inputHandler._parser as { currentState: number })
        .currentState;
      copy.dispose();
      assertEquals(copyState, parser.currentState, `after ${JSON.stringify(chunk)}`);
      assertEquals(inSequence, copyState !== 0);
    }
  } finally {
    term.dispose();
  }
});

/**
 * Differences the serializer knowingly leaves (see the module notes in `_serialize.ts`):
 * an empty cell whose odd attributes cannot be made empty again is a space with them; a
 * wide character xterm cut in half is whole again; the parser's pending join of a combining
 * mark is lost under insert mode or a translating character set; an active character set
 * that a cursor restore left different from both its G-set and the saved one.
 */
function knownLoss(difference: string): boolean {
  if (difference.startsWith("pending join")) return true;
  if (/ cell \d+,\d+: "" w1 (.*) vs " " w1 \1$/.test(difference)) return true;
  // A wide character whose second half xterm turned into a plain empty cell.
  if (/ cell \d+,\d+: "" w1 (.*) vs "" w0 /.test(difference)) return true;
  const charsets = /^charsets: (.*) vs (.*)$/.exec(difference);
  if (charsets) {
    const [a, b] = [JSON.parse(charsets[1]!), JSON.parse(charsets[2]!)];
    return JSON.stringify([a.g, a.glevel]) === JSON.stringify([b.g, b.glevel]);
  }
  return false;
}

Deno.test("snapshot reproduces random control-heavy output in random sizes", async () => {
  const next = mulberry32(2024);
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: T[]): T => items[int(items.length)]!;
  const pieces: (() => string)[] = [
    () => pick(["hello", "a b", "中文", "😀", "é", "e\u0301", "ｶﾀｶﾅ", "한글", "    "]),
    () => "xyz".repeat(int(12)),
    () =>
      `${CSI}${
        pick([
          "0",
          "1",
          "2",
          "3",
          "4",
          "4:3",
          "5",
          "7",
          "9",
          "22",
          "24",
          "31",
          "42",
          "93",
          "104",
          `38;5;${int(256)}`,
          `48;5;${int(256)}`,
          `38;2;${int(256)};${int(256)};${int(256)}`,
          "39",
          "49",
        ])
      }m`,
    () => `${CSI}${1 + int(8)};${1 + int(14)}H`,
    () => pick(["\r\n", "\n", "\r", "\b", "\t", "\x0e", "\x0f"]),
    () =>
      CSI +
      pick(["K", "1K", "2K", "J", "2J", `${int(5)}X`, `${int(4)}P`, `${int(4)}@`, `${int(3)}L`]),
    () => CSI + pick([`${int(3)}M`, `${int(3)}S`, `${int(3)}T`, `${int(5)}C`, `${int(10)}G`]),
    () => CSI + pick(["?1049h", "?1049l", "?47h", "?47l", "?1047h", "?1047l"]),
    () => pick([`${ESC}7`, `${ESC}8`, `${CSI}s`, `${CSI}u`]),
    () => `${CSI}${1 + int(4)};${3 + int(6)}r`,
    () => CSI + pick(["?6h", "?6l", "?7l", "?7h", "4h", "4l", "?25l", "?25h", "20h", "?1h"]),
    () => ESC + pick(["(0", "(B", ")0", ")B", "(A", "n", "*0", "H", "M", "D", "E", "c"]),
    () => CSI + pick(["g", "3g", "!p"]),
  ];
  for (let i = 0; i < 200; i++) {
    const cols = 3 + int(30);
    const rows = 1 + int(12);
    let before = "";
    for (let n = 5 + int(60); n > 0; n--) before += pick(pieces)();
    let after = "";
    for (let n = 10; n > 0; n--) after += pick(pieces)();
    let threw = false;
    const original = createTerminal(cols, rows, { scrollback: 100, onError: () => threw = true });
    using vt = new Vt(cols, rows);
    let copy: Terminal | undefined;
    try {
      vt.feed(before);
      await writeAndWait(original, before);
      const snapshot = await vt.snapshot();
      copy = await replay(snapshot, cols, rows);
      const atSnapshot = diffTerminals(original, copy).filter((d) => !knownLoss(d));
      await writeAndWait(original, after);
      await writeAndWait(copy, after);
      // A terminal that threw is no reference (see the ED bug test below).
      if (threw) continue;
      const context = JSON.stringify({ cols, rows, before, after, snapshot });
      assertEquals(atSnapshot, [], context);
      const later = diffTerminals(original, copy).filter((d) => !knownLoss(d));
      assertEquals(later, [], `after more output: ${context}`);
    } finally {
      original.dispose();
      copy?.dispose();
    }
  }
});

Deno.test("Vt survives output that makes xterm throw, and reports it", async () => {
  const errors: unknown[] = [];
  using vt = new Vt(14, 8, { onError: (error) => errors.push(error) });
  // ED 1 with the cursor in the last column of the last row: xterm 6 indexes past the
  // screen. The rest of that piece of output is lost; the next one prints.
  vt.feed(`${CSI}8;14H${CSI}1Jlost`);
  vt.feed(`${CSI}1;1Hstill alive`);
  assertEquals(await vt.text(), "still alive");
  assertEquals(errors.length, 1);
  assert(errors[0] instanceof TypeError);
});

Deno.test("pending counts output fed and not parsed yet", async () => {
  using vt = new Vt(80, 24);
  assertEquals(vt.pending, 0);
  vt.feed("x".repeat(100_000));
  assertEquals(vt.pending, 100_000);
  await vt.snapshot();
  assertEquals(vt.pending, 0);
});
