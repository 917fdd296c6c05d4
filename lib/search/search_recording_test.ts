import { assertEquals } from "../../tests/_assert.ts";
import { openRecordingSource } from "../asciicast/reader.ts";
import { type SearchMatch, type SearchOptions, searchRecording } from "./search_recording.ts";

type Ev = [seconds: number, code: string, data: string];

/** Searches a v2 recording of `cols`x`rows` made of `events` (absolute times). */
async function search(
  events: Ev[],
  pattern: RegExp,
  options: SearchOptions & { cols?: number; rows?: number } = {},
): Promise<SearchMatch[]> {
  const header = { version: 2, width: options.cols ?? 40, height: options.rows ?? 5 };
  const text = [JSON.stringify(header), ...events.map((e) => JSON.stringify(e))].join("\n") + "\n";
  const bytes = new TextEncoder().encode(text);
  let sent = false;
  const recording = await openRecordingSource("test", {
    read(into) {
      if (sent) return Promise.resolve(null);
      sent = true;
      into.set(bytes);
      return Promise.resolve(bytes.length);
    },
    close() {},
  });
  const matches: SearchMatch[] = [];
  for await (const match of searchRecording(recording, pattern, options)) matches.push(match);
  return matches;
}

const brief = (matches: SearchMatch[]) => matches.map((m) => [m.time / 1e6, m.line]);

Deno.test("each match has the time of the event that drew it, also for lines drawn in one event", async () => {
  const matches = await search([
    [1, "o", "hit one\r\nmiss\r\nhit two\r\n"],
    [2, "o", "more output\r\n"],
    // Scrolls the earlier hits off (5 rows): they are not found again, at 3 s.
    [3, "o", "x\r\nx\r\nx\r\nx\r\nx\r\nx\r\n"],
    [4, "o", "and a hit at four"],
  ], /hit/);
  assertEquals(brief(matches), [[1, "hit one"], [1, "hit two"], [4, "and a hit at four"]]);
});

Deno.test("a match completed by a later event has the later event's time", async () => {
  const matches = await search([
    [1, "o", "hello wor"],
    [2, "o", "ld"],
  ], /world/);
  assertEquals(brief(matches), [[2, "hello world"]]);
});

Deno.test("a line drawn and scrolled away within one event is found, at that event's time", async () => {
  const lines = Array.from({ length: 50 }, (_, i) => `line ${i + 1}`).join("\r\n");
  const matches = await search([[0.5, "o", "start\r\n"], [7.25, "o", lines + "\r\n"]], /^line 17$/);
  assertEquals(brief(matches), [[7.25, "line 17"]]);
});

Deno.test("a line is reported again only when the text up to a match changes", async () => {
  const matches = await search([
    [1, "o", "$ make"],
    [2, "o", " test"], // typing after the match: the same match
    [3, "o", "\r\n[#    ] building"],
    [4, "o", "\r[##   ] building"], // a redraw that changes the text before the match
    [5, "o", "\r[##   ] building!"], // only after it
    [6, "o", "\r\x1b[2K$ make"], // erased and drawn again: a new line
  ], /make|building/);
  assertEquals(brief(matches), [
    [1, "$ make"],
    [3, "[#    ] building"],
    [4, "[##   ] building"],
    [6, "$ make"],
  ]);
});

Deno.test("matches carry their nearest marker, the ranges matched and the screen", async () => {
  const matches = await search([
    [1, "o", "before the marker\r\n"],
    [2, "m", "setup"],
    [3, "o", "ab ab\r\n"],
    [4, "m", ""],
    [5, "o", "\x1b[?1049h\x1b[Hab in vim"],
  ], /ab|before/);
  assertEquals(matches.map((m) => [m.marker, m.ranges, m.alternate]), [
    [undefined, [[0, 6]], false],
    [{ number: 1, label: "setup", time: 2e6 }, [[0, 2], [3, 5]], false],
    [{ number: 2, label: "", time: 4e6 }, [[0, 2]], true],
  ]);
});

Deno.test("text only inside escape sequences never matches", async () => {
  const matches = await search([
    [1, "o", "\x1b]0;secret\x07\x1b]8;;https://secret.example/\x1b\\click\x1b]8;;\x1b\\"],
    [2, "o", "\x1b[38;2;1;2;3msecretless\x1b[0m"],
  ], /secret\b|click/);
  assertEquals(brief(matches), [[1, "click"]]);
});

Deno.test("--context collects the lines that changed in the seconds before and after", async () => {
  const matches = await search(
    [
      [1, "o", "old\r\n"],
      [5, "o", "near before\r\n"],
      [6, "o", "THE MATCH\r\n"],
      [7, "o", "near after\r\n"],
      [20, "o", "far after\r\n"],
    ],
    /MATCH/,
    { contextSeconds: 2, rows: 10 },
  );
  assertEquals(matches.length, 1);
  assertEquals(matches[0]!.before?.map((c) => [c.time / 1e6, c.line]), [[5, "near before"]]);
  assertEquals(matches[0]!.after?.map((c) => [c.time / 1e6, c.line]), [[7, "near after"]]);
});

Deno.test("a resize keeps lines found before it from being found again", async () => {
  const matches = await search([
    [1, "o", "found once\r\n"],
    [2, "r", "60x8"],
    [3, "o", "found twice"],
  ], /found/);
  assertEquals(brief(matches), [[1, "found once"], [3, "found twice"]]);
});

Deno.test("on the alternate screen a row rewritten with another line is found again; typing on it is not", async () => {
  const matches = await search(
    [
      [1, "o", "\x1b[?1049h\x1b[H\x1b[2Jneedle-5 in a haystack\r\nneedle-6 in a haystack"],
      // A full-screen program shows other lines in the same rows, rewriting only what differs.
      [2, "o", "\x1b[1;8H139 in a haystack\x1b[2;8H140 in a haystack"],
      // Typing at the end of a row is the same line.
      [3, "o", "\x1b[2;25H!"],
      [4, "o", "!"],
    ],
    /needle/,
    { cols: 40 },
  );
  assertEquals(brief(matches), [
    [1, "needle-5 in a haystack"],
    [1, "needle-6 in a haystack"],
    [2, "needle-139 in a haystack"],
    [2, "needle-140 in a haystack"],
  ]);
});
