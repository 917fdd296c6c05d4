/**
 * The operations of an edit as a user writes them (`--keep 1:00..2:30`, `--speed 2@m1..m2`,
 * `--drop input,markers`, `--add-marker 12.5:intro`), parsed but not yet looked up in a
 * recording: marker names stay names until {@linkcode planEdit} resolves them.
 *
 * Every time is a time of the source recording, whatever else the edit does.
 *
 * @module
 */
import {
  parseTimePoint,
  parseTimeRange,
  type TimePoint,
  type TimeRange,
} from "../asciicast/time_spec.ts";

export type { TimePoint, TimeRange };

/** An event kind `--drop` removes. */
export type DropKind = "input" | "markers" | "resizes";

/** The kinds `--drop` accepts, in the order the help lists them. */
export const DROP_KINDS: readonly DropKind[] = ["input", "markers", "resizes"];

/** `--speed X` (no range: the whole recording) or `--speed X@FROM..TO`. */
export interface SpeedOperation {
  /** Playback speed factor: 2 plays twice as fast. */
  factor: number;
  /** Where it applies (source time); absent for the whole recording. */
  range?: TimeRange;
  /** As written, for messages. */
  text: string;
}

/** A range with the text it was written as, for messages. */
export interface WrittenRange {
  /** The parsed range. */
  range: TimeRange;
  /** As written (`1:00..m2`). */
  text: string;
}

/** `--add-marker TIME[:LABEL]`. */
export interface AddMarkerOperation {
  /** Where (source time). */
  at: TimePoint;
  /** The label (may be empty). */
  label: string;
  /** As written, for messages. */
  text: string;
}

/** Everything an edit is asked to do. */
export interface EditOperations {
  /** `--keep` ranges: only these are kept (all of the recording when empty). */
  keep: WrittenRange[];
  /** `--cut` ranges: removed from what is kept. */
  cut: WrittenRange[];
  /** `--speed` factors, for the whole recording or for ranges. */
  speed: SpeedOperation[];
  /** `--idle-limit`: the longest pause kept, in microseconds. */
  idleLimit?: number;
  /** `--drop` kinds. */
  drop: DropKind[];
  /** `--add-marker`s. */
  addMarkers: AddMarkerOperation[];
  /** `--title`: replaces the header's title. */
  title?: string;
}

/**
 * Parses a range as `--keep`/`--cut` take it.
 *
 * @throws {SyntaxError} naming what is wrong.
 * @example
 * ```ts
 * import { parseRangeOperation } from "./operations.ts";
 * parseRangeOperation("1:00..m2").range.to; // { kind: "markerNumber", number: 2 }
 * ```
 */
export function parseRangeOperation(text: string): WrittenRange {
  const range = parseTimeRange(text);
  if (range.from === undefined && range.to === undefined) {
    throw new SyntaxError(`${JSON.stringify(text)} names no time: use FROM..TO, FROM.. or ..TO`);
  }
  return { range, text };
}

/**
 * Parses `--speed X` or `--speed X@FROM..TO` (a factor between 0.01 and 1000).
 *
 * @throws {SyntaxError} naming what is wrong.
 * @example
 * ```ts
 * import { parseSpeed } from "./operations.ts";
 * parseSpeed("2").factor; // 2
 * parseSpeed("0.5@10..20").range; // { from: { kind: "time", time: 10e6 }, to: { kind: "time", time: 20e6 } }
 * ```
 */
export function parseSpeed(text: string): SpeedOperation {
  const at = text.indexOf("@");
  const factorText = (at === -1 ? text : text.slice(0, at)).trim();
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(factorText)) {
    throw new SyntaxError(
      `${JSON.stringify(factorText)} is not a speed: use a number such as 2 or 0.5`,
    );
  }
  const factor = Number(factorText);
  if (!(factor >= 0.01 && factor <= 1000)) {
    throw new SyntaxError(`the speed ${factorText} is out of range (0.01 to 1000)`);
  }
  if (at === -1) return { factor, text };
  return { factor, range: parseRangeOperation(text.slice(at + 1)).range, text };
}

/**
 * Parses a `--drop` value: kinds separated by commas (`input,markers`).
 *
 * @throws {SyntaxError} for an unknown kind, listing the kinds there are.
 * @example
 * ```ts
 * import { parseDropKinds } from "./operations.ts";
 * parseDropKinds("input,resizes"); // ["input", "resizes"]
 * ```
 */
export function parseDropKinds(text: string): DropKind[] {
  const kinds: DropKind[] = [];
  for (const part of text.split(",")) {
    const name = part.trim();
    if (name === "") continue;
    const kind = DROP_KINDS.find((k) => k === name || k === `${name}s`);
    if (kind === undefined) {
      throw new SyntaxError(
        `${JSON.stringify(name)} is not an event kind to drop (one of ${DROP_KINDS.join(", ")})`,
      );
    }
    if (!kinds.includes(kind)) kinds.push(kind);
  }
  if (kinds.length === 0) {
    throw new SyntaxError(`name the event kinds to drop (${DROP_KINDS.join(", ")})`);
  }
  return kinds;
}

/**
 * Parses `--add-marker TIME[:LABEL]`. The time is the longest leading part that reads as a
 * time, so `1:30:intro` is a marker labelled `intro` at 1:30, `1:30` one without a label at
 * 1:30, and `90:build: step 2` one labelled `build: step 2` at 90 seconds.
 *
 * @throws {SyntaxError} when no leading part is a time.
 * @example
 * ```ts
 * import { parseAddMarker } from "./operations.ts";
 * parseAddMarker("1:30:intro"); // { at: { kind: "time", time: 90e6 }, label: "intro", text: "1:30:intro" }
 * ```
 */
export function parseAddMarker(text: string): AddMarkerOperation {
  const colons: number[] = [];
  for (let i = text.indexOf(":"); i !== -1; i = text.indexOf(":", i + 1)) colons.push(i);
  const cuts = [text.length, ...colons.reverse()];
  let firstError: unknown;
  for (const cut of cuts) {
    try {
      const at = parseTimePoint(text.slice(0, cut));
      // A marker label that itself contains a colon can only be named whole.
      if (at.kind === "marker" && cut !== text.length) continue;
      return { at, label: text.slice(cut + 1), text };
    } catch (error) {
      firstError ??= error;
    }
  }
  throw firstError;
}

/**
 * Parses a number of seconds (`--idle-limit`), as microseconds; it must be positive.
 *
 * @throws {SyntaxError} for anything else.
 * @example
 * ```ts
 * import { parseSeconds } from "./operations.ts";
 * parseSeconds("2.5"); // 2_500_000
 * ```
 */
export function parseSeconds(text: string): number {
  const point = parseTimePoint(text);
  if (point.kind !== "time") {
    throw new SyntaxError(`${JSON.stringify(text)} is not a number of seconds`);
  }
  if (point.time <= 0) throw new SyntaxError(`${JSON.stringify(text)} must be more than 0`);
  return point.time;
}

/** Whether any time in `ops` names a marker (then the recording's markers must be read first). */
export function refersToMarkers(ops: EditOperations): boolean {
  const isMarker = (p: TimePoint | undefined) => p !== undefined && p.kind !== "time";
  const ranges = [...ops.keep, ...ops.cut].map((r) => r.range);
  for (const s of ops.speed) if (s.range) ranges.push(s.range);
  return ranges.some((r) => isMarker(r.from) || isMarker(r.to)) ||
    ops.addMarkers.some((m) => isMarker(m.at));
}
