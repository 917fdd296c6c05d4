/**
 * A re-armable timer that does not load `node:timers`.
 *
 * Deno 2.9's global `setTimeout` is `node:timers`' one, loaded on first use: about 15 ms of
 * `rec`'s start-up. The timers of the recording path (the file writer's flush, the
 * redaction hold, the PTY's drain deadline, the key hold) use this instead. It waits on a web
 * `AbortSignal.timeout`, which keeps the process alive while it is armed, like `setTimeout`,
 * and not once cancelled.
 *
 * @module
 */

/** The longest delay: `setTimeout`'s, 2^31 − 1 ms (about 24.8 days). */
const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * Calls a function once when its deadline comes; {@linkcode Timer.arm} sets the deadline,
 * {@linkcode Timer.cancel} clears it. Moving the deadline later costs no new wait: the
 * pending one, when it comes, waits again for the rest.
 *
 * @example
 * ```ts
 * import { Timer } from "./timer.ts";
 * const timer = new Timer(() => console.log("flush"));
 * timer.arm(100); // prints "flush" in 100 ms…
 * timer.cancel(); // …or never
 * ```
 */
export class Timer {
  readonly #fn: () => void;
  /** When `fn` is due (`performance.now()` time); `Infinity` when not armed. */
  #due = Infinity;
  #signal: AbortSignal | undefined;
  /** When the pending wait ends, at the latest. */
  #waitEnds = Infinity;
  readonly #onAbort = () => this.#expired();

  /** A timer that calls `fn`. */
  constructor(fn: () => void) {
    this.#fn = fn;
  }

  /** Whether a call is due. */
  get armed(): boolean {
    return this.#due !== Infinity;
  }

  /** Calls the function in `ms` milliseconds (at once when ≤ 0), instead of any earlier time. */
  arm(ms: number): void {
    const now = performance.now();
    this.#due = now + Math.min(ms > 0 ? ms : 0, MAX_DELAY_MS);
    if (this.#signal !== undefined && this.#waitEnds <= this.#due) return;
    this.#wait(now);
  }

  /** Clears the deadline: the function is not called, and the process need not wait. */
  cancel(): void {
    this.#due = Infinity;
    this.#stopWaiting();
  }

  #wait(now: number): void {
    this.#stopWaiting();
    const ms = Math.ceil(this.#due - now);
    this.#waitEnds = now + ms + 1;
    this.#signal = AbortSignal.timeout(ms);
    this.#signal.addEventListener("abort", this.#onAbort, { once: true });
  }

  /** Removing the listener also lets the process exit before the signal's time. */
  #stopWaiting(): void {
    this.#signal?.removeEventListener("abort", this.#onAbort);
    this.#signal = undefined;
    this.#waitEnds = Infinity;
  }

  #expired(): void {
    this.#signal = undefined;
    this.#waitEnds = Infinity;
    if (this.#due === Infinity) return;
    const now = performance.now();
    if (now < this.#due) return this.#wait(now);
    this.#due = Infinity;
    this.#fn();
  }
}
