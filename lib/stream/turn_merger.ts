/**
 * Output merged per turn of the event loop, in front of a live state: the first output
 * event of a turn goes through at once, and the output that follows in the same turn (a
 * flood comes one PTY read, about 3 KB, per event) is held and goes through as one event
 * when the turn ends. Each viewer, relay and emulator then gets one message per turn of a
 * flood instead of dozens, while typing and other sparse output pass with no delay. The
 * file keeps every event as it came: this sits in front of the live state only.
 *
 * @module
 */
import type { Event, EventSink } from "../asciicast/event.ts";
import { Timer } from "../base/timer.ts";

/** Held output is let through at this length at the latest (characters). */
const MAX_HELD = 64 * 1024;

/**
 * A sink that passes events to `inner`, with the output of each turn after its first event
 * merged into one (the time of the first of them, the data of all).
 *
 * @example
 * ```ts
 * import { TurnMerger } from "./turn_merger.ts";
 * const got: string[] = [];
 * const merger = new TurnMerger({ write: (e) => void got.push(e.data), close: async () => {} });
 * merger.write({ time: 1, code: "o", data: "a" });
 * merger.write({ time: 2, code: "o", data: "b" });
 * merger.write({ time: 3, code: "o", data: "c" });
 * // got: ["a"]; after this turn: ["a", "bc"]
 * await merger.close();
 * ```
 */
export class TurnMerger implements EventSink {
  readonly #inner: EventSink;
  #held: Event | undefined;
  /** Armed while a turn that let output through lasts; it ends by letting the held go. */
  readonly #turn = new Timer(() => this.#release());

  /** A merger in front of `inner`. */
  constructor(inner: EventSink) {
    this.#inner = inner;
  }

  /** Takes one event. */
  write(event: Event): void {
    if (event.code !== "o") {
      this.#release();
      this.#inner.write(event);
      return;
    }
    if (!this.#turn.armed) {
      this.#turn.arm(0);
      this.#inner.write(event);
      return;
    }
    if (this.#held === undefined) this.#held = { time: event.time, code: "o", data: event.data };
    else this.#held.data += event.data;
    if (this.#held.data.length >= MAX_HELD) this.#release();
  }

  /** The inner sink's, if it has one. */
  backpressure(): Promise<void> | undefined {
    return this.#inner.backpressure?.();
  }

  /** Lets the held output through, then closes the inner sink. */
  close(): Promise<void> {
    this.#turn.cancel();
    this.#release();
    return this.#inner.close();
  }

  #release(): void {
    const held = this.#held;
    if (held === undefined) return;
    this.#held = undefined;
    this.#inner.write(held);
  }
}
