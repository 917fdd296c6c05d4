/**
 * The playback engine: writes a stream of Events to a terminal with the recording's timing,
 * and obeys the player keys (pause, step, next marker, speed, quit).
 *
 * Timing: every event is scheduled against one monotonic clock started when playback starts
 * (`performance.now()`), never by adding up sleeps, so no drift accumulates over a long
 * recording. Everything that is due is coalesced into one write, so a recording of many tiny
 * events does not fall behind its timeline; the engine sleeps with timers between events and
 * never busy-waits.
 *
 * @module
 */
import { type Event, parseSize } from "../asciicast/event.ts";
import { IdleLimiter } from "./idle_limiter.ts";
import { KeyDecoder, type PlayerAction, type PlayerKeys } from "./key_decoder.ts";

/** Options for {@linkcode play}. */
export interface PlayOptions {
  /**
   * Writes bytes to the terminal, completely and synchronously. The engine reuses the
   * buffer it passes once `write` returns: copy the bytes to keep them.
   */
  write: (bytes: Uint8Array) => void;
  /** Keys typed by the user (a raw-mode terminal's input). Default: no keys. */
  input?: ReadableStream<Uint8Array>;
  /** Playback speed, a positive number. Default 1. */
  speed?: number;
  /** Longest pause kept, in recording seconds (applied before the speed). Default: none. */
  idleTimeLimit?: number;
  /** Pause after each marker (`m` event). Default false. */
  pauseOnMarkers?: boolean;
  /** Resize the terminal with `ESC [ 8 ; rows ; cols t` on each `r` event. Default false. */
  resize?: boolean;
  /** Stops playback as if the user quit. */
  signal?: AbortSignal;
  /** Largest single write in bytes while catching up (a burst of due events). Default 64 KiB. */
  batchBytes?: number;
  /** Rebinds the pause, step and next-marker keys. Default space, `.`, `]`. */
  keys?: PlayerKeys;
}

/** How playback ended: at the end of the events, or stopped by the user (key or signal). */
export type PlayStatus = "ended" | "interrupted";

/** The outcome of {@linkcode play}. */
export interface PlayResult {
  /** How playback ended. */
  status: PlayStatus;
}

/**
 * Plays `events` (absolute times in microseconds) to `options.write` until they end or the
 * user quits. The idle limit is applied first, then the speed. `o` data is written as UTF-8;
 * `r` becomes a resize request only with `resize`; `m` pauses only with `pauseOnMarkers`;
 * `i`, `x` and unknown codes write nothing but keep their place in time.
 *
 * Keys (from `options.input`): space pauses and resumes (the clock is shifted, so nothing
 * jumps on resume); `.` while paused plays the next event that writes something; `]` plays
 * everything up to and including the next marker at once and pauses there (no marker left:
 * to the end); `+`/`-` double/halve the speed; `q` or ctrl+c writes `\r\n` and stops.
 *
 * Resolves when playback ends or is interrupted (even while the source is still waiting for
 * its next event); rejects with the source's error after writing everything before it.
 *
 * @example
 * ```ts
 * import { play } from "./player.ts";
 * async function* events() {
 *   yield { time: 0, code: "o", data: "hello " };
 *   yield { time: 500_000, code: "o", data: "world\r\n" };
 * }
 * const result = await play(events(), { write: (bytes) => Deno.stdout.writeSync(bytes) });
 * result.status; // "ended"
 * ```
 */
export function play(events: AsyncIterable<Event>, options: PlayOptions): Promise<PlayResult> {
  try {
    return new _Playback(options).run(events);
  } catch (error) {
    return Promise.reject(error);
  }
}

/** The longest delay a timer takes (longer ones fire at once, with a warning). */
const MAX_TIMER_MS = 2 ** 31 - 1;
const encoder = new TextEncoder();
const CRLF = encoder.encode("\r\n");
/** Events due within this many milliseconds are written now rather than slept for. */
const EARLY_MS = 1;
const MIN_SPEED = 1 / 1024;
const MAX_SPEED = 1e12;

class _Playback {
  #write: (bytes: Uint8Array) => void;
  #input: ReadableStream<Uint8Array> | undefined;
  #speed: number;
  #limiter: IdleLimiter;
  #pauseOnMarkers: boolean;
  #resize: boolean;
  #signal: AbortSignal | undefined;

  #buffer: Uint8Array;
  #length = 0;
  #flushTimer: ReturnType<typeof setTimeout> | undefined;

  /** Wall time (ms) at which recording time 0 plays at the current speed. */
  #origin = 0;
  /** The latest clock reading: anything due before it is due now. */
  #now = 0;
  #paused = false;
  /** Recording time (µs) where playback stands while paused. */
  #pausedAt = 0;
  #steps = 0;
  #toMarker = false;

  #finished = false;
  #resolve!: (result: PlayResult) => void;
  #reject!: (error: unknown) => void;
  #wake: (() => void) | undefined;
  #inputReader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  #keys: KeyDecoder;

  constructor(options: PlayOptions) {
    const speed = options.speed ?? 1;
    if (!(speed > 0) || !Number.isFinite(speed)) {
      throw new RangeError(`Speed must be a positive number, got ${speed}`);
    }
    const limit = options.idleTimeLimit;
    if (limit !== undefined && !(limit >= 0)) {
      throw new RangeError(`Idle time limit must be 0 or more seconds, got ${limit}`);
    }
    const batch = options.batchBytes ?? 64 * 1024;
    if (!(batch >= 16)) throw new RangeError(`Batch size must be 16 bytes or more, got ${batch}`);
    this.#write = options.write;
    this.#input = options.input;
    this.#speed = speed;
    this.#limiter = new IdleLimiter(limit === undefined ? Infinity : Math.round(limit * 1e6));
    this.#pauseOnMarkers = options.pauseOnMarkers ?? false;
    this.#resize = options.resize ?? false;
    this.#signal = options.signal;
    this.#buffer = new Uint8Array(batch);
    this.#keys = new KeyDecoder(options.keys);
  }

  run(events: AsyncIterable<Event>): Promise<PlayResult> {
    const result = new Promise<PlayResult>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    const signal = this.#signal;
    if (signal?.aborted) {
      this.#finish("interrupted");
      return result;
    }
    const onAbort = () => this.#finish("interrupted");
    signal?.addEventListener("abort", onAbort, { once: true });
    result.finally(() => signal?.removeEventListener("abort", onAbort)).catch(() => {});
    this.#origin = this.#now = performance.now();
    if (this.#input) this.#readKeys(this.#input);
    this.#loop(events).then(
      () => this.#finish("ended"),
      (error) => this.#fail(error),
    );
    return result;
  }

  async #loop(events: AsyncIterable<Event>): Promise<void> {
    const iterator = events[Symbol.asyncIterator]();
    let event: Event | undefined;
    let time = 0;
    try {
      while (!this.#finished) {
        if (event === undefined) {
          if (this.#length > 0 && this.#flushTimer === undefined) {
            // What is buffered is due now: write it unless the next event is already here.
            this.#flushTimer = setTimeout(() => {
              this.#flushTimer = undefined;
              try {
                this.#flush();
              } catch (error) {
                this.#fail(error);
              }
            }, 0);
          }
          const next = await iterator.next();
          if (this.#finished) break;
          if (next.done) return;
          event = next.value;
          time = this.#limiter.adjust(event.time);
        }
        if (this.#toMarker) {
          const marker = event.code === "m";
          this.#emit(event);
          event = undefined;
          if (marker) {
            this.#toMarker = false;
            this.#pauseAt(time);
          }
          continue;
        }
        if (this.#paused) {
          if (this.#steps > 0) {
            if (this.#emit(event)) this.#steps--;
            this.#pausedAt = time;
            event = undefined;
            continue;
          }
          this.#flush();
          await this.#sleep(Infinity);
          continue;
        }
        const due = this.#origin + time / (1000 * this.#speed);
        if (due > this.#now) {
          this.#now = performance.now();
          const wait = due - this.#now;
          if (wait > EARLY_MS) {
            this.#flush();
            await this.#sleep(wait);
            continue;
          }
        }
        const marker = event.code === "m";
        this.#emit(event);
        event = undefined;
        if (marker && this.#pauseOnMarkers) this.#pauseAt(time);
      }
    } finally {
      if (this.#finished) {
        // Stopped early: let the source release what it holds.
        iterator.return?.()?.catch(() => {});
      }
    }
  }

  /** Buffers what an event writes; returns whether it writes anything. */
  #emit(event: Event): boolean {
    switch (event.code) {
      case "o":
        this.#append(event.data);
        return event.data.length > 0;
      case "r": {
        if (!this.#resize) return false;
        const size = parseSize(event.data);
        if (!size) return false;
        this.#append(`\x1b[8;${size.rows};${size.cols}t`);
        return true;
      }
      default:
        return false;
    }
  }

  #append(text: string): void {
    let rest = text;
    for (;;) {
      const { read, written } = encoder.encodeInto(rest, this.#buffer.subarray(this.#length));
      this.#length += written;
      if (read === rest.length) return;
      rest = rest.slice(read);
      this.#flush();
    }
  }

  #flush(): void {
    if (this.#flushTimer !== undefined) {
      clearTimeout(this.#flushTimer);
      this.#flushTimer = undefined;
    }
    if (this.#length === 0) return;
    const bytes = this.#buffer.subarray(0, this.#length);
    this.#length = 0;
    this.#write(bytes);
  }

  #pauseAt(time: number): void {
    this.#flush();
    this.#paused = true;
    this.#pausedAt = time;
  }

  /** Recording time (µs) the clock stands at now. */
  #position(now: number): number {
    return this.#paused ? this.#pausedAt : (now - this.#origin) * 1000 * this.#speed;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      // Timers take at most 2^31-1 ms; a longer wait wakes early and the loop sleeps again.
      const timer = Number.isFinite(ms)
        ? setTimeout(() => this.#wakeUp(), Math.min(ms, MAX_TIMER_MS))
        : undefined;
      this.#wake = () => {
        if (timer !== undefined) clearTimeout(timer);
        resolve();
      };
    });
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  async #readKeys(input: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = this.#keys;
    let reader: ReadableStreamDefaultReader<Uint8Array>;
    try {
      reader = input.getReader();
    } catch {
      return; // locked by someone else: play without keys
    }
    this.#inputReader = reader;
    try {
      while (!this.#finished) {
        const { value, done } = await reader.read();
        if (done) return;
        for (const action of decoder.decode(value)) {
          if (this.#finished) return;
          this.#act(action);
        }
      }
    } catch {
      // The reader was released at the end of playback, or the input failed: no more keys.
    }
  }

  #act(action: PlayerAction): void {
    const now = this.#now = Math.max(this.#now, performance.now());
    switch (action) {
      case "pause":
        if (this.#paused) {
          this.#paused = false;
          this.#origin = now - this.#pausedAt / (1000 * this.#speed);
        } else {
          this.#pausedAt = this.#position(now);
          this.#paused = true;
        }
        break;
      case "step":
        if (this.#paused) this.#steps++;
        break;
      case "next-marker":
        this.#toMarker = true;
        break;
      case "faster":
      case "slower": {
        const position = this.#position(now);
        const factor = action === "faster" ? 2 : 0.5;
        this.#speed = Math.min(MAX_SPEED, Math.max(MIN_SPEED, this.#speed * factor));
        if (!this.#paused) this.#origin = now - position / (1000 * this.#speed);
        break;
      }
      case "quit":
        this.#finish("interrupted");
        return;
    }
    this.#wakeUp();
  }

  #finish(status: PlayStatus): void {
    if (this.#finished) return;
    try {
      this.#flush();
      if (status === "interrupted") this.#write(CRLF);
    } catch (error) {
      this.#fail(error);
      return;
    }
    this.#cleanUp();
    this.#resolve({ status });
  }

  #fail(error: unknown): void {
    if (this.#finished) return;
    try {
      this.#flush();
    } catch {
      // The source's error is the one to report.
    }
    this.#cleanUp();
    this.#reject(error);
  }

  #cleanUp(): void {
    this.#finished = true;
    if (this.#flushTimer !== undefined) clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    this.#length = 0;
    this.#wakeUp();
    try {
      this.#inputReader?.releaseLock();
    } catch {
      // Already released.
    }
  }
}
