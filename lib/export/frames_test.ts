import { assert, assertEquals } from "../../tests/_assert.ts";
import type { Event } from "../asciicast/event.ts";
import { parseTimePoint } from "../asciicast/time_spec.ts";
import { screenText } from "../vt/screen.ts";
import { type Frame, FrameTimeline } from "./frames.ts";
import { type ExportOptions, exportSettings } from "./options.ts";

const S = 1_000_000;

function frames(events: Event[], options: ExportOptions = {}, cols = 20, rows = 3) {
  const out: { text: string; time: number; duration: number }[] = [];
  const settings = exportSettings({ lastFrame: 0, ...options }, { version: 3, cols, rows });
  using timeline = new FrameTimeline(settings, (f: Frame) => {
    out.push({ text: screenText(f.screen), time: f.time, duration: f.duration });
  });
  for (const e of events) timeline.event(e);
  timeline.finish();
  return out;
}

const o = (time: number, data: string): Event => ({ time, code: "o", data });

Deno.test("timeline makes one frame per distinct screen and sums the delays of repeats", () => {
  const out = frames([
    o(0, "a"),
    o(1 * S, "\x1b[0m"), // changes nothing visible
    o(2 * S, "b"),
    o(3 * S, "\rab"), // redraws the same line
  ], { fps: 10 });
  assertEquals(out.map((f) => f.text), ["a", "ab"]);
  assertEquals(out.map((f) => f.time), [0, 2 * S]);
  assertEquals(out[0]!.duration, 2 * S);
  assertEquals(out[1]!.duration, 1 * S);
});

Deno.test("timeline merges changes within one frame interval (the fps cap)", () => {
  const events = [...Array(50).keys()].map((i) => o(i * 10_000, String(i % 10)));
  const out = frames(events, { fps: 10 });
  // 0.49 s of changes at 10 frames per second: 5 frames, each showing its interval's last state.
  assertEquals(out.length, 5);
  assertEquals(out.map((f) => f.time), [0, 100_000, 200_000, 300_000, 400_000]);
  assertEquals(out.at(-1)!.text, "01234567890123456789\n01234567890123456789\n0123456789");
});

Deno.test("timeline caps pauses at the idle limit, then applies the speed", () => {
  const out = frames([o(0, "a"), o(10 * S, "b"), o(11 * S, "c")], { idleLimit: 2, speed: 2 });
  assertEquals(out.map((f) => f.time), [0, 1 * S, 1.5 * S]);
});

Deno.test("the recording's idle time limit is the default, else 2 s", () => {
  const events = [o(0, "a"), o(10 * S, "b")];
  const settings = (idleTimeLimit?: number) =>
    exportSettings({ lastFrame: 0 }, { version: 3, cols: 10, rows: 2, idleTimeLimit });
  assertEquals(settings(0.5).idleLimit, 500_000);
  assertEquals(settings().idleLimit, 2 * S);
  assertEquals(frames(events).map((f) => f.time), [0, 2 * S]);
});

Deno.test("--from starts with the screen as it was, without frames before it", () => {
  const events: Event[] = [
    o(0, "one\r\n"),
    o(1 * S, "two\r\n"),
    { time: 2 * S, code: "m", data: "go" },
    o(3 * S, "three"),
  ];
  const out = frames(events, { from: parseTimePoint("marker:go") });
  assertEquals(out.map((f) => f.text), ["one\ntwo", "one\ntwo\nthree"]);
  assertEquals(out.map((f) => f.time), [0, 1 * S]);
});

Deno.test("--to ends the timeline there, and --at gives the one screen at that moment", () => {
  const events = [o(0, "a"), o(1 * S, "b"), o(2 * S, "c"), o(5 * S, "d")];
  const cut = frames(events, { to: parseTimePoint("2.5") });
  assertEquals(cut.map((f) => f.text), ["a", "ab", "abc"]);
  assertEquals(cut.at(-1)!.time + cut.at(-1)!.duration, 2.5 * S);
  const still = frames(events, { at: parseTimePoint("1.5") });
  assertEquals(still.map((f) => f.text), ["ab"]);
});

Deno.test("the last frame is held for lastFrame seconds", () => {
  const out = frames([o(0, "a"), o(1 * S, "b")], { lastFrame: 3 });
  assertEquals(out.at(-1)!.duration, 3 * S);
});

Deno.test("a marker that does not exist is an error naming the markers there are", () => {
  let error: unknown;
  try {
    frames([o(0, "a"), { time: 1, code: "m", data: "intro" }], {
      from: parseTimePoint("marker:outro"),
    });
  } catch (e) {
    error = e;
  }
  assert(error instanceof RangeError);
  assert(/"outro".*"intro"/.test(error.message), error.message);
});

Deno.test("--cols/--rows render at another size and ignore resizes", () => {
  const out = frames([o(0, "abcdefghij"), { time: 1, code: "r", data: "4x2" }], {
    cols: 5,
    rows: 3,
  });
  assertEquals(out.at(-1)!.text, "abcde\nfghij");
});
