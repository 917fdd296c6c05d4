/**
 * An independent emulator as the judge: pyte (Debian's `python3-pyte`) is fed the same
 * output as asciirec's terminal, and the two screens must agree, character and colour, cell
 * by cell. The outputs are floods, where asciirec's live terminal skips drawing what
 * scrolls off unseen, each followed by a drawing with cursor movement.
 */
import { assert, assertEquals } from "./_assert.ts";
import { mulberry32 } from "./_mulberry32.ts";
import { Vt } from "../lib/vt/vt.ts";
import { DEFAULT_COLOR, type Screen } from "../lib/vt/screen.ts";

const PYTE_SCREEN = `
import json, sys, pyte
cols, rows = int(sys.argv[1]), int(sys.argv[2])
screen = pyte.Screen(cols, rows)
pyte.Stream(screen).feed(sys.stdin.read())
out = []
for y in range(rows):
    line = screen.buffer[y]
    out.append([[line[x].data, line[x].fg, line[x].bg, line[x].bold] for x in range(cols)])
print(json.dumps({"cells": out, "cursor": [screen.cursor.x, screen.cursor.y]}))
`;

/** pyte's colour names for the 8 ANSI colours. */
const NAMES = ["black", "red", "green", "brown", "blue", "magenta", "cyan", "white"];

async function pyteScreen(output: string, cols: number, rows: number) {
  const child = new Deno.Command("/usr/bin/python3", {
    args: ["-c", PYTE_SCREEN, String(cols), String(rows)],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(output));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  assertEquals(code, 0, new TextDecoder().decode(stderr));
  return JSON.parse(new TextDecoder().decode(stdout)) as {
    cells: [string, string, string, boolean][][];
    cursor: [number, number];
  };
}

/** asciirec's screen in pyte's terms: [char, fg, bg, bold] per cell. */
function asPyte(screen: Screen): [string, string, string, boolean][][] {
  const name = (color: number) => color === DEFAULT_COLOR ? "default" : NAMES[color] ?? `#${color}`;
  return screen.lines.map((line) =>
    line.cells.map((
      c,
    ) => [c.chars === "" ? " " : c.chars, name(c.fg), name(c.bg), (c.flags & 1) !== 0])
  );
}

/**
 * Blank cells as pyte keeps them: a line scrolled in takes the default background there,
 * the current one in xterm (background colour erase), so blank cells are compared by
 * character only.
 */
function blanksPlain(rows: [string, string, string, boolean][][]) {
  return rows.map((row) =>
    row.map((cell) => cell[0] === " " ? [" ", "-", "-", false] as const : cell)
  );
}

/** A flood of coloured lines (tabs, overwrites, lines that wrap), then a drawing. */
function output(random: () => number, cols: number): string {
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)]!;
  let out = "";
  while (out.length < 200_000) {
    out += pick([
      () => `${Math.floor(random() * 1e7)}\r\n`,
      () => `\x1b[${pick(["31", "1;32", "0", "", "44", "33;45", "22", "39", "49"])}m`,
      () => "\tcol\tumn\r\n",
      () => "w".repeat(Math.floor(random() * cols * 3)) + "\r\n",
      () => "abcdef\rXY\r\n",
    ])();
  }
  return out;
}

/**
 * The end: a screen full of X and the cursor at the top, then in one piece a colour and plain
 * lines (which must push every X off, and whose colour comes from before the lines that
 * stay), then a drawing.
 */
function ending(cols: number, rows: number): string[] {
  const lines = Array.from({ length: 20 * rows }, (_, i) => `last ${i}\tof the flood\r\n`);
  const filled = Array.from({ length: rows }, (_, y) => `\x1b[${y + 1};1H${"X".repeat(cols)}`);
  return [
    `\x1b[2J${filled.join("")}\x1b[H`,
    `\x1b[0;1;44mstart\r\n${lines.join("")}`,
    `\x1b[0m\x1b[${Math.floor(rows / 2)};${Math.floor(cols / 2)}H\x1b[1;35mhere`,
    `\x1b[${rows};1Hend of the drawing`,
  ];
}

Deno.test("pyte shows the screen asciirec's live terminal shows after a flood", async () => {
  const random = mulberry32(424242);
  for (const [cols, rows] of [[80, 24], [40, 10], [132, 50]] as const) {
    const flood = output(random, cols);
    using vt = new Vt(cols, rows, { sync: true, scrollback: 0, skipScrolledOff: true });
    // Fed in pieces of a PTY read's size, as a session feeds it.
    for (let at = 0; at < flood.length;) {
      const size = 1024 + Math.floor(random() * 30_000);
      vt.feed(flood.slice(at, at + size));
      at += size;
    }
    const end = ending(cols, rows);
    for (const piece of end) vt.feed(piece);
    const text = flood + end.join("");
    const ours = vt.screen();
    const judge = await pyteScreen(text, cols, rows);
    const mine = blanksPlain(asPyte(ours));
    const theirs = blanksPlain(judge.cells);
    for (let y = 0; y < rows; y++) {
      assertEquals(mine[y], theirs[y], `row ${y} of ${cols}x${rows}`);
    }
    assertEquals([ours.cursor.x, ours.cursor.y], judge.cursor, `cursor of ${cols}x${rows}`);
    assert(mine.some((row) => row.some(([c]) => c !== " ")), "the screen is not blank");
  }
});
