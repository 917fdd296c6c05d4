/**
 * Starting playback in the middle of a recording with the right screen: everything before
 * the starting point is played, as fast as it can be parsed, into a headless terminal, whose
 * snapshot then redraws that screen in one go before playback goes on from there.
 *
 * @module
 */
import { type Event, formatSize } from "../asciicast/event.ts";
import type { Recording } from "../asciicast/reader.ts";
import {
  formatClock,
  type Marker,
  resolveTimePoint,
  type TimePoint,
} from "../asciicast/time_spec.ts";
import { parseSize, sizeProblem } from "../asciicast/event.ts";
import { Vt } from "../vt/vt.ts";

/**
 * Clears the terminal the snapshot is played into (it may hold anything: it is the user's
 * terminal, not a fresh one): default pen, no margins, cursor home, screen erased.
 */
const CLEAR = "\x1b[0m\x1b[r\x1b[H\x1b[2J";

/** Options for {@linkcode eventsFrom}. */
export interface EventsFromOptions {
  /** Called now and then with the time (µs) reached while skipping, for a progress line. */
  onProgress?: (time: number) => void;
}

/**
 * The events of `recording` from `point` on (a time, or a marker by label or number): first
 * an `r` event with the terminal's size at that point (when it differs from the header's)
 * and one `o` event at time 0 that clears the terminal and redraws the screen as it was
 * there, then the events from that point, with times counted from it.
 *
 * @throws {RangeError} (rejects) when the marker does not exist or the recording ends
 * before the time.
 * @example
 * ```ts
 * import { openRecordingSource } from "../asciicast/reader.ts";
 * import { eventsFrom } from "./events_from.ts";
 * const text = '{"version":3,"term":{"cols":20,"rows":3}}\n' +
 *   '[1, "o", "first"]\n[1, "m", "later"]\n[1, "o", " second"]\n';
 * const bytes = new TextEncoder().encode(text);
 * let sent = false;
 * const recording = await openRecordingSource("demo", {
 *   read(into) {
 *     if (sent) return Promise.resolve(null);
 *     sent = true;
 *     into.set(bytes);
 *     return Promise.resolve(bytes.length);
 *   },
 *   close() {},
 * });
 * const events = await eventsFrom(recording, { kind: "marker", label: "later" });
 * for await (const event of events) console.log(event.time, event.code);
 * // 0 "o" (the screen showing "first"), 0 "m", 1000000 "o"
 * ```
 */
export async function eventsFrom(
  recording: Recording,
  point: TimePoint,
  options: EventsFromOptions = {},
): Promise<AsyncIterableIterator<Event>> {
  const { header } = recording;
  const events = recording.events;
  using vt = new Vt(header.cols, header.rows, { sync: true, skipScrolledOff: true });
  const markers: Marker[] = [];
  let target = point.kind === "time" ? point.time : undefined;
  let last = 0;
  let first: Event | undefined;
  let count = 0;
  for (;;) {
    const next = await events.next();
    if (next.done) break;
    const event = next.value;
    last = event.time;
    if (options.onProgress && (++count & 1023) === 0) options.onProgress(event.time);
    if (event.code === "m") {
      markers.push({ time: event.time, label: event.data });
      if (target === undefined && _isPoint(point, markers)) target = event.time;
    }
    if (target !== undefined && event.time >= target) {
      first = event;
      break;
    }
    if (event.code === "o") vt.feed(event.data);
    else if (event.code === "r") {
      const size = parseSize(event.data);
      if (size && !sizeProblem(size.cols, size.rows)) vt.resize(size.cols, size.rows);
    }
  }
  if (first === undefined) {
    if (target === undefined) resolveTimePoint(point, markers); // throws, naming the markers
    if (target! > last) {
      await recording.close();
      throw new RangeError(
        `the recording ends at ${formatClock(last)}, before ${formatClock(target!)}`,
      );
    }
  }
  const start = target!;
  const size = { cols: vt.cols, rows: vt.rows };
  const screen = CLEAR + await vt.snapshot();
  return _rest(
    events,
    start,
    first,
    screen,
    size.cols !== header.cols || size.rows !== header.rows ? formatSize(size) : undefined,
  );
}

function _isPoint(point: TimePoint, markers: readonly Marker[]): boolean {
  if (point.kind === "markerNumber") return markers.length === point.number;
  return point.kind === "marker" && markers.at(-1)!.label === point.label;
}

async function* _rest(
  events: AsyncIterableIterator<Event>,
  start: number,
  first: Event | undefined,
  screen: string,
  size: string | undefined,
): AsyncGenerator<Event> {
  try {
    if (size !== undefined) yield { time: 0, code: "r", data: size };
    yield { time: 0, code: "o", data: screen };
    if (first === undefined) return;
    yield { ...first, time: first.time - start };
    for (;;) {
      const next = await events.next();
      if (next.done) return;
      yield { ...next.value, time: next.value.time - start };
    }
  } finally {
    await events.return?.();
  }
}
