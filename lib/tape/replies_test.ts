import { assertEquals } from "../../tests/_assert.ts";
import { TerminalReplies } from "./replies.ts";

const theme = { fg: "#dddddd", bg: "#171717", palette: [] };

Deno.test("replies answer the queries programs wait for", async (t) => {
  const cases: [string, string][] = [
    ["\x1b[6n", "\x1b[3;5R"],
    ["\x1b[?6n", "\x1b[?3;5R"],
    ["\x1b[5n", "\x1b[0n"],
    ["\x1b[c", "\x1b[?1;2c"],
    ["\x1b[0c", "\x1b[?1;2c"],
    ["\x1b[>c", "\x1b[>0;276;0c"],
    ["\x1b]10;?\x07", "\x1b]10;rgb:dddd/dddd/dddd\x07"],
    ["\x1b]11;?\x1b\\", "\x1b]11;rgb:1717/1717/1717\x1b\\"],
    ["text \x1b[1;31mred\x1b[0m \x1b[2J", ""],
    ["\x1b[2c\x1b[6c\x1bc", ""],
  ];
  for (const [query, answer] of cases) {
    await t.step(JSON.stringify(query), () => {
      const replies = new TerminalReplies({ cursor: () => ({ x: 4, y: 2 }), theme });
      assertEquals(replies.scan(query), answer);
    });
  }
});

Deno.test("replies find a query split between two reads, once", () => {
  const replies = new TerminalReplies({ cursor: () => ({ x: 0, y: 0 }), theme });
  assertEquals(replies.scan("abc\x1b]11"), "");
  assertEquals(replies.scan(";?\x07\x1b[c"), "\x1b]11;rgb:1717/1717/1717\x07\x1b[?1;2c");
  assertEquals(replies.scan("more"), "");
});
