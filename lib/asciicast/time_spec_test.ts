import { assertEquals, assertThrows } from "../../tests/_assert.ts";
import {
  formatClock,
  parseTimePoint,
  parseTimeRange,
  resolveTimePoint,
  type TimePoint,
} from "./time_spec.ts";

Deno.test("parseTimePoint reads every notation", async (t) => {
  const cases: [string, TimePoint][] = [
    ["12.5", { kind: "time", time: 12_500_000 }],
    ["0", { kind: "time", time: 0 }],
    [".25", { kind: "time", time: 250_000 }],
    ["1:02.5", { kind: "time", time: 62_500_000 }],
    ["01:02", { kind: "time", time: 62_000_000 }],
    ["90:00", { kind: "time", time: 5_400_000_000 }],
    ["1:00:00.001", { kind: "time", time: 3_600_001_000 }],
    ["marker:setup done", { kind: "marker", label: "setup done" }],
    ["m3", { kind: "markerNumber", number: 3 }],
  ];
  for (const [text, expected] of cases) {
    await t.step(text, () => assertEquals(parseTimePoint(text), expected));
  }
});

Deno.test("parseTimePoint rejects what is not a time", async (t) => {
  for (const text of ["12x", "-1", "", "1:60", "1:60:00", "m0", "1e3", "abc"]) {
    await t.step(JSON.stringify(text), () => {
      assertThrows(() => parseTimePoint(text), SyntaxError);
    });
  }
});

Deno.test("parseTimeRange reads closed and open ranges", () => {
  assertEquals(parseTimeRange("1..2"), {
    from: { kind: "time", time: 1e6 },
    to: { kind: "time", time: 2e6 },
  });
  assertEquals(parseTimeRange("..20"), { to: { kind: "time", time: 20e6 } });
  assertEquals(parseTimeRange("30.."), { from: { kind: "time", time: 30e6 } });
  assertEquals(parseTimeRange("marker:a..m2"), {
    from: { kind: "marker", label: "a" },
    to: { kind: "markerNumber", number: 2 },
  });
  assertThrows(() => parseTimeRange("12"), SyntaxError, "not a range");
});

Deno.test("resolveTimePoint looks markers up and names the ones there are", () => {
  const markers = [{ time: 5e6, label: "setup" }, { time: 9e6, label: "" }];
  assertEquals(resolveTimePoint({ kind: "marker", label: "setup" }, markers), 5e6);
  assertEquals(resolveTimePoint({ kind: "markerNumber", number: 2 }, markers), 9e6);
  assertThrows(
    () => resolveTimePoint({ kind: "marker", label: "nope" }, markers),
    RangeError,
    'the markers are "setup", ""',
  );
  assertThrows(
    () => resolveTimePoint({ kind: "markerNumber", number: 3 }, markers),
    RangeError,
    "has 2 markers",
  );
});

Deno.test("formatClock prints mm:ss.fff and hours when needed, and reads back", () => {
  assertEquals(formatClock(0), "00:00.000");
  assertEquals(formatClock(62_500_000), "01:02.500");
  assertEquals(formatClock(3_723_004_000), "1:02:03.004");
  assertEquals(parseTimePoint(formatClock(3_723_004_000)), { kind: "time", time: 3_723_004_000 });
});
