/**
 * From events to frames: feeds a recording into the one terminal emulator (`lib/vt`) and
 * hands out one frame per distinct screen, each with the time it shows, on the timeline a
 * viewer sees (after `--from`, the idle limit and the speed), at most `fps` frames a second.
 * Every picture format (GIF, PNG, SVG) draws what this produces.
 *
 * @module
 */
import { type Event, parseSize } from "../asciicast/event.ts";
import { formatClock } from "../asciicast/time_spec.ts";
import { IdleLimiter } from "../play/idle_limiter.ts";
import { sameCell, type Screen } from "../vt/screen.ts";
import { Vt } from "../vt/vt.ts";
import type { ExportSettings } from "./options.ts";
import { RangePoints } from "./range_points.ts";

/** One picture of the terminal and how long it shows. */
export interface Frame {
  /** The screen. */
  screen: Screen;
  /** When it appears, in microseconds since the start of the picture's timeline. */
  time: number;
  /** How long it shows, in microseconds (the last frame includes the final hold). */
  duration: number;
}

/** The settings {@linkcode FrameTimeline} uses. */
export type TimelineSettings = Pick<
  ExportSettings,
  "speed" | "idleLimit" | "from" | "to" | "at" | "fps" | "cols" | "rows" | "fixedSize" | "lastFrame"
>;

/**
 * Whether two screens look the same (size, every cell, the cursor).
 *
 * @example
 * ```ts
 * import { sameScreen } from "./frames.ts";
 * import { Vt } from "../vt/vt.ts";
 * using vt = new Vt(10, 2, { sync: true });
 * const a = vt.screen();
 * vt.feed("x");
 * sameScreen(a, vt.screen()); // false
 * ```
 */
export function sameScreen(a: Screen, b: Screen): boolean {
  if (a.cols !== b.cols || a.rows !== b.rows) return false;
  if (a.cursor.visible !== b.cursor.visible) return false;
  if (a.cursor.visible && (a.cursor.x !== b.cursor.x || a.cursor.y !== b.cursor.y)) return false;
  for (let y = 0; y < a.rows; y++) {
    const ca = a.lines[y]!.cells;
    const cb = b.lines[y]!.cells;
    for (let x = 0; x < a.cols; x++) if (!sameCell(ca[x]!, cb[x]!)) return false;
  }
  return true;
}

/**
 * Turns events into frames. Output and resize events go through a synchronous
 * {@linkcode Vt}; the screen is read once per frame interval, and a frame that looks like the
 * one before it only lengthens that one. Events before `from` build the first screen without
 * making frames (so the first frame is exactly what a viewer saw at `from`); events after
 * `to` are ignored. With `at`, the only frame is the screen at that moment.
 *
 * @example
 * ```ts
 * import { FrameTimeline } from "./frames.ts";
 * import { exportSettings } from "./options.ts";
 * const header = { version: 3 as const, cols: 20, rows: 3 };
 * const frames: number[] = [];
 * const timeline = new FrameTimeline(exportSettings({ lastFrame: 0 }, header), (f) => {
 *   frames.push(f.duration);
 * });
 * timeline.event({ time: 0, code: "o", data: "a" });
 * timeline.event({ time: 1_000_000, code: "o", data: "b" });
 * timeline.finish();
 * // frames: [1_000_000, 33_333] ("a" for a second, then "ab" for one frame interval)
 * ```
 */
export class FrameTimeline implements Disposable {
  #s: TimelineSettings;
  #onFrame: (frame: Frame) => void;
  #vt: Vt;
  #interval: number;
  #limiter: IdleLimiter;
  #points: RangePoints;
  #started = false;
  #ended = false;
  #lastRaw = 0;
  #end = 0;
  #windowStart = 0;
  #dirty = true;
  #pending: { screen: Screen; time: number } | undefined;
  #frames = 0;

  /** Frames are handed to `onFrame` as soon as their duration is known. */
  constructor(settings: TimelineSettings, onFrame: (frame: Frame) => void) {
    this.#s = settings;
    this.#onFrame = onFrame;
    this.#vt = new Vt(settings.cols, settings.rows, {
      sync: true,
      scrollback: 0,
      skipScrolledOff: true,
    });
    this.#interval = 1e6 / settings.fps;
    this.#limiter = new IdleLimiter(settings.idleLimit);
    this.#points = new RangePoints(settings);
  }

  /** Frames handed out so far. */
  get frames(): number {
    return this.#frames;
  }

  /** Where the recording has got to, in its own microseconds (for progress). */
  get position(): number {
    return this.#lastRaw;
  }

  /** Takes the next event (times never decrease). */
  event(event: Event): void {
    if (this.#ended) return;
    const raw = Math.max(event.time, this.#lastRaw);
    this.#lastRaw = raw;
    const points = this.#points;
    if (event.code === "m") points.marker({ time: raw, label: event.data });
    if (this.#s.at !== undefined) {
      if (points.at !== undefined && raw > points.at) return this.#still();
      this.#apply(event);
      return;
    }
    if (points.to !== undefined && raw > points.to) {
      if (this.#started) this.#end = this.#time(points.to);
      return this.#stop();
    }
    if (!this.#started) {
      if (points.from === undefined || raw < points.from) {
        this.#apply(event);
        return;
      }
      this.#started = true;
    }
    const t = this.#time(raw);
    this.#end = t;
    if (event.code !== "o" && event.code !== "r") return;
    if (this.#dirty && t >= this.#windowStart + this.#interval) this.#capture();
    if (!this.#dirty) {
      this.#windowStart = t;
      this.#dirty = true;
    }
    this.#apply(event);
  }

  /**
   * Hands out the last frame and releases the emulator (nothing is read after the end).
   *
   * @throws {RangeError} when `from`, `to` or `at` names a marker the recording lacks, or
   * `from` lies after the end.
   */
  finish(): void {
    try {
      this.#finish();
    } finally {
      this.#vt.dispose();
    }
  }

  #finish(): void {
    if (this.#ended) return;
    this.#points.check();
    if (this.#s.at !== undefined) return this.#still();
    if (!this.#started) {
      const from = this.#points.from!;
      if (from > this.#lastRaw) {
        throw new RangeError(
          `--from ${formatClock(from)} is after the end of the recording (${
            formatClock(this.#lastRaw)
          })`,
        );
      }
      this.#started = true;
    }
    this.#stop();
  }

  /** Releases the emulator (for a timeline left before its end; `finish` does it too). */
  [Symbol.dispose](): void {
    this.#vt.dispose();
  }

  /** Raw recording time → picture time. */
  #time(raw: number): number {
    return Math.round(this.#limiter.adjust(raw - this.#points.from!) / this.#s.speed);
  }

  #apply(event: Event): void {
    if (event.code === "o") this.#vt.feed(event.data);
    else if (event.code === "r" && !this.#s.fixedSize) {
      const size = parseSize(event.data);
      if (size && size.cols >= 1 && size.rows >= 1 && size.cols <= 720 && size.rows <= 200) {
        this.#vt.resize(size.cols, size.rows);
      }
    }
  }

  #capture(): void {
    this.#dirty = false;
    const screen = this.#vt.screen();
    const pending = this.#pending;
    if (pending && sameScreen(pending.screen, screen)) return;
    if (pending) this.#emit(pending.screen, pending.time, this.#windowStart - pending.time);
    this.#pending = { screen, time: this.#windowStart };
  }

  #emit(screen: Screen, time: number, duration: number): void {
    this.#frames++;
    this.#onFrame({ screen, time, duration });
  }

  #stop(): void {
    this.#ended = true;
    if (this.#dirty) this.#capture();
    const pending = this.#pending!;
    let duration = Math.max(0, this.#end - pending.time) + this.#s.lastFrame;
    if (duration === 0) duration = Math.round(this.#interval);
    this.#emit(pending.screen, pending.time, duration);
  }

  #still(): void {
    this.#ended = true;
    this.#emit(this.#vt.screen(), 0, 0);
  }
}
