/**
 * Planning an edit: the operations as written ({@linkcode EditOperations}) looked up in a
 * recording (marker names become times) and turned into what the streaming editor follows:
 * the parts of the source that are kept, the speed of every stretch, the markers to add.
 *
 * The order of operations, as the README documents it: select (`--keep`, then `--cut`),
 * `--drop`, `--add-marker`, `--idle-limit`, `--speed`, `--title`. Every time a user writes
 * is a time of the source recording.
 *
 * Ranges are closed: `--keep 10..20` keeps the screen as it is at 10 s (a snapshot, when
 * anything before was removed) and every event from 10 s to 20 s; `--cut 10..20` removes the
 * events after 10 s and before 20 s and shows the screen as it is at 20 s from there on.
 *
 * @module
 */
import { formatClock, type Marker, resolveTimePoint } from "../asciicast/time_spec.ts";
import type { EditOperations, TimePoint, TimeRange } from "./operations.ts";

/** A stretch of source time that is kept, in microseconds; `to` may be `Infinity` (the end). */
export interface Part {
  /** Start (inclusive). */
  from: number;
  /** End (inclusive); `Infinity` for "to the end of the recording". */
  to: number;
}

/** A stretch of source time played at `factor` times the speed. */
export interface SpeedSegment {
  /** Start, microseconds. */
  from: number;
  /** End, microseconds (`Infinity` for the end of the recording). */
  to: number;
  /** Speed factor. */
  factor: number;
}

/** A marker to add, at a source time. */
export interface PlannedMarker {
  /** Source time, microseconds. */
  time: number;
  /** Label. */
  label: string;
  /** The option as written, for messages. */
  what: string;
}

/** A time the user wrote explicitly, which must lie within the recording. */
export interface TimeCheck {
  /** The option as written (`--keep 40..50`), for messages. */
  what: string;
  /** The time, microseconds. */
  time: number;
  /** What the time is: a range's start or end, or a point (`--add-marker`). */
  kind: "start" | "end" | "point";
}

/** What the streaming editor does. */
export interface EditPlan {
  /** Kept parts: sorted, not overlapping, not touching, each longer than zero. */
  parts: Part[];
  /** The speed outside every ranged `--speed`. */
  baseSpeed: number;
  /** Ranged speeds: sorted, not overlapping. */
  speeds: SpeedSegment[];
  /** Pauses longer than this (source microseconds) are shortened to it. */
  idleLimit?: number;
  /** Event kinds removed. */
  drop: { input: boolean; markers: boolean; resizes: boolean };
  /** Markers to add, sorted by time. */
  markers: PlannedMarker[];
  /** Replaces the header's title. */
  title?: string;
  /** Explicit times to check against the recording's duration. */
  checks: TimeCheck[];
  /**
   * The editor has nothing more to do after this source time (the end of the last part, or
   * the latest explicit time, whichever is later): `Infinity` when it must read to the end.
   */
  readUntil: number;
  /** Whether any kept part starts after removed time (so the editor needs the emulator). */
  needsSnapshots: boolean;
}

/** What is known about the recording when planning. */
export interface RecordingFacts {
  /** Its markers in time order; needed when a time names a marker. */
  markers?: readonly Marker[];
  /** Its duration (time of the last event), when already known. */
  duration?: number;
}

/**
 * Resolves and checks the operations. With `facts.duration` every explicit time is checked
 * against it now; without, the editor checks {@linkcode EditPlan.checks} when it reaches
 * the end.
 *
 * @throws {RangeError} for a marker that does not exist, a range that starts after it ends
 * or is empty, overlapping ranged speeds, a marker added in removed time, a time past the
 * end, or an edit that leaves nothing. Messages name the option and, when known, the
 * recording's duration.
 * @example
 * ```ts
 * import { planEdit } from "./plan.ts";
 * import { parseRangeOperation } from "./operations.ts";
 * const plan = planEdit({
 *   keep: [],
 *   cut: [parseRangeOperation("10..20")],
 *   speed: [],
 *   drop: [],
 *   addMarkers: [],
 * }, { duration: 30e6 });
 * plan.parts; // [{ from: 0, to: 10e6 }, { from: 20e6, to: 30e6 }]
 * ```
 */
export function planEdit(ops: EditOperations, facts: RecordingFacts = {}): EditPlan {
  const duration = facts.duration;
  const lasts = duration === undefined ? "" : ` (the recording lasts ${formatClock(duration)})`;
  const point = (p: TimePoint): number => {
    if (p.kind === "time") return p.time;
    if (facts.markers === undefined) throw new Error("markers were not read before planning");
    try {
      return resolveTimePoint(p, facts.markers);
    } catch (error) {
      throw new RangeError(`${(error as Error).message}${lasts}`);
    }
  };
  const checks: TimeCheck[] = [];
  const range = (flag: string, text: string, r: TimeRange): Part => {
    const what = `${flag} ${text}`;
    const from = r.from === undefined ? 0 : point(r.from);
    const to = r.to === undefined ? Infinity : point(r.to);
    if (from > to) {
      throw new RangeError(
        `${what}: ${formatClock(from)} is after ${formatClock(to)}; write FROM..TO${lasts}`,
      );
    }
    if (from === to) {
      throw new RangeError(`${what} is empty: it starts and ends at ${formatClock(from)}${lasts}`);
    }
    if (r.from !== undefined) checks.push({ what, time: from, kind: "start" });
    if (r.to !== undefined) checks.push({ what, time: to, kind: "end" });
    return { from, to };
  };

  const keeps = ops.keep.map((k) => range("--keep", k.text, k.range));
  const cuts = ops.cut.map((c) => range("--cut", c.text, c.range));

  let baseSpeed: number | undefined;
  const speeds: (SpeedSegment & { what: string })[] = [];
  for (const s of ops.speed) {
    if (s.range === undefined) {
      if (baseSpeed !== undefined) {
        throw new RangeError(
          `--speed ${s.text}: the speed of the whole recording is given twice; give ranges with X@FROM..TO`,
        );
      }
      baseSpeed = s.factor;
      continue;
    }
    const what = `--speed ${s.text}`;
    speeds.push({ ...range("--speed", s.text, s.range), factor: s.factor, what });
  }
  speeds.sort((a, b) => a.from - b.from);
  for (let i = 1; i < speeds.length; i++) {
    if (speeds[i]!.from < speeds[i - 1]!.to) {
      throw new RangeError(`${speeds[i - 1]!.what} and ${speeds[i]!.what} overlap`);
    }
  }

  const markers: PlannedMarker[] = ops.addMarkers.map((m) => {
    const what = `--add-marker ${m.text}`;
    const time = point(m.at);
    checks.push({ what, time, kind: "point" });
    return { time, label: m.label, what };
  }).sort((a, b) => a.time - b.time);
  if (duration !== undefined) _checkTimes(checks, duration);

  let parts = keeps.length > 0 ? _union(keeps) : [{ from: 0, to: Infinity }];
  for (const cut of _union(cuts)) parts = _subtract(parts, cut);
  if (duration !== undefined) {
    parts = parts.map((p) => ({ from: p.from, to: Math.min(p.to, duration) }))
      // A recording that lasts 0 s is kept whole as [0, 0].
      .filter((p) => p.to > p.from || p.from === 0);
  }
  if (parts.length === 0) {
    const which = duration === undefined ? "" : `, which lasts ${formatClock(duration)}`;
    throw new RangeError(`the edit leaves nothing of the recording${which}`);
  }
  for (const m of markers) {
    if (parts.some((p) => p.from <= m.time && m.time <= p.to)) continue;
    // Past the last part, with the duration unknown, it may be past the end: the editor
    // tells which once it gets there.
    if (duration !== undefined || m.time < parts.at(-1)!.to) {
      throw new RangeError(`${m.what} is in a part the edit removes${lasts}`);
    }
  }

  const plan: EditPlan = {
    parts,
    baseSpeed: baseSpeed ?? 1,
    speeds: speeds.map(({ from, to, factor }) => ({ from, to, factor })),
    idleLimit: ops.idleLimit,
    drop: {
      input: ops.drop.includes("input"),
      markers: ops.drop.includes("markers"),
      resizes: ops.drop.includes("resizes"),
    },
    markers,
    title: ops.title,
    checks,
    readUntil: Math.max(parts.at(-1)!.to, ...checks.map((c) => c.time)),
    needsSnapshots: parts[0]!.from > 0 || parts.length > 1,
  };
  return plan;
}

/**
 * Throws if a time the user wrote lies after the end of a recording lasting `duration`
 * microseconds (a time up to the next whole millisecond counts as the end, since
 * `edit --list` prints milliseconds).
 *
 * @throws {RangeError} naming the option and the duration.
 * @example
 * ```ts
 * import { checkTimes, planEdit } from "./plan.ts";
 * import { parseRangeOperation } from "./operations.ts";
 * const plan = planEdit({ keep: [parseRangeOperation("5..50")], cut: [], speed: [], drop: [], addMarkers: [] });
 * checkTimes(plan, 30e6); // throws: "--keep 5..50 ends after the end of the recording, which lasts 00:30.000; ..."
 * ```
 */
export function checkTimes(plan: EditPlan, duration: number): void {
  _checkTimes(plan.checks, duration);
}

function _checkTimes(checks: readonly TimeCheck[], duration: number): void {
  const end = Math.ceil(duration / 1000) * 1000;
  const lasts = `the recording, which lasts ${formatClock(duration)}`;
  for (const check of checks) {
    if (check.time <= end) continue;
    throw new RangeError(
      check.kind === "start"
        ? `${check.what} starts after the end of ${lasts}`
        : check.kind === "end"
        ? `${check.what} ends after the end of ${lasts}; leave the end open (FROM..) to go to the end`
        : `${check.what} is after the end of ${lasts}`,
    );
  }
}

/** Sorted union of ranges (touching ones join). */
function _union(ranges: Part[]): Part[] {
  const sorted = [...ranges].sort((a, b) => a.from - b.from);
  const out: Part[] = [];
  for (const r of sorted) {
    const last = out.at(-1);
    if (last && r.from <= last.to) last.to = Math.max(last.to, r.to);
    else out.push({ ...r });
  }
  return out;
}

/** `parts` without what lies strictly inside `cut` (its ends stay: they are instants). */
function _subtract(parts: Part[], cut: Part): Part[] {
  const out: Part[] = [];
  for (const p of parts) {
    if (cut.to <= p.from || cut.from >= p.to) {
      out.push(p);
      continue;
    }
    if (cut.from > p.from) out.push({ from: p.from, to: cut.from });
    if (cut.to < p.to) out.push({ from: cut.to, to: p.to });
  }
  return out;
}
