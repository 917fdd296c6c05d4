import { assertEquals, assertThrows } from "../../tests/_assert.ts";
import {
  type EditOperations,
  parseAddMarker,
  parseRangeOperation,
  parseSpeed,
} from "./operations.ts";
import { checkTimes, planEdit } from "./plan.ts";

function ops(partial: Partial<EditOperations>): EditOperations {
  return { keep: [], cut: [], speed: [], drop: [], addMarkers: [], ...partial };
}
const r = parseRangeOperation;
const S = 1_000_000;
const MARKERS = [{ time: 5 * S, label: "setup" }, { time: 20 * S, label: "build" }];

Deno.test("keeps join in time order, and overlapping or touching ones merge", () => {
  const plan = planEdit(ops({ keep: [r("30..40"), r("5..10"), r("8..12"), r("12..15")] }));
  assertEquals(plan.parts, [{ from: 5 * S, to: 15 * S }, { from: 30 * S, to: 40 * S }]);
  assertEquals(plan.needsSnapshots, true);
});

Deno.test("cuts remove what lies inside them from what is kept; their ends stay", () => {
  const plan = planEdit(ops({ cut: [r("10..20"), r("15..25"), r("..2")] }), { duration: 60 * S });
  assertEquals(plan.parts, [{ from: 2 * S, to: 10 * S }, { from: 25 * S, to: 60 * S }]);
  const end = planEdit(ops({ keep: [r("..30")], cut: [r("20..")] }));
  assertEquals(end.parts, [{ from: 0, to: 20 * S }]);
  assertEquals(end.needsSnapshots, false);
});

Deno.test("a cut that reaches the exact end of the recording leaves no instant behind", () => {
  const plan = planEdit(ops({ cut: [r("10..60")] }), { duration: 60 * S });
  assertEquals(plan.parts, [{ from: 0, to: 10 * S }]);
});

Deno.test("marker names and numbers are looked up", () => {
  const plan = planEdit(ops({ keep: [r("marker:setup..m2")] }), {
    markers: MARKERS,
    duration: 60 * S,
  });
  assertEquals(plan.parts, [{ from: 5 * S, to: 20 * S }]);
});

Deno.test("bad ranges are refused with the option, the range and the duration", async (t) => {
  const cases: [string, Partial<EditOperations>, string][] = [
    [
      "FROM after TO",
      { cut: [r("20..10")] },
      "--cut 20..10: 00:20.000 is after 00:10.000; write FROM..TO (the recording lasts 01:00.000)",
    ],
    ["an empty range", { keep: [r("7..7")] }, "--keep 7..7 is empty"],
    [
      "a start past the end",
      { keep: [r("70..")] },
      "--keep 70.. starts after the end of the recording, which lasts 01:00.000",
    ],
    [
      "an end past the end",
      { keep: [r("10..70")] },
      "--keep 10..70 ends after the end of the recording, which lasts 01:00.000; leave the end open",
    ],
    [
      "a missing marker",
      { keep: [r("marker:deploy..")] },
      'there is no marker labelled "deploy"; the markers are "setup", "build"',
    ],
    ["a marker number past the last", { cut: [r("m3..")] }, "there is no marker m3"],
    ["everything cut", { cut: [r("..60")] }, "leaves nothing"],
    ["overlapping ranged speeds", {
      speed: [parseSpeed("2@1..10"), parseSpeed("3@5..20")],
    }, "--speed 2@1..10 and --speed 3@5..20 overlap"],
    ["two speeds for the whole", { speed: [parseSpeed("2"), parseSpeed("3")] }, "given twice"],
    [
      "a marker added in removed time",
      { cut: [r("10..20")], addMarkers: [parseAddMarker("15:x")] },
      "--add-marker 15:x is in a part the edit removes",
    ],
    [
      "a marker added after the end",
      { addMarkers: [parseAddMarker("61:x")] },
      "--add-marker 61:x is after the end of the recording",
    ],
  ];
  for (const [name, partial, message] of cases) {
    await t.step(name, () => {
      assertThrows(
        () => planEdit(ops(partial), { markers: MARKERS, duration: 60 * S }),
        RangeError,
        message,
      );
    });
  }
});

Deno.test("without the duration, times past the end are found by checkTimes at the end", () => {
  const plan = planEdit(ops({ keep: [r("10..70")] }));
  assertEquals(plan.readUntil, 70 * S);
  checkTimes(plan, 70 * S);
  // Up to the next whole millisecond counts as the end (--list prints milliseconds).
  checkTimes(plan, 69_999_500);
  assertThrows(() => checkTimes(plan, 60 * S), RangeError, "which lasts 01:00.000");
});

Deno.test("an open end means reading to the end; a closed one lets the editor stop there", () => {
  assertEquals(planEdit(ops({ keep: [r("10..")] })).readUntil, Infinity);
  assertEquals(
    planEdit(ops({ keep: [r("..10")], speed: [parseSpeed("2@5..20")] })).readUntil,
    20 * S,
  );
});
