/**
 * The recording's clock for tapes: the tape's own time, not the wall clock, so that two runs
 * of a tape give the same file.
 *
 * Each step of a tape (a typed character, a key press, a Sleep, a Wait…) starts where the
 * previous one ended on the tape's clock and lasts its scripted length. Output that arrives
 * while a step runs is placed at the step's start plus its real delay, rounded down to the
 * frame interval (1/Framerate) and capped at the step's length; output placed at the same
 * time becomes one event. Two refinements keep the jitter of real programs out of the file:
 *
 * - Output during a key press (a typed character, a key, Ctrl+…, Paste), or within as long
 *   again after it, is placed at the key press: an echo, or a program that starts within
 *   the typing interval (or a little later, on a busy machine), shows with the key that
 *   caused it, however many milliseconds it took.
 * - The real delay is measured from the last output before it, when there is one since the
 *   clocks were last in step (it has a place on the tape's clock too), else from the step's
 *   start. So a program's later output (a timer, a progress bar) keeps its own rhythm
 *   however long the program took to start.
 *
 * A Wait lasts until the output it waited for, placed by the same rules (0 when it matched at
 * once). While hidden, steps take no recording time and their output is left out.
 *
 * Rounding down suits terminal output, which always comes a little after what caused it.
 *
 * @module
 */
import type { Event } from "../asciicast/event.ts";

/** Options for {@linkcode Timeline}. */
export interface TimelineOptions {
  /** Frames per second: the grid output is placed on. */
  framerate: number;
  /** Receives each finished event, in time order. */
  emit: (event: Event) => void;
}

/** Options for {@linkcode Timeline.begin}. */
export interface StepOptions {
  /** A key press: its output is placed at its start. */
  key?: boolean;
  /**
   * For a key press: how long after it its output still belongs to it, µs. Default its
   * length (for a press that takes no time, pass the typing interval).
   */
  grace?: number;
}

/** Events larger than this many UTF-16 units are cut (at the same time) into pieces. */
const MAX_EVENT = 256 * 1024;

interface Step {
  /** Tape time of the start, µs. */
  start: number;
  /** Real time of the start, ms (`performance.now()`). */
  realStart: number;
  /** Scripted length in µs; undefined for a Wait. */
  length: number | undefined;
  /** A key press. */
  key: boolean;
  /** For a key press: its grace period, µs. */
  grace: number;
  /** Tape time of the last output placed in this step. */
  lastOutput?: number;
}

/** The key press just before the current step, while its grace period lasts. */
interface KeyPress {
  /** Tape time of the key press, µs. */
  start: number;
  /** How long after its end its output still belongs to it, µs. */
  grace: number;
  /** Real time its step ended, ms. */
  realEnd: number;
}

/** The last output: where it was placed, when it came, and in which clock epoch. */
interface Reference {
  tape: number;
  real: number;
  epoch: number;
}

/**
 * Places a tape's output on the tape's clock.
 *
 * @example
 * ```ts
 * import { Timeline } from "./timeline.ts";
 * const events: { time: number; code: string; data: string }[] = [];
 * const timeline = new Timeline({ framerate: 50, emit: (e) => events.push(e) });
 * timeline.begin(1000, 50_000, { key: true }); // a key press of 50 ms at real time 1000 ms
 * timeline.output(new TextEncoder().encode("l"), 1003); // its echo, 3 ms later
 * timeline.end(1050);
 * timeline.finish();
 * // events: [{ time: 0, code: "o", data: "l" }]
 * ```
 */
export class Timeline {
  #frame: number;
  #emit: (event: Event) => void;
  #now = 0;
  #step: Step | undefined;
  #hidden = false;
  #pending: Event | undefined;
  #last = 0;
  #decoder = new TextDecoder();
  #finished = false;
  #epoch = 0;
  #reference: Reference | undefined;
  #lastKey: KeyPress | undefined;

  /** Starts at tape time 0, visible. */
  constructor(options: TimelineOptions) {
    if (!(options.framerate > 0)) throw new RangeError("framerate must be positive");
    this.#frame = 1e6 / options.framerate;
    this.#emit = options.emit;
  }

  /** The tape time at which the next step starts, µs. */
  get now(): number {
    return this.#now;
  }

  /** Whether output is being left out (between Hide and Show). */
  get hidden(): boolean {
    return this.#hidden;
  }

  /** Rounds a duration in µs down to the frame grid. */
  quantize(micros: number): number {
    return Math.round(Math.floor(micros / this.#frame + 1e-9) * this.#frame);
  }

  /**
   * Says that real time and tape time have moved apart (a skipped Sleep, a schedule that
   * fell behind): later output is measured from its step's start, not from earlier output.
   */
  resync(): void {
    this.#epoch++;
  }

  /**
   * Starts a step at the current tape time; `length` in µs, or undefined for a Wait (whose
   * length is known at its end).
   */
  begin(realStart: number, length: number | undefined, options: StepOptions = {}): void {
    this.#step = {
      start: this.#now,
      realStart,
      length,
      key: Boolean(options.key),
      grace: options.grace ?? length ?? 0,
    };
  }

  /**
   * Ends the current step; the tape clock advances by its length (unless hidden). Returns
   * that length in µs.
   */
  end(real: number = performance.now()): number {
    const step = this.#step;
    if (!step) return 0;
    this.#step = undefined;
    const length = step.length ?? Math.max(0, (step.lastOutput ?? step.start) - step.start);
    if (!this.#hidden) this.#now = step.start + length;
    this.#lastKey = step.key && step.grace > 0 && !this.#hidden
      ? { start: step.start, grace: step.grace, realEnd: real }
      : undefined;
    return length;
  }

  /** Terminal output that arrived at real time `real` (ms, `performance.now()`). */
  output(bytes: Uint8Array, real: number): void {
    if (this.#hidden || this.#finished) return;
    const text = this.#decoder.decode(bytes, { stream: true });
    if (text === "") return;
    const time = this.#timeOf(real);
    this.#place(time, text);
    // Later output is measured from here: a program's timer starts when it has written.
    this.#reference = { tape: this.#last, real, epoch: this.#epoch };
    if (this.#step) this.#step.lastOutput = this.#last;
  }

  /**
   * Stops putting output in the recording (steps then take no recording time either), or
   * resumes it with `snapshot` (terminal output that redraws the current screen from a reset
   * terminal) as one event at the current tape time.
   */
  setHidden(hidden: boolean, snapshot?: string): void {
    if (hidden === this.#hidden) return;
    this.#hidden = hidden;
    this.resync();
    if (hidden) {
      const rest = this.#decoder.decode();
      if (rest) this.#place(this.#now, rest);
      this.#flush();
    } else {
      this.#decoder = new TextDecoder();
      if (snapshot !== undefined) this.#place(this.#now, snapshot);
    }
  }

  /**
   * Emits what is pending, then (with `status`) an `x` event at the current tape time, which
   * keeps a final Sleep in the recording. Later output is ignored.
   */
  finish(status?: number): void {
    if (this.#finished) return;
    this.#finished = true;
    const rest = this.#hidden ? "" : this.#decoder.decode();
    if (rest) this.#place(this.#last, rest);
    this.#flush();
    if (status !== undefined) {
      this.#emit({ time: Math.max(this.#now, this.#last), code: "x", data: String(status) });
    }
  }

  #timeOf(real: number): number {
    const step = this.#step;
    if (step?.key) return step.start;
    const key = this.#lastKey;
    if (key && real - key.realEnd < key.grace / 1000 && this.#last <= key.start) {
      // Late output of the key press just before: it belongs with the key.
      return key.start;
    }
    if (!step) return this.#now;
    const ref = this.#reference;
    const base = ref && ref.epoch === this.#epoch
      ? ref
      : { tape: step.start, real: step.realStart };
    let time = base.tape + this.quantize(Math.max(0, real - base.real) * 1000);
    if (time < step.start) time = step.start;
    if (step.length !== undefined && time > step.start + step.length) {
      time = step.start + step.length;
    }
    return time;
  }

  #place(time: number, text: string): void {
    if (time < this.#last) time = this.#last;
    const pending = this.#pending;
    if (pending && pending.time === time) pending.data += text;
    else {
      this.#flush();
      this.#pending = { time, code: "o", data: text };
    }
    this.#last = time;
    // Cut where the content says, never where reads happened to end.
    while (this.#pending!.data.length > MAX_EVENT) {
      const data = this.#pending!.data;
      let cut = MAX_EVENT;
      const code = data.charCodeAt(cut - 1);
      if (code >= 0xd800 && code <= 0xdbff) cut--;
      this.#emit({ time, code: "o", data: data.slice(0, cut) });
      this.#pending = { time, code: "o", data: data.slice(cut) };
    }
  }

  #flush(): void {
    if (this.#pending && this.#pending.data !== "") this.#emit(this.#pending);
    this.#pending = undefined;
  }
}
