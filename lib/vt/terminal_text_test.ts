import { assertEquals } from "../../tests/_assert.ts";
import { TerminalText } from "./terminal_text.ts";

function render(
  cols: number,
  rows: number,
  parts: (string | [number, number])[],
  keepErased = true,
): string {
  let text = "";
  const screen = new TerminalText(cols, rows, (chunk) => text += chunk, { keepErased });
  for (const part of parts) {
    if (typeof part === "string") screen.feed(part);
    else screen.resize(part[0], part[1]);
  }
  screen.finish();
  return text;
}

Deno.test("terminal text", async (t) => {
  const cases: [string, number, number, (string | [number, number])[], string][] = [
    [
      "is the screen's text, trailing blank lines dropped",
      80,
      24,
      ["hello\r\nworld\r\n"],
      "hello\nworld\n",
    ],
    ["is empty for no output", 80, 24, [], ""],
    ["trims trailing spaces", 20, 5, ["a   \r\n  b  "], "a\n  b\n"],
    [
      "keeps lines that scrolled out, in order",
      10,
      3,
      ["1\r\n2\r\n3\r\n4\r\n5\r\n6"],
      "1\n2\n3\n4\n5\n6\n",
    ],
    ["joins soft-wrapped lines", 5, 3, ["abcdefghijkl\r\nz"], "abcdefghijkl\nz\n"],
    [
      "applies colours and cursor moves, not their bytes",
      20,
      3,
      ["\x1b[31mred\x1b[0m\x1b[1;10Hx"],
      "red      x\n",
    ],
    ["follows resizes", 10, 3, ["abcdefghijKLM\r\n", [20, 3], "x\r\n"], "abcdefghijKLM\nx\n"],
    ["leaves out the alternate screen", 10, 3, [
      "a\r\n\x1b[?1049hFULL\r\nSCREEN",
      "\x1b[?1049lb\r\n",
    ], "a\nb\n"],
    [
      "leaves no space where a wide character wrapped early at the last column",
      5,
      3,
      ["abcd界x\r\n"],
      "abcd界x\n",
    ],
    [
      "ends with the last screen of a full-screen program still showing",
      10,
      3,
      ["$ vim\r\n\x1b[?1049h\x1b[Hfile text\r\n~\r\n~"],
      "$ vim\nfile text\n~\n~\n",
    ],
    [
      "keeps a screen erased by clear (ESC[H ESC[2J ESC[3J)",
      20,
      4,
      ["before 1\r\nbefore 2\r\n\x1b[H\x1b[2J\x1b[3Jafter\r\n"],
      "before 1\nbefore 2\nafter\n",
    ],
    [
      "keeps a screen erased by ctrl+L (ESC[H ESC[2J)",
      20,
      4,
      ["one\r\n\x1b[H\x1b[2Jtwo"],
      "one\ntwo\n",
    ],
    [
      "keeps text before a reset (ESC c)",
      20,
      4,
      ["gone?\r\n\x1bcafter reset"],
      "gone?\nafter reset\n",
    ],
  ];
  for (const [name, cols, rows, parts, expected] of cases) {
    await t.step(name, () => assertEquals(render(cols, rows, parts), expected));
  }
  await t.step("drops erased screens when keepErased is false (like asciinema)", () => {
    assertEquals(
      render(20, 4, ["before\r\n\x1b[H\x1b[2J\x1b[3Jafter\r\n"], false),
      "after\n",
    );
  });
});

Deno.test("terminal text keeps 20000 lines through a 2000-line scrollback, and a huge wrapped line", () => {
  let output = "";
  for (let i = 0; i < 20_000; i++) output += `line ${i}\r\n`;
  const lines = (render(80, 24, [output])).split("\n");
  assertEquals(lines.length, 20_001);
  assertEquals(lines.slice(0, 2).concat(lines.slice(-2)), ["line 0", "line 1", "line 19999", ""]);
  const long = render(20, 5, ["x".repeat(200_000), "\r\nend"]);
  assertEquals(long, "x".repeat(200_000) + "\nend\n");
});
