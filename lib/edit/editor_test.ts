import { assert, assertEquals, assertRejects } from "../../tests/_assert.ts";
import type { Event, Header } from "../asciicast/event.ts";
import { screenText } from "../vt/screen.ts";
import { Vt } from "../vt/vt.ts";
import { editRecording, type EditResult } from "./editor.ts";
import {
  type EditOperations,
  parseAddMarker,
  parseRangeOperation,
  parseSpeed,
} from "./operations.ts";
import { planEdit } from "./plan.ts";

const S = 1_000_000;
const r = parseRangeOperation;

function ops(partial: Partial<EditOperations>): EditOperations {
  return { keep: [], cut: [], speed: [], drop: [], addMarkers: [], ...partial };
}

async function edit(
  events: [number, string, string][],
  partial: Partial<EditOperations>,
  options: { header?: Header; fixedSize?: { cols: number; rows: number } } = {},
) {
  const header = options.header ?? { version: 3, cols: 20, rows: 3 };
  const out: (Event & { source: number })[] = [];
  let outHeader: Header | undefined;
  let read = 0;
  async function* source() {
    for (const [time, code, data] of events) {
      read++;
      yield { time: time * S, code, data };
    }
  }
  const result: EditResult = await editRecording(header, source(), planEdit(ops(partial)), {
    begin: (h) => outHeader = h,
    event: (e, _time, sourceEvents) => out.push({ ...e, source: sourceEvents }),
    drain: () => Promise.resolve(),
  }, { fixedSize: options.fixedSize });
  return { out, header: outHeader!, result, read };
}

/** The text on the screen after replaying `events` into a terminal of `header`'s size. */
function replayText(header: Header, events: Event[]): string {
  using vt = new Vt(header.cols, header.rows, { sync: true });
  for (const e of events) {
    if (e.code === "o") vt.feed(e.data);
    if (e.code === "r") {
      const [cols, rows] = e.data.split("x").map(Number);
      vt.resize(cols!, rows!);
    }
  }
  return screenText(vt.screen());
}

Deno.test("a cut is bridged by one snapshot: the screen after it is the source's", async () => {
  const { out, header, result } = await edit([
    [1, "o", "one\r\n"],
    [2, "o", "two\r\n"],
    [3, "o", "\x1b[2J\x1b[Hthree"],
    [4, "o", " four"],
  ], { cut: [r("1.5..3.5")] });
  assertEquals(out.map((e) => [e.time / S, e.code]), [[1, "o"], [1.5, "o"], [2, "o"]]);
  assertEquals(out[0]!.data, "one\r\n");
  assert(out[1]!.data.startsWith("\x1bc"), "the snapshot resets the terminal first");
  assertEquals(out[2]!.data, " four");
  assertEquals(replayText(header, out.slice(0, 2)), "three");
  assertEquals(replayText(header, out), "three four");
  assertEquals([result.snapshots, result.emulated], [1, true]);
});

Deno.test("a kept part that starts after a resize has that size in the header", async () => {
  const { out, header } = await edit([
    [1, "o", "a"],
    [2, "r", "30x5"],
    [3, "o", "b"],
    [4, "o", "c"],
  ], { keep: [r("2.5..")] });
  assertEquals([header.cols, header.rows], [30, 5]);
  assertEquals(out.map((e) => [e.time / S, e.code]), [[0, "o"], [0.5, "o"], [1.5, "o"]]);
  assertEquals(replayText(header, out), "abc");
});

Deno.test("a resize in removed time comes back as a resize before the snapshot", async () => {
  const { out } = await edit([
    [1, "o", "a"],
    [2, "r", "30x5"],
    [3, "o", "b"],
  ], { cut: [r("1.5..2.5")] });
  assertEquals(out.map((e) => [e.time / S, e.code, e.code === "r" ? e.data : ""]), [
    [1, "o", ""],
    [1.5, "r", "30x5"],
    [1.5, "o", ""],
    [2, "o", ""],
  ]);
});

Deno.test("at the instant a part starts, output goes into the snapshot and markers follow it", async () => {
  const { out } = await edit([
    [1, "o", "a"],
    [2, "o", "b"],
    [2, "m", "here"],
    [2, "o", "c"],
    [3, "o", "d"],
  ], { keep: [r("2..")] });
  assertEquals(out.map((e) => [e.code, e.source]), [["o", 4], ["m", 4], ["o", 5]]);
  assertEquals(out[0]!.data.includes("abc"), true);
  assertEquals(out[1]!.data, "here");
});

Deno.test("a kept part with no events of its own still shows the screen at its start", async () => {
  const { out, header } = await edit([
    [1, "o", "a"],
    [5, "o", "b"],
    [9, "o", "c"],
  ], { keep: [r("2..3"), r("6..")] });
  assertEquals(out.map((e) => e.time / S), [0, 1, 4]);
  assertEquals(replayText(header, out.slice(0, 1)), "a");
  assertEquals(replayText(header, out.slice(0, 2)), "ab");
});

Deno.test("an edit that only changes times or drops events never runs the emulator", async () => {
  const { out, result } = await edit([
    [1, "o", "a"],
    [2, "i", "x"],
    [8, "m", "m1"],
    [9, "r", "30x5"],
    [10, "o", "b"],
  ], { speed: [parseSpeed("2")], idleLimit: 2 * S, drop: ["input", "markers"] });
  assertEquals(out.map((e) => [e.time / S, e.code]), [[0.5, "o"], [1.5, "r"], [2, "o"]]);
  assertEquals(result.emulated, false);
});

Deno.test("with resizes dropped, the emulator keeps the one output size for its snapshots", async () => {
  const { out, header } = await edit(
    [
      [1, "o", "0123456789abcdef"],
      [2, "r", "8x3"],
      [3, "o", "\r\nxyz"],
      [4, "o", "!"],
    ],
    { cut: [r("2.5..3.5")], drop: ["resizes"] },
    { fixedSize: { cols: 20, rows: 3 } },
  );
  assertEquals([header.cols, header.rows], [20, 3]);
  assertEquals(out.map((e) => e.code), ["o", "o", "o"]);
  // At 20 columns the first line never wrapped, whatever the source's 8 columns did.
  assertEquals(replayText(header, out), "0123456789abcdef\nxyz!");
});

Deno.test("markers are added at their source times, after what happened then", async () => {
  const { out } = await edit([
    [1, "o", "a"],
    [2, "o", "b"],
    [5, "o", "c"],
  ], {
    cut: [r("3..4")],
    addMarkers: [parseAddMarker("2:two"), parseAddMarker("4.5:later")],
  });
  assertEquals(out.map((e) => [e.time / S, e.code, e.data]), [
    [1, "o", "a"],
    [2, "o", "b"],
    [2, "m", "two"],
    [3.5, "m", "later"],
    [4, "o", "c"],
  ]);
});

Deno.test("the editor stops reading once nothing after can be kept", async () => {
  const events: [number, string, string][] = [];
  for (let i = 1; i <= 100; i++) events.push([i, "o", `${i} `]);
  const { out, result, read } = await edit(events, { keep: [r("10..20")] });
  assertEquals(out.length, 11);
  assertEquals([result.stoppedEarly, read], [true, 21]);
});

Deno.test("an edit that keeps no event, or a range past the end, fails", async () => {
  await assertRejects(
    () => edit([[1, "m", "x"]], { drop: ["markers"] }),
    RangeError,
    "the edit leaves nothing of the recording, which lasts 00:01.000",
  );
  await assertRejects(
    () => edit([[1, "o", "x"], [2, "o", "y"]], { keep: [r("1..5")] }),
    RangeError,
    "--keep 1..5 ends after the end of the recording, which lasts 00:02.000",
  );
  // A cut to the exact end leaves the kept start, and nothing of the end's instant.
  const { out } = await edit([[1, "o", "x"], [2, "o", "y"]], { cut: [r("1..2")] });
  assertEquals(out.map((e) => e.data), ["x"]);
});
