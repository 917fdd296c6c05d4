import { assert, assertEquals } from "../../tests/_assert.ts";
import { CellFlag, DEFAULT_COLOR, diffScreens, lineText, RGB_COLOR, screenText } from "./screen.ts";
import { Vt } from "./vt.ts";

Deno.test("a sync Vt shows each piece of output as soon as feed returns", () => {
  using vt = new Vt(10, 3, { sync: true });
  vt.feed("one\r\ntwo");
  assertEquals(screenText(vt.screen()), "one\ntwo");
  vt.feed("\r\nthree\r\nfour");
  assertEquals(screenText(vt.screen()), "two\nthree\nfour");
  vt.resize(12, 2);
  assertEquals(vt.screen().cols, 12);
  assertEquals(vt.screen().lines.length, 2);
});

Deno.test("screen reads colours, attributes, wide characters and the cursor", () => {
  using vt = new Vt(10, 2, { sync: true });
  vt.feed("\x1b[1;3;4;31mA\x1b[0;38;5;200;48;2;1;2;3mB\x1b[0;2;7;9;53mC\x1b[0m界x");
  const screen = vt.screen();
  const [a, b, c, wide, half, x] = screen.lines[0]!.cells;
  assertEquals(a, {
    chars: "A",
    width: 1,
    fg: 1,
    bg: DEFAULT_COLOR,
    flags: CellFlag.BOLD | CellFlag.ITALIC | CellFlag.UNDERLINE,
  });
  assertEquals(b, { chars: "B", width: 1, fg: 200, bg: RGB_COLOR | 0x010203, flags: 0 });
  assertEquals(
    c!.flags,
    CellFlag.DIM | CellFlag.INVERSE | CellFlag.STRIKETHROUGH | CellFlag.OVERLINE,
  );
  assertEquals([wide!.chars, wide!.width, half!.chars, half!.width], ["界", 2, "", 0]);
  assertEquals(x!.chars, "x");
  assertEquals(screen.cursor, { x: 6, y: 0, visible: true });
  assertEquals(lineText(screen.lines[0]!), "ABC界x");
  vt.feed("\x1b[?25l");
  assertEquals(vt.screen().cursor.visible, false);
});

Deno.test("screen shows the alternate screen while it is active, and marks wrapped rows", () => {
  using vt = new Vt(4, 3, { sync: true });
  vt.feed("abcdef");
  let screen = vt.screen();
  assertEquals([screen.lines[0]!.wrapped, screen.lines[1]!.wrapped], [false, true]);
  vt.feed("\x1b[?1049h\x1b[Hvim");
  screen = vt.screen();
  assert(screen.alternate);
  assertEquals(screenText(screen), "vim");
  vt.feed("\x1b[?1049l");
  assertEquals(screenText(vt.screen()), "abcd\nef");
});

Deno.test("an async Vt's screen is read once it has settled", async () => {
  using vt = new Vt(10, 2);
  vt.feed("hello");
  await vt.settled();
  assertEquals(screenText(vt.screen()), "hello");
});

Deno.test("diffScreens names each cell, wrap and cursor difference and nothing else", () => {
  using a = new Vt(6, 2, { sync: true });
  using b = new Vt(6, 2, { sync: true });
  a.feed("abcdefg");
  b.feed("abcdefg");
  assertEquals(diffScreens(a.screen(), b.screen()), []);
  b.feed("\x1b[1;2H\x1b[31mX");
  assertEquals(diffScreens(a.screen(), b.screen()), [
    'cell 0,1: "b" w1 fg-1 bg-1 f0 vs "X" w1 fg1 bg-1 f0',
    'cursor {"x":1,"y":1,"visible":true} vs {"x":2,"y":0,"visible":true}',
  ]);
  using c = new Vt(6, 2, { sync: true });
  c.feed("abcdef\r\ng");
  assertEquals(diffScreens(a.screen(), c.screen()), ["row 1: wrapped true vs false"]);
  using d = new Vt(7, 2, { sync: true });
  assertEquals(diffScreens(a.screen(), d.screen()), ["size 6x2 vs 7x2"]);
});
