import { assertEquals, assertThrows } from "../../tests/_assert.ts";
import { encodeV3Header, formatV3Interval, parseV3Header, V3EventEncoder } from "./v3.ts";

Deno.test("v3 encoder carries the rounding error (asciicast.md §2.4 worked example)", () => {
  const encoder = new V3EventEncoder();
  const lines = [12_600, 13_100, 13_700, 1_014_200, 1_014_800].map((time) =>
    encoder.encode({ time, code: "o", data: "x" })
  );
  assertEquals(lines, [
    '[0.013, "o", "x"]\n',
    '[0.000, "o", "x"]\n',
    '[0.001, "o", "x"]\n',
    '[1.000, "o", "x"]\n',
    '[0.001, "o", "x"]\n',
  ]);
});

Deno.test("v3 encoder intervals sum to the true elapsed time within 0.5 ms, forever", () => {
  const encoder = new V3EventEncoder();
  let time = 0;
  let sum = 0;
  for (let i = 0; i < 100_000; i++) {
    time += 1_234 + (i % 7) * 111; // 1.234..1.9 ms steps: naive rounding would drift
    const line = encoder.encode({ time, code: "o", data: "" });
    sum += Math.round(Number(line.slice(1, line.indexOf(","))) * 1000);
    if (Math.abs(sum * 1000 - time) > 500) throw new Error(`drift at event ${i}`);
  }
});

Deno.test("v3 encoder writes a zero interval for a time that goes backwards", () => {
  const encoder = new V3EventEncoder();
  encoder.encode({ time: 5_000, code: "o", data: "a" });
  assertEquals(encoder.encode({ time: 3_000, code: "o", data: "b" }), '[0.000, "o", "b"]\n');
  assertEquals(encoder.encode({ time: 6_000, code: "o", data: "c" }), '[0.001, "o", "c"]\n');
});

Deno.test("v3 encoder escapes data like serde_json and keeps unknown codes", () => {
  const encoder = new V3EventEncoder();
  assertEquals(
    encoder.encode({ time: 0, code: "o", data: '\x1b[1m"\\\b\f\n\r\t\x00\x7fé🎉' }),
    '[0.000, "o", "\\u001b[1m\\"\\\\\\b\\f\\n\\r\\t\\u0000\x7fé🎉"]\n',
  );
  assertEquals(encoder.encode({ time: 0, code: "z", data: "" }), '[0.000, "z", ""]\n');
  assertEquals(encoder.encode({ time: 0, code: "o", data: "\ud800" }), '[0.000, "o", "\\ud800"]\n');
});

Deno.test("formatV3Interval writes exactly three decimals", async (t) => {
  for (
    const [ms, text] of [[0, "0.000"], [5, "0.005"], [45, "0.045"], [1457, "1.457"], [
      12_345_000,
      "12345.000",
    ]] as const
  ) {
    await t.step(text, () => assertEquals(formatV3Interval(ms), text));
  }
});

Deno.test("v3 header is written in the CLI's key order (asciicast.md §2.6)", () => {
  assertEquals(
    encodeV3Header({
      version: 3,
      cols: 80,
      rows: 24,
      termType: "xterm-256color",
      timestamp: 1700000000,
      idleTimeLimit: 2,
      title: "build",
      env: { SHELL: "/bin/bash" },
      tags: ["demo"],
    }),
    '{"version":3,"term":{"cols":80,"rows":24,"type":"xterm-256color"},"timestamp":1700000000,"idle_time_limit":2.0,"title":"build","env":{"SHELL":"/bin/bash"},"tags":["demo"]}',
  );
});

Deno.test("v3 header round-trips theme, version, command, tags and unknown keys", () => {
  const line =
    '{"version":3,"term":{"cols":100,"rows":30,"type":"xterm","version":"VTE(7802)","theme":{"fg":"#d0d0d0","bg":"#000000","palette":"#000000:#111111:#222222:#333333:#444444:#555555:#666666:#777777"}},"timestamp":1,"idle_time_limit":1.5,"command":"make","title":"t","env":{"SHELL":"/bin/sh"},"tags":["a","b"],"x_custom":{"k":[1,2]}}';
  const header = parseV3Header(JSON.parse(line));
  assertEquals(header.termVersion, "VTE(7802)");
  assertEquals(header.theme?.palette.length, 8);
  assertEquals(header.extra, { x_custom: { k: [1, 2] } });
  assertEquals(encodeV3Header(header), line);
});

Deno.test("v3 header parser", async (t) => {
  await t.step("rejects a header without term", () => {
    assertThrows(() => parseV3Header({ version: 3 }), SyntaxError, `lacks the "term" object`);
  });
  await t.step("rejects a size that is not an integer", () => {
    assertThrows(
      () => parseV3Header({ version: 3, term: { cols: "80", rows: 24 } }),
      SyntaxError,
      `"term.cols" must be an integer`,
    );
  });
  await t.step("treats a zero size as 80x24 with a warning", () => {
    const warnings: string[] = [];
    const h = parseV3Header({ version: 3, term: { cols: 0, rows: 0 } }, (w) => warnings.push(w));
    assertEquals([h.cols, h.rows, warnings.length], [80, 24, 1]);
  });
  await t.step("drops an invalid theme with a warning", () => {
    const warnings: string[] = [];
    const h = parseV3Header(
      { version: 3, term: { cols: 80, rows: 24, theme: { fg: "red", bg: "#000000" } } },
      (w) => warnings.push(w),
    );
    assertEquals([h.theme, warnings.length], [undefined, 1]);
  });
  await t.step("drops null env values", () => {
    const h = parseV3Header({
      version: 3,
      term: { cols: 80, rows: 24 },
      env: { SHELL: "/bin/sh", TERM: null },
    });
    assertEquals(h.env, { SHELL: "/bin/sh" });
  });
});
