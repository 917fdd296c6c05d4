/**
 * The time map of an edit: where a moment of the source lands in the output, once removed
 * parts are collapsed, long pauses shortened (`--idle-limit`) and stretches sped up or
 * slowed down (`--speed`).
 *
 * A pause is the time between two output events, counted in kept source time; when it is
 * longer than the idle limit it becomes the limit, and it then plays at the speeds of the
 * stretches it spans, in proportion. So the limit is in source seconds, applied before the
 * speed, as players apply `-i` and `-s` together.
 *
 * @module
 */
import type { Part, SpeedSegment } from "./plan.ts";

/** What a {@linkcode Timeline} is made from (the matching fields of an `EditPlan`). */
export interface TimelinePlan {
  /** Kept parts, sorted, not overlapping. */
  parts: readonly Part[];
  /** Speed outside `speeds`. */
  baseSpeed: number;
  /** Ranged speeds, sorted, not overlapping. */
  speeds: readonly SpeedSegment[];
  /** Longest pause kept, source microseconds. */
  idleLimit?: number;
}

interface _Segment {
  from: number;
  to: number;
  /** Output microseconds per source microsecond. */
  rate: number;
}

/**
 * Maps source times, given in non-decreasing order, to output times (integer
 * microseconds).
 *
 * @example
 * ```ts
 * import { Timeline } from "./timeline.ts";
 * const timeline = new Timeline({
 *   parts: [{ from: 0, to: 10e6 }, { from: 20e6, to: Infinity }],
 *   baseSpeed: 2,
 *   speeds: [],
 * });
 * timeline.map(4e6); // 2e6
 * timeline.map(22e6); // 6e6: 10 s kept before it, at twice the speed
 * ```
 */
export class Timeline {
  #segments: _Segment[];
  #index = 0;
  #limit: number;
  #last = 0;
  #out = 0;

  constructor(plan: TimelinePlan) {
    this.#limit = plan.idleLimit ?? Infinity;
    this.#segments = [];
    const base = 1 / plan.baseSpeed;
    for (const part of plan.parts) {
      let at = part.from;
      for (const s of plan.speeds) {
        if (s.to <= at || s.from >= part.to) continue;
        if (s.from > at) this.#segments.push({ from: at, to: s.from, rate: base });
        const to = Math.min(s.to, part.to);
        this.#segments.push({ from: Math.max(s.from, at), to, rate: 1 / s.factor });
        at = to;
      }
      if (at < part.to) this.#segments.push({ from: at, to: part.to, rate: base });
    }
  }

  /** The output time of source time `time` (not earlier than the time given before). */
  map(time: number): number {
    const last = this.#last;
    if (time <= last) return Math.round(this.#out);
    this.#last = time;
    const segments = this.#segments;
    let kept = 0;
    let played = 0;
    for (let i = this.#index; i < segments.length; i++) {
      const s = segments[i]!;
      if (s.from >= time) break;
      const length = Math.min(time, s.to) - Math.max(last, s.from);
      if (length > 0) {
        kept += length;
        played += length * s.rate;
      }
      if (s.to <= time) this.#index = i + 1;
      else break;
    }
    this.#out += kept > this.#limit ? played * this.#limit / kept : played;
    return Math.round(this.#out);
  }
}
