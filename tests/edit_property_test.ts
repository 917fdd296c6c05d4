/**
 * The property `edit` exists for: whatever is cut, kept, sped up or dropped, the screen after
 * every output event equals the source's screen at the mapped source moment — cell by cell
 * (characters, width, colours, attributes), soft wraps and cursor.
 *
 * Seeded random recordings (control-heavy output, alternate screen, scroll regions, wide
 * characters, resizes, input and markers) are edited under random operation lists. The
 * output is replayed into a fresh terminal, and compared with the source replayed into
 * another. The test's own model (written apart from `lib/edit`) says which source events
 * must be copied, byte for byte and in order, and at what output time every event must be.
 */
import { assert, assertEquals } from "./_assert.ts";
import { mulberry32 } from "./_mulberry32.ts";
import type { Event, Header } from "../lib/asciicast/event.ts";
import { parseSize } from "../lib/asciicast/event.ts";
import type { EditOperations, TimeRange } from "../lib/edit/operations.ts";
import { planEdit } from "../lib/edit/plan.ts";
import { editRecording } from "../lib/edit/editor.ts";
import { Vt } from "../lib/vt/vt.ts";
import { diffScreens, type Screen } from "../lib/vt/screen.ts";

const ESC = "\x1b";
const CSI = "\x1b[";

type Random = () => number;

function tools(random: Random) {
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  return { int, pick };
}

/**
 * What a recording may use. xterm reaches a few states that no terminal output recreates
 * (known losses of snapshots, listed in lib/vt/_serialize.ts), so each recording leaves out
 * what leads there:
 * - a cursor restore can leave an active character set other than the designated ones:
 *   character sets or saved cursors, not both;
 * - a wide character printed in the last column with auto-wrap off leaves half of it:
 *   wide characters or auto-wrap off, not both;
 * - a terminal that gets smaller keeps what fell outside (text beyond the right edge,
 *   lines of the alternate screen, saved cursors below the screen, tab stops beyond the
 *   right edge, empty cells with attributes that later reflow differently from spaces)
 *   and shows it again when it grows: a recording whose terminal shrinks has no saved
 *   cursors, no wide characters, no tab stops of its own, and no alternate screen after
 *   it shrank; the others only grow.
 */
interface Flavor {
  /** Character sets (`ESC ( 0`) rather than saved cursors (`ESC 7`, `CSI s`, mode 1049). */
  charsets: boolean;
  /** Wide characters rather than auto-wrap off. */
  wide: boolean;
  /** The terminal may get smaller. */
  shrinks: boolean;
}

/** Output pieces a terminal program might write, weighted toward control sequences. */
function outputPiece(random: Random, flavor: Flavor): string {
  const { int, pick } = tools(random);
  const text = ["hello", "a b", "é", "    ", "$ ls -la"];
  if (flavor.wide) text.push("中文", "😀", "ｶﾀｶﾅ", "한글");
  const screens = ["?47h", "?47l", "?1047h", "?1047l"];
  if (!flavor.charsets) screens.push("?1049h", "?1049l");
  const modes = ["r", "?6h", "?6l", "?7h", "4h", "4l", "?25l", "?25h", "?1h"];
  if (!flavor.wide) modes.push("?7l");
  const pieces: (() => string)[] = [
    () => pick(text),
    () => "xyz".repeat(int(12)),
    () =>
      `${CSI}${
        pick([
          "0",
          "1",
          "2",
          "3",
          "4",
          "5",
          "7",
          "9",
          "22",
          "31",
          "42",
          "93",
          "104",
          `38;5;${int(256)}`,
          `48;5;${int(256)}`,
          `38;2;${int(256)};${int(256)};${int(256)}`,
          "39",
          "49",
        ])
      }m`,
    () => `${CSI}${1 + int(12)};${1 + int(30)}H`,
    () => pick(["\r\n", "\n", "\r", "\b", "\t"]),
    () => pick(["\r\n", "\r\n\r\n", "line\r\n"]),
    () => CSI + pick(["K", "1K", "2K", "J", "1J", "2J", `${int(5)}X`, `${int(4)}P`, `${int(4)}@`]),
    () => CSI + pick([`${int(3)}L`, `${int(3)}M`, `${int(3)}S`, `${int(3)}T`, `${int(5)}C`]),
    () => CSI + pick(screens),
    () =>
      flavor.charsets
        ? ESC + pick(["(0", "(B"])
        : pick([`${ESC}7`, `${ESC}8`, `${CSI}s`, `${CSI}u`]),
    () => `${CSI}${1 + int(4)};${3 + int(6)}r`,
    () => CSI + pick(modes),
    () => ESC + pick(flavor.shrinks ? ["M", "D", "E"] : ["M", "D", "E", "H"]),
    () => pick([`${CSI}3`, `${ESC}]0;title`, "\x07", `${CSI}38;5;`]),
  ];
  return pick(pieces)();
}

// deno-lint-ignore no-control-regex -- the switches are escape sequences
const ALT_SWITCH = /\x1b\[\?(?:1049|47|1047)([hl])/g;

function randomRecording(random: Random): { header: Header; events: Event[] } {
  const { int, pick } = tools(random);
  const header: Header = { version: 3, cols: 3 + int(30), rows: 2 + int(11) };
  const events: Event[] = [];
  const shrinks = random() < 0.35;
  const flavor: Flavor = {
    charsets: shrinks || random() < 0.5,
    wide: !shrinks && random() < 0.7,
    shrinks,
  };
  let time = 0;
  let size = { cols: header.cols, rows: header.rows };
  let alternate = false;
  let shrunk = false;
  for (let n = 10 + int(70); n > 0; n--) {
    const r = random();
    if (r > 0.15) time += r < 0.9 ? 1000 + int(800_000) : 1_000_000 + int(5_000_000);
    const kind = random();
    if (kind < 0.74) {
      let data = "";
      for (let k = 1 + int(6); k > 0; k--) data += outputPiece(random, flavor);
      // No alternate screen after the terminal got smaller (see Flavor).
      if (shrunk) data = data.replace(ALT_SWITCH, "");
      events.push({ time, code: "o", data });
      const switches = [...data.matchAll(ALT_SWITCH)];
      if (switches.length > 0) alternate = switches.at(-1)![1] === "h";
    } else if (kind < 0.84) {
      // (See Flavor.)
      const next = { cols: 3 + int(30), rows: 2 + int(11) };
      if (!flavor.shrinks || alternate) next.cols = Math.max(next.cols, size.cols);
      if (!flavor.shrinks || alternate) next.rows = Math.max(next.rows, size.rows);
      shrunk ||= next.cols < size.cols || next.rows < size.rows;
      size = next;
      events.push({ time, code: "r", data: `${size.cols}x${size.rows}` });
    } else if (kind < 0.92) {
      events.push({ time, code: "i", data: pick(["a", "\r", "\x1b[A"]) });
    } else {
      events.push({ time, code: "m", data: pick(["setup", "build", "", "end"]) });
    }
  }
  if (random() < 0.3) events.push({ time: time + int(1_000_000), code: "x", data: "0" });
  return { header, events };
}

/** A range of source times as `--keep`/`--cut`/`--speed` take it (maybe open-ended). */
function randomRange(random: Random, events: Event[], duration: number): [number, number] {
  const { int, pick } = tools(random);
  const time = () =>
    random() < 0.5 ? pick(events).time : Math.round(random() * duration / 1000) * 1000;
  let a = time();
  let b = time();
  if (a > b) [a, b] = [b, a];
  if (a === b) b = a + 1000 + int(1_000_000);
  return [a, b];
}

function toRange(from: number, to: number, duration: number, random: Random): TimeRange {
  const range: TimeRange = {};
  if (from > 0 || random() < 0.5) range.from = { kind: "time", time: from };
  if (to < duration || random() < 0.5) range.to = { kind: "time", time: to };
  if (range.from === undefined && range.to === undefined) range.to = { kind: "time", time: to };
  return range;
}

interface Case {
  header: Header;
  events: Event[];
  ops: EditOperations;
  /** Model: kept ranges, cut ranges and ranged speeds in source microseconds. */
  keeps: [number, number][];
  cuts: [number, number][];
  speeds: [number, number, number][];
  baseSpeed: number;
}

function randomCase(random: Random): Case {
  const { int, pick } = tools(random);
  const { header, events } = randomRecording(random);
  const duration = events.at(-1)!.time;
  const keeps: [number, number][] = [];
  const cuts: [number, number][] = [];
  const speeds: [number, number, number][] = [];
  const ops: EditOperations = { keep: [], cut: [], speed: [], drop: [], addMarkers: [] };
  if (duration > 0) {
    for (let n = random() < 0.5 ? int(3) : 0; n > 0; n--) {
      const [a, b] = randomRange(random, events, duration);
      keeps.push([a, Math.min(b, duration)]);
      ops.keep.push({ range: toRange(a, Math.min(b, duration), duration, random), text: "k" });
    }
    for (let n = int(4); n > 0; n--) {
      const [a, b] = randomRange(random, events, duration);
      cuts.push([a, Math.min(b, duration)]);
      ops.cut.push({ range: toRange(a, Math.min(b, duration), duration, random), text: "c" });
    }
    if (random() < 0.4) {
      const [a, b] = randomRange(random, events, duration);
      const factor = pick([0.5, 2, 3.7, 10]);
      speeds.push([a, Math.min(b, duration), factor]);
      ops.speed.push({
        factor,
        range: toRange(a, Math.min(b, duration), duration, random),
        text: "s",
      });
    }
  }
  let baseSpeed = 1;
  if (random() < 0.4) {
    baseSpeed = pick([0.25, 1.5, 2, 7]);
    ops.speed.push({ factor: baseSpeed, text: "s" });
  }
  if (random() < 0.4) ops.idleLimit = 100_000 + int(2_000_000);
  for (const kind of ["input", "markers", "resizes"] as const) {
    if (random() < 0.2) ops.drop.push(kind);
  }
  const model = { keeps, cuts };
  for (let n = random() < 0.3 ? 1 + int(2) : 0; n > 0; n--) {
    const kept = events.filter((e) => keptAt(model, e.time, duration));
    if (kept.length === 0) break;
    ops.addMarkers.push({
      at: { kind: "time", time: pick(kept).time },
      label: `added-${n}`,
      text: "a",
    });
  }
  if (random() < 0.2) ops.title = "edited";
  return { header, events, ops, keeps, cuts, speeds, baseSpeed };
}

/**
 * The model's kept set before instants are removed: within the recording, in a keep (if
 * any), not inside a cut.
 */
function inKeptSet(model: Pick<Case, "keeps" | "cuts">, t: number, duration: number): boolean {
  if (t < 0 || t > duration) return false;
  const keep = model.keeps.length === 0 || model.keeps.some(([a, b]) => a <= t && t <= b);
  return keep && !model.cuts.some(([c, d]) => c < t && t < d);
}

/**
 * Whether source time `t` is kept: in the kept set, and not an isolated instant of it (a
 * cut that starts where a keep starts leaves no instant behind). A recording that lasts 0
 * s is kept whole.
 */
function keptAt(model: Pick<Case, "keeps" | "cuts">, t: number, duration: number): boolean {
  if (!inKeptSet(model, t, duration)) return false;
  if (duration === 0) return true;
  return inKeptSet(model, t - 0.25, duration) || inKeptSet(model, t + 0.25, duration);
}

/** Whether a kept part starts at `t` after removed time (there the screen is rebuilt). */
function startsAfterRemoved(model: Pick<Case, "keeps" | "cuts">, t: number, duration: number) {
  return t > 0 && keptAt(model, t, duration) && !keptAt(model, t - 0.25, duration);
}

/** Output time between two source times, by the model: kept time, idle limit, speed. */
function modelGap(c: Case, from: number, to: number, duration: number): number {
  if (to <= from) return 0;
  const points = new Set([from, to]);
  const ends = [...c.keeps, ...c.cuts, ...c.speeds].flatMap(([a, b]) => [a, b]);
  for (const p of ends) if (p > from && p < to) points.add(p);
  const sorted = [...points].sort((a, b) => a - b);
  let kept = 0;
  let played = 0;
  for (let i = 1; i < sorted.length; i++) {
    const x = sorted[i - 1]!;
    const y = sorted[i]!;
    const mid = (x + y) / 2;
    if (!keptAt(c, mid, duration)) continue;
    const ranged = c.speeds.find(([a, b]) => a <= mid && mid < b);
    kept += y - x;
    played += (y - x) / (ranged ? ranged[2] : c.baseSpeed);
  }
  const limit = c.ops.idleLimit;
  return limit !== undefined && kept > limit ? played * limit / kept : played;
}

interface OutEvent {
  event: Event;
  sourceTime: number;
  sourceEvents: number;
}

async function runCase(c: Case, knowDuration: boolean) {
  const duration = c.events.at(-1)!.time;
  const dropResizes = c.ops.drop.includes("resizes");
  const largest = { cols: c.header.cols, rows: c.header.rows };
  for (const e of c.events) {
    const size = e.code === "r" ? parseSize(e.data) : undefined;
    if (size) {
      largest.cols = Math.max(largest.cols, size.cols);
      largest.rows = Math.max(largest.rows, size.rows);
    }
  }
  const plan = planEdit(c.ops, knowDuration ? { duration } : {});
  let header: Header | undefined;
  const out: OutEvent[] = [];
  async function* source() {
    yield* c.events.map((e) => ({ ...e }));
  }
  await editRecording(c.header, source(), plan, {
    begin: (h) => header = h,
    event: (event, sourceTime, sourceEvents) => out.push({ event, sourceTime, sourceEvents }),
    drain: () => Promise.resolve(),
  }, { fixedSize: dropResizes ? largest : undefined });
  return { header: header!, out, duration, largest };
}

/** The source screen after each number of events in `wanted`. */
function sourceScreens(
  c: Case,
  wanted: Set<number>,
  fixed: { cols: number; rows: number } | undefined,
): Map<number, Screen> {
  const screens = new Map<number, Screen>();
  using vt = new Vt(fixed?.cols ?? c.header.cols, fixed?.rows ?? c.header.rows, { sync: true });
  if (wanted.has(0)) screens.set(0, vt.screen());
  c.events.forEach((e, i) => {
    if (e.code === "o") vt.feed(e.data);
    if (e.code === "r" && !fixed) {
      const size = parseSize(e.data)!;
      vt.resize(size.cols, size.rows);
    }
    if (wanted.has(i + 1)) screens.set(i + 1, vt.screen());
  });
  return screens;
}

function checkCase(c: Case, result: Awaited<ReturnType<typeof runCase>>, context: string): void {
  const { header, out, duration, largest } = result;
  const dropped = new Set(
    c.ops.drop.map((k) => ({ input: "i", markers: "m", resizes: "r" })[k] as string),
  );
  // 1. The copies: exactly the kept source events, in order, byte for byte; anything else
  // is an added marker or a screen rebuild (a resize and a snapshot) where a part starts.
  // Where a part starts after removed time, output and resizes at that very instant are in
  // the rebuilt screen rather than copied.
  const before = (t: number) => c.events.filter((e) => e.time <= t).length;
  const expected = c.events.flatMap((e, i) => {
    if (!keptAt(c, e.time, duration) || dropped.has(e.code)) return [];
    const folded = (e.code === "o" || e.code === "r") && startsAfterRemoved(c, e.time, duration);
    return folded ? [] : [i];
  });
  let next = 0;
  const addedLabels = c.ops.addMarkers.map((m) => m.label).sort();
  const added: string[] = [];
  for (const o of out) {
    const i = expected[next];
    const e = i === undefined ? undefined : c.events[i];
    if (
      e && o.sourceTime === e.time && o.event.code === e.code && o.event.data === e.data &&
      !(o.event.code === "m" && o.event.data.startsWith("added-"))
    ) {
      // The screen then is the source's after this event, or after the whole instant for
      // an event that waited for a rebuild.
      const reflects = startsAfterRemoved(c, e.time, duration) ? before(e.time) : i! + 1;
      assertEquals(o.sourceEvents, reflects, `${context}: copy of source event ${i}`);
      next++;
    } else if (o.event.code === "m" && o.event.data.startsWith("added-")) {
      added.push(o.event.data);
    } else {
      // A rebuild: where a kept part starts (kept, with removed time just before), and it
      // reflects exactly the source events before that moment.
      const s = o.sourceTime;
      assert(o.event.code === "o" || o.event.code === "r", `${context}: stray ${o.event.code}`);
      assert(startsAfterRemoved(c, s, duration), `${context}: rebuild at ${s}`);
      assertEquals(o.sourceEvents, before(s), context);
    }
  }
  assertEquals(next, expected.length, `${context}: every kept event is copied`);
  assertEquals(added.sort(), addedLabels, `${context}: added markers`);

  // 2. Times: each event where the model puts it (idle limit between the events written).
  let outTime = 0;
  let last = 0;
  for (const o of out) {
    outTime += modelGap(c, last, o.sourceTime, duration);
    last = o.sourceTime;
    assert(
      Math.abs(o.event.time - outTime) <= 1,
      `${context}: time ${o.event.time} vs ${outTime} at source ${o.sourceTime}`,
    );
  }

  // 3. Screens: the output replayed, after every event, against the source at that point.
  const fixed = c.ops.drop.includes("resizes") ? largest : undefined;
  const screens = sourceScreens(c, new Set(out.map((o) => o.sourceEvents)), fixed);
  using vt = new Vt(header.cols, header.rows, { sync: true });
  out.forEach((o, n) => {
    if (o.event.code === "o") vt.feed(o.event.data);
    if (o.event.code === "r") {
      const size = parseSize(o.event.data)!;
      vt.resize(size.cols, size.rows);
    }
    // A rebuild's resize and snapshot form one step: compare after the last event of a step.
    if (out[n + 1]?.sourceEvents === o.sourceEvents) return;
    const want = screens.get(o.sourceEvents)!;
    const diff = diffScreens(asSeen(want), asSeen(vt.screen()));
    assertEquals(diff, [], `${context}: after output event ${n} (source event ${o.sourceEvents})`);
  });
}

/**
 * The screen as a viewer sees it: an empty cell looks like a space with the same colours
 * and attributes. (A snapshot writes the few empty cells that carry attributes no sequence
 * leaves on an empty cell as such spaces; see lib/vt/_serialize.ts.)
 */
function asSeen(screen: Screen): Screen {
  for (const line of screen.lines) {
    for (const cell of line.cells) if (cell.chars === "" && cell.width === 1) cell.chars = " ";
  }
  return screen;
}

Deno.test("edited recordings show the source's screen after every event, for random edits", async () => {
  const random = mulberry32(1111);
  let checked = 0;
  let snapshots = 0;
  let nothingLeft = 0;
  for (let n = 0; n < 1000; n++) {
    const c = randomCase(random);
    const context = `case ${n}: ${JSON.stringify({ header: c.header, ops: c.ops })}`;
    const duration = c.events.at(-1)!.time;
    const anyKept = c.events.some((e) => keptAt(c, e.time, duration));
    let result;
    try {
      result = await runCase(c, random() < 0.5);
    } catch (error) {
      // Only an edit that keeps no time of the recording may be refused.
      assert(error instanceof RangeError, `${context}: ${error}`);
      assert(/leaves nothing/.test(error.message), `${context}: ${error.message}`);
      assert(!anyKept || c.events.every((e) => !keptAt(c, e.time, duration)), context);
      nothingLeft++;
      continue;
    }
    checkCase(c, result, context);
    checked++;
    snapshots += result.out.filter((o) =>
      o.event.code === "o" && o.sourceEvents !== 0 &&
      !c.events.some((e, i) => i + 1 === o.sourceEvents && e.data === o.event.data)
    ).length;
  }
  // The cases really exercised rebuilt screens, and most edits left something.
  assert(checked > 700, `${checked} cases checked`);
  assert(snapshots > 100, `${snapshots} snapshots checked`);
  assert(nothingLeft > 0, "some edits left nothing");
});
