/**
 * Paced output for many viewers, spread over time. A stream with thousands of viewers holds
 * its output back and sends each viewer what came meanwhile as one message, at most about
 * once per pace. If every viewer got its message at the same moment, the thousands of
 * socket writes of that moment would queue behind each other, and the last viewer would
 * wait for all of them on top of the pace. So the viewers are dealt into a few slots, and
 * the pace is cut into as many beats: each beat releases what its slot's viewers have not
 * had yet. The writes are spread evenly over the pace, and no output waits much longer than
 * one pace.
 *
 * Output after a pause at its source (nothing for a pace of stream time) goes to every slot
 * at once, so typing stays immediate. The pause is judged on the stream's clock, not on
 * arrival: output that was held up on its way (a busy relay, a network hiccup) and arrives
 * after a gap is not a pause, and sending it to every viewer at once would only make the
 * next hold-up longer.
 *
 * @module
 */
import { Timer } from "../base/timer.ts";

/** What is paced: output events (merged, one takes the last one's fields and all the data). */
export interface PacedEvent {
  /** Stream time in µs (never decreasing). */
  time: number;
  /** The output. */
  data: string;
}

/** Slots a pace is cut into (viewers are dealt into them in turn). */
export const PACE_SLOTS = 10;

/** Options for {@linkcode PacedOutput}. */
export interface PacedOutputOptions<E extends PacedEvent> {
  /** Monotonic clock in milliseconds. Default `performance.now`. */
  now?: () => number;
  /** Slots (and beats per pace). Default {@linkcode PACE_SLOTS}. */
  slots?: number;
  /**
   * Hands released output to the viewers: `bySlot[s]`, when present, goes to every live
   * viewer of slot `s`. Slots that are level share one event object.
   */
  deliver(bySlot: readonly (E | undefined)[]): void;
}

/**
 * Holds output for paced viewers and releases it slot by slot.
 *
 * @example
 * ```ts
 * import { PacedOutput } from "./paced_output.ts";
 * const paced = new PacedOutput<{ time: number; data: string }>({
 *   deliver: (bySlot) => console.log(bySlot),
 * });
 * const slot = paced.nextSlot(); // a new viewer's slot
 * paced.hold({ time: 0, data: "a" }, 30); // after a pause: at once
 * paced.hold({ time: 10_000, data: "b" }, 30); // 10 ms later: on its slot's beat
 * paced.releaseAll(); // now, to every slot
 * ```
 */
export class PacedOutput<E extends PacedEvent> {
  readonly #now: () => number;
  readonly #slots: number;
  readonly #deliver: (bySlot: readonly (E | undefined)[]) => void;
  readonly #timer = new Timer(() => this.#beat());
  /** Output not yet released to every slot; `#log[0]` is the `#logStart`-th event held. */
  #log: E[] = [];
  #logStart = 0;
  /** Per slot: how many held events it has had (same count as `#logStart`). */
  readonly #sent: number[];
  #dealt = 0;
  #pace = 0;
  /** The last output's stream time (µs), and when the last beat was (ms, on `now`). */
  #lastOutput = -Infinity;
  #lastBeat = 0;

  /** Paced output that hands what it releases to `options.deliver`. */
  constructor(options: PacedOutputOptions<E>) {
    this.#now = options.now ?? (() => performance.now());
    this.#slots = Math.max(1, options.slots ?? PACE_SLOTS);
    this.#deliver = options.deliver;
    this.#sent = new Array(this.#slots).fill(0);
  }

  /** The slot of the next viewer (dealt in turn). */
  nextSlot(): number {
    return this.#dealt++ % this.#slots;
  }

  /** Whether some output is held for some slot. */
  get holding(): boolean {
    return this.#log.length > 0;
  }

  /**
   * Takes one output event, to go to every slot within about `pace` ms: at once after a
   * pause, otherwise on each slot's beat, merged with what else came.
   */
  hold(event: E, pace: number): void {
    const now = this.#now();
    const quiet = event.time - this.#lastOutput >= pace * 1000;
    this.#lastOutput = event.time;
    this.#pace = pace;
    this.#log.push(event);
    if (quiet) return this.releaseAll();
    if (this.#timer.armed) return;
    this.#lastBeat = now;
    this.#armBeat(now);
  }

  /** Releases everything held to every slot now (before an event that is not output). */
  releaseAll(): void {
    if (this.#log.length === 0) return;
    this.#timer.cancel();
    this.#release(Array.from({ length: this.#slots }, (_, slot) => slot));
  }

  /** The beats since the last one each release their slot; the next beat is armed. */
  #beat(): void {
    const now = this.#now();
    const step = this.#pace / this.#slots;
    const first = Math.floor(this.#lastBeat / step) + 1;
    const last = Math.floor(now / step);
    this.#lastBeat = now;
    const slots = [];
    for (let k = first; k <= last && slots.length < this.#slots; k++) slots.push(k % this.#slots);
    this.#release(slots);
    if (this.#log.length > 0) this.#armBeat(now);
  }

  #armBeat(now: number): void {
    const step = this.#pace / this.#slots;
    this.#timer.arm((Math.floor(now / step) + 1) * step - now);
  }

  /** Releases to `slots` what each has not had, as one event per slot. */
  #release(slots: number[]): void {
    const end = this.#logStart + this.#log.length;
    const bySlot: (E | undefined)[] = new Array(this.#slots);
    const merged = new Map<number, E>();
    for (const slot of slots) {
      const from = this.#sent[slot]!;
      if (from === end) continue;
      let event = merged.get(from);
      if (!event) {
        event = this.#merge(from - this.#logStart);
        merged.set(from, event);
      }
      bySlot[slot] = event;
      this.#sent[slot] = end;
    }
    const done = Math.min(...this.#sent) - this.#logStart;
    if (done === this.#log.length) this.#log = [];
    else if (done > 0) this.#log = this.#log.slice(done);
    this.#logStart += done;
    if (merged.size > 0) this.#deliver(bySlot);
  }

  /** The held events from index `from` on as one: the last one's id and time, data joined. */
  #merge(from: number): E {
    const last = this.#log.at(-1)!;
    if (from === this.#log.length - 1) return last;
    let data = "";
    for (let i = from; i < this.#log.length; i++) data += this.#log[i]!.data;
    return { ...last, data };
  }
}
