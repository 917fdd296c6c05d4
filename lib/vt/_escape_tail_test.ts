import { assertEquals } from "../../tests/_assert.ts";
import { EscapeTail } from "./_escape_tail.ts";

Deno.test("escape tail keeps the unfinished sequence at the end of the output", async (t) => {
  const cases: [name: string, chunks: string[], pending: string][] = [
    ["plain text", ["hello"], ""],
    ["complete CSI", ["a\x1b[31mb"], ""],
    ["lone ESC", ["abc\x1b"], "\x1b"],
    ["CSI with parameters", ["abc\x1b[38;5"], "\x1b[38;5"],
    ["private CSI prefix", ["\x1b[?104"], "\x1b[?104"],
    ["CSI with intermediate", ["\x1b[2 "], "\x1b[2 "],
    ["charset designation", ["\x1b("], "\x1b("],
    ["unterminated OSC", ["\x1b]0;tit"], "\x1b]0;tit"],
    ["OSC ended by BEL", ["\x1b]0;title\x07x"], ""],
    ["OSC ended by ST", ["\x1b]0;title\x1b\\"], ""],
    ["ESC that may start ST after OSC", ["\x1b]0;title\x1b"], "\x1b"],
    ["DCS data", ["\x1bP1$qm"], "\x1bP1$qm"],
    ["APC string", ["\x1b_hidden"], "\x1b_hidden"],
    ["sequence split over chunks", ["ab\x1b", "[1", ";2"], "\x1b[1;2"],
    ["sequence finished in a later chunk", ["\x1b[1", ";2H", "text"], ""],
    ["C0 control inside CSI runs at once and is not kept", ["\x1b[1\n2"], "\x1b[12"],
    ["CAN cancels the sequence", ["\x1b[12\x18"], ""],
    ["8-bit CSI", ["\x9b12"], "\x9b12"],
    ["non-ASCII aborts a CSI", ["\x1b[1é"], ""],
    ["OSC keeps non-ASCII text", ["\x1b]2;héllo"], "\x1b]2;héllo"],
    ["later text without introducer keeps a pending OSC", ["\x1b]2;a", "bc"], "\x1b]2;abc"],
  ];
  for (const [name, chunks, pending] of cases) {
    await t.step(name, () => {
      const tail = new EscapeTail();
      for (const chunk of chunks) tail.scan(chunk);
      assertEquals(tail.pending, pending);
    });
  }
});

Deno.test("escape tail keeps at most 4096 characters of a long string sequence", () => {
  const tail = new EscapeTail();
  tail.scan("\x1b]52;c;" + "A".repeat(10_000));
  assertEquals(tail.pending.length, 4096);
  assertEquals(tail.pending.startsWith("\x1b]52;c;AAA"), true);
  tail.scan("\x07");
  assertEquals(tail.pending, "");
});

Deno.test("escape tail reset forgets the pending sequence", () => {
  const tail = new EscapeTail();
  tail.scan("\x1b[3");
  tail.reset();
  assertEquals(tail.pending, "");
});
