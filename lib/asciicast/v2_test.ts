import { assertEquals, assertThrows } from "../../tests/_assert.ts";
import { encodeV2Event, encodeV2Header, formatV2Time, parseV2Header } from "./v2.ts";

Deno.test("formatV2Time drops trailing zeros but keeps one decimal", async (t) => {
  for (
    const [micros, text] of [
      [0, "0.0"],
      [12_300_000, "12.3"],
      [1_000_001, "1.000001"],
      [104_213, "0.104213"],
      [2_000_000, "2.0"],
      [3_050_000, "3.05"],
    ] as const
  ) {
    await t.step(text, () => assertEquals(formatV2Time(micros), text));
  }
});

Deno.test("v2 event lines match asciinema CLI 3.x", () => {
  assertEquals(
    encodeV2Event({ time: 6_902_004, code: "o", data: "\x1b[32mdone\x1b[0m\r\n$ " }),
    '[6.902004, "o", "\\u001b[32mdone\\u001b[0m\\r\\n$ "]\n',
  );
  assertEquals(encodeV2Event({ time: 7_000_000, code: "x", data: "0" }), '[7.0, "x", "0"]\n');
});

Deno.test("v2 header reads asciinema 2.2's header and takes TERM as the terminal type", () => {
  const header = parseV2Header(JSON.parse(
    '{"version": 2, "width": 80, "height": 24, "timestamp": 1795317745, "env": {"SHELL": "/bin/bash", "TERM": "xterm"}}',
  ));
  assertEquals(header, {
    version: 2,
    cols: 80,
    rows: 24,
    termType: "xterm",
    timestamp: 1795317745,
    env: { SHELL: "/bin/bash", TERM: "xterm" },
  });
});

Deno.test("v2 header writes the CLI's key order (asciicast.md §3.3)", () => {
  const line =
    '{"version":2,"width":80,"height":24,"timestamp":1700000000,"title":"build","env":{"SHELL":"/bin/bash","TERM":"xterm-256color"}}';
  assertEquals(encodeV2Header(parseV2Header(JSON.parse(line))), line);
});

Deno.test("v2 header gets env.TERM from a v3 term type when env lacks it", () => {
  assertEquals(
    encodeV2Header({
      version: 3,
      cols: 80,
      rows: 24,
      termType: "xterm",
      env: { SHELL: "/bin/sh" },
    }),
    '{"version":2,"width":80,"height":24,"env":{"SHELL":"/bin/sh","TERM":"xterm"}}',
  );
  assertEquals(
    encodeV2Header({ version: 3, cols: 80, rows: 24, termType: "xterm", env: { TERM: "vt100" } }),
    '{"version":2,"width":80,"height":24,"env":{"TERM":"vt100"}}',
  );
});

Deno.test("v2 header keeps theme, tags and unknown keys, drops duration", () => {
  const header = parseV2Header({
    version: 2,
    width: 90,
    height: 30,
    duration: 12.5,
    idle_time_limit: 2,
    theme: { fg: "#FFFFFF", bg: "#000000", palette: Array(16).fill("#aabbcc").join(":") },
    tags: ["x"],
    custom: true,
  });
  assertEquals(header.extra, { custom: true });
  assertEquals(
    encodeV2Header(header),
    `{"version":2,"width":90,"height":30,"idle_time_limit":2.0,"theme":{"fg":"#ffffff","bg":"#000000","palette":"${
      Array(16).fill("#aabbcc").join(":")
    }"},"tags":["x"],"custom":true}`,
  );
});

Deno.test("v2 header parser", async (t) => {
  await t.step("rejects a header without width", () => {
    assertThrows(() => parseV2Header({ version: 2, height: 24 }), SyntaxError, `lacks "width"`);
  });
  await t.step("treats asciinema 2.2's 0x0 size as 80x24 with a warning", () => {
    const warnings: string[] = [];
    const h = parseV2Header({ version: 2, width: 0, height: 0 }, (w) => warnings.push(w));
    assertEquals([h.cols, h.rows], [80, 24]);
    assertEquals(warnings, ["the header gives the terminal size 0x0; assuming 80x24"]);
  });
  await t.step("rejects a negative size", () => {
    assertThrows(() => parseV2Header({ version: 2, width: -1, height: 24 }), SyntaxError);
  });
});
