import { assertEquals, assertThrows } from "../../tests/_assert.ts";
import { decodeV1 } from "./v1.ts";

Deno.test("v1 decoder sums frame delays into absolute times (asciicast.md §4)", () => {
  const { header, events } = decodeV1(JSON.parse(
    '{"version": 1, "width": 80, "height": 24, "duration": 0.75, "title": "", "env": {"TERM": "xterm", "SHELL": "/bin/sh"}, "stdout": [[0.5, "a"], [0.25, "b\\r\\n"]]}',
  ));
  assertEquals(header, {
    version: 1,
    cols: 80,
    rows: 24,
    termType: "xterm",
    title: "",
    env: { TERM: "xterm", SHELL: "/bin/sh" },
  });
  assertEquals(events, [
    { time: 500_000, code: "o", data: "a" },
    { time: 750_000, code: "o", data: "b\r\n" },
  ]);
});

Deno.test("v1 decoder does not lose microseconds to float error", () => {
  const stdout = Array.from({ length: 1000 }, () => [0.000001, "x"]);
  const { events } = decodeV1({ version: 1, width: 80, height: 24, stdout });
  assertEquals(events.at(-1)!.time, 1000);
});

Deno.test("v1 decoder rejects bad frames", async (t) => {
  await t.step("a frame that is not a pair", () => {
    assertThrows(
      () => decodeV1({ version: 1, width: 80, height: 24, stdout: [[0.1, "a"], [0.2]] }),
      SyntaxError,
      "stdout frame 2 must be a [delay, text] pair",
    );
  });
  await t.step("a negative delay", () => {
    assertThrows(
      () => decodeV1({ version: 1, width: 80, height: 24, stdout: [[-1, "a"]] }),
      SyntaxError,
      "negative delay",
    );
  });
  await t.step("a missing stdout", () => {
    assertThrows(() => decodeV1({ version: 1, width: 80, height: 24 }), SyntaxError, "stdout");
  });
});
