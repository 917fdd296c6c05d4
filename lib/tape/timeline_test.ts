import { assertEquals } from "../../tests/_assert.ts";
import type { Event } from "../asciicast/event.ts";
import { Timeline } from "./timeline.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

function makeTimeline(framerate = 50) {
  const events: Event[] = [];
  return { events, timeline: new Timeline({ framerate, emit: (e) => events.push(e) }) };
}

Deno.test("timeline places key output at the key press, however late it came", () => {
  const { events, timeline } = makeTimeline();
  timeline.begin(1000, 50_000, { key: true });
  timeline.output(bytes("l"), 1000.3);
  timeline.output(bytes("-program start-"), 1043);
  timeline.end(1050);
  timeline.begin(1050, 50_000, { key: true });
  timeline.output(bytes("s"), 1051);
  timeline.end(1100);
  timeline.finish(0);
  assertEquals(events, [
    { time: 0, code: "o", data: "l-program start-" },
    { time: 50_000, code: "o", data: "s" },
    { time: 100_000, code: "x", data: "0" },
  ]);
});

Deno.test("timeline places Sleep output at its real delay, rounded down to the frame", () => {
  const { events, timeline } = makeTimeline(50);
  timeline.begin(0, 1_000_000);
  timeline.output(bytes("a"), 5); // 5 ms → frame 0
  timeline.output(bytes("b"), 19.9); // 14.9 ms after "a": the same frame, one event
  timeline.output(bytes("c"), 45); // 25.1 ms after "b" → 20 ms
  timeline.end(1000);
  timeline.finish();
  assertEquals(events, [
    { time: 0, code: "o", data: "ab" },
    { time: 20_000, code: "o", data: "c" },
  ]);
});

Deno.test("timeline measures output from the output before it, across steps", () => {
  const { events, timeline } = makeTimeline(50);
  // A program started by Enter prints at 37 ms (placed at the key), then 301 ms later.
  timeline.begin(100, 50_000, { key: true });
  timeline.output(bytes("\r\n"), 101);
  timeline.output(bytes("ready"), 137);
  timeline.end(150);
  timeline.begin(150, 1_000_000);
  timeline.output(bytes("tick"), 438);
  timeline.end(1150);
  timeline.finish();
  // "tick" is 301 ms after "ready" (placed at tape 0): 300 ms; measured from the Sleep's
  // start it would be 50 + 280 = 330 ms, and move with the program's start-up time.
  assertEquals(events.map((e) => [e.time, e.data]), [[0, "\r\nready"], [300_000, "tick"]]);
});

Deno.test("timeline caps output at the step's length and keeps times in order", () => {
  const { events, timeline } = makeTimeline(50);
  timeline.resync();
  timeline.begin(0, 100_000);
  timeline.output(bytes("late"), 500);
  timeline.end(100);
  timeline.finish();
  assertEquals(events, [{ time: 100_000, code: "o", data: "late" }]);
});

Deno.test("timeline measures from the step's start after a resync", () => {
  const { events, timeline } = makeTimeline(50);
  timeline.begin(0, 0, { key: true });
  timeline.output(bytes("x"), 1);
  timeline.end(0);
  timeline.resync(); // e.g. a Sleep skipped by --fast
  timeline.begin(5000, 1_000_000);
  timeline.output(bytes("y"), 5045);
  timeline.end(6000);
  timeline.finish();
  assertEquals(events.map((e) => e.time), [0, 40_000]);
});

Deno.test("timeline gives a Wait the length up to the output it waited for", () => {
  const { events, timeline } = makeTimeline(50);
  timeline.resync();
  timeline.begin(0, undefined);
  timeline.output(bytes("done"), 1234);
  assertEquals(timeline.end(1234), 1_220_000);
  assertEquals(timeline.now, 1_220_000);
  timeline.begin(1234, undefined);
  assertEquals(timeline.end(1234), 0, "a Wait that matched at once takes no time");
  timeline.finish();
  assertEquals(events, [{ time: 1_220_000, code: "o", data: "done" }]);
});

Deno.test("timeline leaves hidden output out and shows the snapshot at Show", () => {
  const { events, timeline } = makeTimeline(50);
  timeline.begin(0, 50_000, { key: true });
  timeline.output(bytes("a"), 1);
  timeline.end(50);
  timeline.setHidden(true);
  timeline.begin(60, 500_000, { key: true });
  timeline.output(bytes("secret"), 61);
  timeline.end(560);
  assertEquals(timeline.now, 50_000, "hidden steps take no recording time");
  timeline.setHidden(false, "SNAPSHOT");
  timeline.finish(0);
  assertEquals(events, [
    { time: 0, code: "o", data: "a" },
    { time: 50_000, code: "o", data: "SNAPSHOT" },
    { time: 50_000, code: "x", data: "0" },
  ]);
});

Deno.test("timeline joins a character split between reads, and cuts huge events by content", () => {
  const { events, timeline } = makeTimeline(50);
  const euro = bytes("€");
  timeline.begin(0, 50_000, { key: true });
  timeline.output(euro.subarray(0, 1), 1);
  timeline.output(euro.subarray(1), 2);
  timeline.output(bytes("x".repeat(300 * 1024)), 3);
  timeline.end(50);
  timeline.finish();
  assertEquals(events.map((e) => [e.time, e.data.length]), [[0, 256 * 1024], [0, 44 * 1024 + 1]]);
  assertEquals(events[0]!.data[0], "€");
});

Deno.test("timeline quantizes to fractional frame intervals", () => {
  const { timeline } = makeTimeline(60);
  assertEquals(timeline.quantize(16_666), 0);
  assertEquals(timeline.quantize(16_667), 16_667);
  assertEquals(timeline.quantize(50_001), 50_000);
});

Deno.test("timeline gives a key's late output to the key within as long again after it", () => {
  const { events, timeline } = makeTimeline(50);
  timeline.begin(0, 50_000, { key: true }); // Enter
  timeline.output(bytes("\r\n"), 1);
  timeline.end(50);
  timeline.begin(50, 1_000_000); // Sleep 1s
  timeline.output(bytes("late prompt"), 95); // 45 ms after the key's end: still the key's
  timeline.output(bytes("later"), 230); // past the grace: 135 ms after the last → 120 ms
  timeline.end(1050);
  timeline.finish();
  assertEquals(events.map((e) => [e.time, e.data]), [[0, "\r\nlate prompt"], [120_000, "later"]]);
});

Deno.test("timeline gives a key that takes no time the grace it is given", () => {
  const { events, timeline } = makeTimeline(50);
  timeline.begin(0, 0, { key: true, grace: 50_000 }); // Ctrl+C
  timeline.end(0);
  timeline.begin(0, 500_000); // Sleep
  timeline.output(bytes("^C"), 30);
  timeline.output(bytes("!"), 60);
  timeline.end(500);
  timeline.finish();
  assertEquals(events.map((e) => [e.time, e.data]), [[0, "^C"], [20_000, "!"]]);
});
