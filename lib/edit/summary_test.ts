import { assertEquals } from "../../tests/_assert.ts";
import type { Event } from "../asciicast/event.ts";
import { formatSummary, summarizeRecording } from "./summary.ts";

const S = 1_000_000;

async function* each(events: Event[]) {
  yield* events;
}

Deno.test("the summary lists markers, resizes, the largest size and pauses over the limit", async () => {
  const summary = await summarizeRecording(
    { version: 2, cols: 80, rows: 24, title: "demo", idleTimeLimit: 3 },
    each([
      { time: 0.5 * S, code: "o", data: "$ " },
      { time: 4 * S, code: "m", data: "setup" },
      { time: 4.5 * S, code: "r", data: "100x20" },
      { time: 5 * S, code: "r", data: "90x30" },
      { time: 62.25 * S, code: "m", data: "" },
      { time: 63 * S, code: "o", data: "done" },
    ]),
    { idleLimit: 3 * S },
  );
  assertEquals(summary.duration, 63 * S);
  assertEquals(summary.largest, { cols: 100, rows: 30 });
  assertEquals(summary.gaps, [{ from: 0.5 * S, to: 4 * S }, { from: 5 * S, to: 62.25 * S }]);
  assertEquals(
    formatSummary("demo.cast", summary),
    `demo.cast: asciicast v2, 80x24, 6 events
duration  01:03.000
title     "demo"
idle_time_limit  3 s (players apply it)
markers   2
  m1  00:04.000  "setup"
  m2  01:02.250  ""
resizes   2
  00:04.500  100x20
  00:05.000  90x30
pauses over 3 s   2
  00:00.500..00:04.000  3.500 s
  00:05.000..01:02.250  57.250 s
`,
  );
});

Deno.test("long lists keep their first entries and count the rest", async () => {
  const events: Event[] = [];
  for (let i = 1; i <= 30; i++) events.push({ time: i * 10 * S, code: "r", data: `${i}x5` });
  const summary = await summarizeRecording({ version: 3, cols: 2, rows: 5 }, each(events), {
    maxListed: 4,
  });
  assertEquals([summary.resizes.length, summary.resizeCount], [4, 30]);
  assertEquals([summary.gaps.length, summary.gapCount], [4, 30]);
  const text = formatSummary("x", summary);
  assertEquals(text.includes("  … and 26 more\n"), true);
});
