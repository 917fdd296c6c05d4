/**
 * Times and ranges as users write them on the command line (`edit --cut`, `play --from`,
 * exports' `--from/--to`, grep's output): seconds (`12.5`), `mm:ss[.fff]`,
 * `hh:mm:ss[.fff]`, a marker's label (`marker:setup`) or its number (`m3`, counted from 1),
 * and ranges `FROM..TO` with either end open (`..20`, `30..`).
 *
 * @module
 */

/** A point in a recording, before markers are looked up. */
export type TimePoint =
  | { kind: "time"; time: number }
  | { kind: "marker"; label: string }
  | { kind: "markerNumber"; number: number };

/** A range; an absent end is open (the start or the end of the recording). */
export interface TimeRange {
  /** Start of the range. */
  from?: TimePoint;
  /** End of the range. */
  to?: TimePoint;
}

/** A marker of a recording, for resolving marker points. */
export interface Marker {
  /** Microseconds since the start. */
  time: number;
  /** The marker's label (may be empty). */
  label: string;
}

const CLOCK_RE = /^(?:(\d+):)?(\d+):(\d+(?:\.\d+)?)$/;
const SECONDS_RE = /^\d+(?:\.\d+)?$|^\.\d+$/;

/**
 * Parses one point.
 *
 * @throws {SyntaxError} saying what is accepted.
 * @example
 * ```ts
 * import { parseTimePoint } from "./time_spec.ts";
 * parseTimePoint("1:02.5"); // { kind: "time", time: 62_500_000 }
 * parseTimePoint("marker:setup"); // { kind: "marker", label: "setup" }
 * parseTimePoint("m3"); // { kind: "markerNumber", number: 3 }
 * ```
 */
export function parseTimePoint(text: string): TimePoint {
  const t = text.trim();
  if (t.startsWith("marker:")) return { kind: "marker", label: t.slice(7) };
  const m = /^m(\d+)$/.exec(t);
  if (m) {
    const number = Number(m[1]);
    if (number < 1) throw new SyntaxError(`${JSON.stringify(text)}: markers count from m1`);
    return { kind: "markerNumber", number };
  }
  if (SECONDS_RE.test(t)) return { kind: "time", time: _micros(Number(t), text) };
  const clock = CLOCK_RE.exec(t);
  if (clock) {
    const hours = clock[1] === undefined ? 0 : Number(clock[1]);
    const minutes = Number(clock[2]);
    const seconds = Number(clock[3]);
    if (minutes >= 60 && clock[1] !== undefined || seconds >= 60) {
      throw new SyntaxError(`${JSON.stringify(text)}: minutes and seconds must be below 60`);
    }
    return { kind: "time", time: _micros(hours * 3600 + minutes * 60 + seconds, text) };
  }
  throw new SyntaxError(
    `${
      JSON.stringify(text)
    } is not a time: use seconds (12.5), mm:ss[.fff], hh:mm:ss[.fff], marker:LABEL or mN`,
  );
}

function _micros(seconds: number, text: string): number {
  const us = Math.round(seconds * 1e6);
  if (!Number.isSafeInteger(us)) throw new SyntaxError(`${JSON.stringify(text)} is too large`);
  return us;
}

/**
 * Parses `FROM..TO`, `FROM..`, `..TO` (or a single point, which is FROM with TO open when
 * `single` is "from", or a point range when it is "point").
 *
 * @throws {SyntaxError} for a malformed range or point.
 * @example
 * ```ts
 * import { parseTimeRange } from "./time_spec.ts";
 * parseTimeRange("1:00..m2"); // { from: { kind: "time", time: 60e6 }, to: { kind: "markerNumber", number: 2 } }
 * parseTimeRange("..20"); // { to: { kind: "time", time: 20e6 } }
 * ```
 */
export function parseTimeRange(text: string): TimeRange {
  const i = text.indexOf("..");
  if (i === -1) {
    throw new SyntaxError(`${JSON.stringify(text)} is not a range: use FROM..TO, FROM.. or ..TO`);
  }
  const fromText = text.slice(0, i).trim();
  const toText = text.slice(i + 2).trim();
  const range: TimeRange = {};
  if (fromText !== "") range.from = parseTimePoint(fromText);
  if (toText !== "") range.to = parseTimePoint(toText);
  return range;
}

/**
 * The time of a point, in microseconds, looking markers up in `markers` (in time order).
 *
 * @throws {RangeError} for a marker that does not exist, listing those that do.
 */
export function resolveTimePoint(point: TimePoint, markers: readonly Marker[]): number {
  switch (point.kind) {
    case "time":
      return point.time;
    case "markerNumber": {
      const marker = markers[point.number - 1];
      if (!marker) {
        throw new RangeError(
          `there is no marker m${point.number}: the recording has ${markers.length} marker${
            markers.length === 1 ? "" : "s"
          }`,
        );
      }
      return marker.time;
    }
    case "marker": {
      const marker = markers.find((m) => m.label === point.label);
      if (!marker) {
        const labels = markers.map((m) => JSON.stringify(m.label)).join(", ");
        throw new RangeError(
          `there is no marker labelled ${JSON.stringify(point.label)}; ` +
            (markers.length ? `the markers are ${labels}` : "the recording has no markers"),
        );
      }
      return marker.time;
    }
  }
}

/**
 * Formats microseconds as `mm:ss.fff` (or `h:mm:ss.fff` from an hour on), as grep and
 * `edit --list` print times; {@linkcode parseTimePoint} reads it back.
 *
 * @example
 * ```ts
 * import { formatClock } from "./time_spec.ts";
 * formatClock(62_500_000); // "01:02.500"
 * formatClock(3_723_004_000); // "1:02:03.004"
 * ```
 */
export function formatClock(us: number): string {
  const ms = Math.round(us / 1000);
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor(ms / 60_000) % 60;
  const seconds = Math.floor(ms / 1000) % 60;
  const frac = String(ms % 1000).padStart(3, "0");
  const mmss = `${String(minutes).padStart(2, "0")}:${String(seconds).padStart(2, "0")}.${frac}`;
  return hours > 0 ? `${hours}:${mmss}` : mmss;
}
