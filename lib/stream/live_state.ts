/**
 * The live state of one stream: the only headless terminal of the session and the stream
 * clock. Every live consumer (local viewers, the remote forwarder, the relay's viewers and
 * recordings) subscribes to it and gets, atomically, an Init built from the current screen
 * followed by every later event, nothing missed or repeated. None keeps an emulator of its
 * own.
 *
 * It is a session sink: the session hands it events and never waits for it, except that a
 * terminal parsing far behind a flood asks the session to pause reading the PTY
 * ({@linkcode LiveState.backpressure}), as a real terminal would, and so does a subscriber
 * behind on work of its own (a rewind log writing to its file).
 *
 * @module
 */
import type { Event, EventSink, Theme } from "../asciicast/event.ts";
import { streamable, type StreamCode } from "../alis/event_message.ts";
import type { SessionStart } from "../session/session.ts";
import { PacedOutput } from "./paced_output.ts";
import { WorkerVt } from "../vt/worker_vt.ts";

/** The headless terminal the live state keeps (`Vt` and `WorkerVt` have this shape). */
export interface LiveTerminal {
  /** Current columns. */
  readonly cols: number;
  /** Current rows. */
  readonly rows: number;
  /** Characters fed and not parsed yet (absent: never behind). */
  readonly pending?: number;
  /** Applies terminal output. */
  feed(data: string | Uint8Array): void;
  /** Resizes the screen. */
  resize(cols: number, rows: number): void;
  /** Output that reproduces the screen as of the call in a blank terminal of the same size. */
  snapshot(): Promise<string>;
  /** Resolves once at most `limit` characters are pending. */
  drained?(limit: number): Promise<void>;
  /** Releases the terminal. */
  dispose(): void;
}

/** The part of the session start the live state needs (the session's own type). */
export type LiveStart = Pick<SessionStart, "cols" | "rows" | "theme">;

/** The state a subscriber starts from: the screen as output, after event `lastId`. */
export interface LiveInit {
  /** Id of the last event the screen includes (0 before any). */
  lastId: number;
  /** Stream time of the Init, in µs. */
  time: number;
  /** Terminal columns. */
  cols: number;
  /** Terminal rows. */
  rows: number;
  /** The session's colour theme. */
  theme?: Theme;
  /** Terminal output that rebuilds the screen in a blank terminal of that size. */
  initData: string;
}

/** One streamed event, numbered. */
export interface LiveEvent {
  /** 1, 2, 3…: one more than the previous event's. */
  id: number;
  /** Stream time in µs (never decreasing). */
  time: number;
  /** The event's code (only those ALiS has are streamed). */
  code: StreamCode;
  /** As in an Event (`COLSxROWS` for resizes, a non-negative status for exits). */
  data: string;
}

/** A consumer of the live state. */
export interface LiveSubscriber {
  /**
   * Where the subscriber starts: first once the stream has started, and again with
   * `restart` when the stream restarts from a producer's new Init (relay).
   */
  init(init: LiveInit, restart: boolean): void;
  /** One event after the Init. */
  event(event: LiveEvent): void;
  /** The stream ended at `time`: nothing follows. */
  end(time: number): void;
  /**
   * Events waiting for this subscriber's Init outgrew the bound: the live state stops
   * serving it (it should disconnect, so its peer starts over).
   */
  overflow?(): void;
  /**
   * Behind on work of its own (a rewind log's writes to its file): a promise that resolves
   * when it has caught up. A session waits for it before it reads more output; a relay's
   * live state does not ask.
   */
  backpressure?(): Promise<void> | undefined;
  /**
   * Takes output merged: when the live state paces its fan-out (`paceMs`), consecutive
   * output events may come as one (the last one's id and time, their data joined). Viewers
   * do; recorders and logs, which keep every event, do not.
   */
  readonly mergeable?: boolean;
}

/** Options for {@linkcode LiveState}. */
export interface LiveStateOptions {
  /**
   * Makes the headless terminal. Default: a {@linkcode WorkerVt} (the emulator parses in a
   * worker thread, off the session's output loop) without scrollback, that skips drawing
   * what a flood scrolls off unseen.
   */
  createTerminal?: (cols: number, rows: number) => LiveTerminal;
  /** Monotonic clock in milliseconds. Default `performance.now`. */
  now?: () => number;
  /** Bytes of events that may wait for one subscriber's Init. Default 16 MiB. */
  maxPendingBytes?: number;
  /** A terminal backlog above this many characters asks the session to wait. Default 16 Mi. */
  highWaterBacklog?: number;
  /** The session resumes once the backlog is down to this. Default 4 Mi. */
  lowWaterBacklog?: number;
  /**
   * How long (ms) output may wait for mergeable subscribers, given the number of
   * subscribers: within that time each gets, merged, what came since it last got output,
   * the subscribers taking turns ({@linkcode PacedOutput}), while output after a pause goes
   * to all at once. A relay paces a stream with many viewers, so each send carries more and
   * the sends per second stay within what the machine can do. Default: never (every event
   * goes at once).
   */
  paceMs?: (subscribers: number) => number;
}

type _State = "waiting" | "pending" | "live";

class _Subscription {
  state: _State = "waiting";
  /** Events that arrived while the Init was being built. */
  backlog: LiveEvent[] = [];
  backlogBytes = 0;
  /** Counts Inits started, so a stale snapshot is ignored. */
  generation = 0;
  /** An Init was delivered: the next one is a restart. */
  started = false;
  /** The stream ended while this Init was being built: the end follows it. */
  endAt: number | undefined;
  constructor(readonly subscriber: LiveSubscriber, readonly slot: number) {}
}

/** Emulators live states have made in this process (for `--verbose` and tests). */
let emulatorsMade = 0;

/**
 * The live state. Create it before the session (so servers can accept subscribers early),
 * call {@linkcode LiveState.begin} when the session starts, and use it as the session's
 * {@linkcode EventSink}; or, in a relay, {@linkcode LiveState.reset} on each producer Init.
 *
 * @example
 * ```ts
 * import { LiveState } from "./live_state.ts";
 * const live = new LiveState();
 * live.subscribe({
 *   init: (init) => console.log("screen", init.initData),
 *   event: (event) => console.log(event.id, event.data),
 *   end: () => console.log("ended"),
 * });
 * live.begin({ cols: 80, rows: 24 });
 * live.write({ time: 0, code: "o", data: "hello\r\n" });
 * await live.close();
 * ```
 */
export class LiveState implements EventSink {
  readonly #createTerminal: (cols: number, rows: number) => LiveTerminal;
  readonly #now: () => number;
  readonly #maxPendingBytes: number;
  readonly #highWater: number;
  readonly #lowWater: number;
  readonly #subs = new Map<LiveSubscriber, _Subscription>();
  /** Subscribers that may ask the session to wait (few: not the viewers). */
  readonly #pressing = new Set<LiveSubscriber>();
  readonly #paceMs: ((subscribers: number) => number) | undefined;
  /** Output held back for mergeable subscribers (paced), released slot by slot. */
  readonly #paced: PacedOutput<LiveEvent>;
  #terminal: LiveTerminal | undefined;
  #theme: Theme | undefined;
  #lastId = 0;
  #lastTime = 0;
  #lastWall = 0;
  #ended = false;
  #final: LiveInit | undefined;
  #finalReady: Promise<LiveInit> | undefined;
  readonly #snapshots = new Set<Promise<unknown>>();

  /** Makes a live state; nothing runs until {@linkcode LiveState.begin}. */
  constructor(options: LiveStateOptions = {}) {
    this.#createTerminal = options.createTerminal ??
      ((cols, rows) => new WorkerVt(cols, rows, { scrollback: 0, skipScrolledOff: true }));
    this.#now = options.now ?? (() => performance.now());
    this.#maxPendingBytes = options.maxPendingBytes ?? 16 * 1024 * 1024;
    this.#highWater = options.highWaterBacklog ?? 16 * 1024 * 1024;
    this.#lowWater = options.lowWaterBacklog ?? 4 * 1024 * 1024;
    this.#paceMs = options.paceMs;
    this.#paced = new PacedOutput({
      now: this.#now,
      deliver: (bySlot) => {
        for (const sub of this.#subs.values()) {
          const event = bySlot[sub.slot];
          if (event && sub.state === "live" && sub.subscriber.mergeable) {
            sub.subscriber.event(event);
          }
        }
      },
    });
  }

  /** Terminal emulators made by live states in this process so far. */
  static get emulatorsMade(): number {
    return emulatorsMade;
  }

  /** Subscribers (waiting for the start, building their Init, or live). */
  get subscriberCount(): number {
    return this.#subs.size;
  }

  /** Id of the last event taken (0 before any). */
  get lastId(): number {
    return this.#lastId;
  }

  /** Whether the stream has started (and not ended). */
  get started(): boolean {
    return this.#terminal !== undefined && !this.#ended;
  }

  /** Whether {@linkcode LiveState.close} has been called. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Characters fed to the terminal and not parsed yet. */
  get backlog(): number {
    return this.#terminal?.pending ?? 0;
  }

  /**
   * Starts the stream with the session's size and theme, and sends an Init to every
   * subscriber that came before.
   *
   * @throws {Error} if the stream has started already.
   */
  begin(start: LiveStart): void {
    if (this.#terminal || this.#ended) throw new Error("LiveState.begin() called twice");
    this.#terminal = this.#newTerminal(start.cols, start.rows);
    this.#theme = start.theme;
    this.#lastWall = this.#now();
    for (const sub of this.#subs.values()) this.#startInit(sub);
  }

  /**
   * (Re)starts the stream from an Init a producer sent (a relay's producer connecting or
   * reconnecting): a fresh terminal of its size fed with its screen; the stream clock and
   * ids continue from the Init's. Every subscriber gets a new Init (with `restart` for those
   * that had one).
   */
  reset(init: LiveInit): void {
    if (this.#ended) return;
    this.#releaseHeld();
    this.#terminal?.dispose();
    this.#terminal = this.#newTerminal(init.cols, init.rows);
    if (init.initData !== "") this.#terminal.feed(init.initData);
    this.#theme = init.theme;
    this.#lastId = init.lastId;
    this.#lastTime = init.time;
    this.#lastWall = this.#now();
    // The screen is exactly the producer's initData: every subscriber gets it as it is.
    const start: LiveInit = {
      lastId: init.lastId,
      time: init.time,
      cols: init.cols,
      rows: init.rows,
      initData: init.initData,
    };
    if (init.theme) start.theme = init.theme;
    for (const sub of this.#subs.values()) {
      sub.generation++;
      this.#deliverInit(sub, start, []);
    }
  }

  #newTerminal(cols: number, rows: number): LiveTerminal {
    emulatorsMade++;
    return this.#createTerminal(cols, rows);
  }

  /** Stream time now: the last event's time plus the wall clock since (µs). */
  #streamTime(): number {
    return this.#lastTime + Math.max(0, Math.round((this.#now() - this.#lastWall) * 1000));
  }

  /**
   * Adds a subscriber. Once the stream runs, it gets an Init from the current screen and
   * then every later event, in order; after the end, the final screen and the end at once.
   * Returns the function that removes it (safe to call more than once).
   */
  subscribe(subscriber: LiveSubscriber): () => void {
    const sub = new _Subscription(subscriber, subscriber.mergeable ? this.#paced.nextSlot() : 0);
    this.#subs.set(subscriber, sub);
    if (subscriber.backpressure) this.#pressing.add(subscriber);
    if (this.#ended) this.#sendFinal(sub);
    else if (this.#terminal) this.#startInit(sub);
    return () => {
      if (this.#subs.get(subscriber) !== sub) return;
      this.#subs.delete(subscriber);
      this.#pressing.delete(subscriber);
    };
  }

  #startInit(sub: _Subscription): void {
    // Held output belongs to subscribers live before this point, the backlog to this one.
    this.#releaseHeld();
    const terminal = this.#terminal!;
    // Captured in the same synchronous step as the snapshot call: the Init reflects exactly
    // the events up to lastId, and the backlog collects exactly the rest.
    const generation = ++sub.generation;
    const lastId = this.#lastId;
    const time = this.#streamTime();
    const { cols, rows } = terminal;
    const theme = this.#theme;
    sub.state = "pending";
    sub.backlog = [];
    sub.backlogBytes = 0;
    const snapshot = terminal.snapshot();
    this.#track(snapshot);
    snapshot.then(
      (initData) => {
        if (sub.generation !== generation || this.#subs.get(sub.subscriber) !== sub) return;
        const init: LiveInit = { lastId, time, cols, rows, initData };
        if (theme) init.theme = theme;
        this.#deliverInit(sub, init, sub.backlog);
      },
      () => {
        // The terminal was disposed (a reset or the end): a newer Init or the end follows.
      },
    );
  }

  /** Hands a subscriber its Init, then the events that came meanwhile (and the end, if due). */
  #deliverInit(sub: _Subscription, init: LiveInit, backlog: LiveEvent[]): void {
    this.#releaseHeld(); // held output is in `backlog` too: it goes to the others first
    sub.state = "live";
    sub.backlog = [];
    sub.backlogBytes = 0;
    const restart = sub.started;
    sub.started = true;
    sub.subscriber.init(init, restart);
    for (const event of backlog) {
      if (this.#subs.get(sub.subscriber) !== sub) return;
      sub.subscriber.event(event);
    }
    if (sub.endAt !== undefined && this.#subs.get(sub.subscriber) === sub) {
      sub.subscriber.end(sub.endAt);
    }
  }

  #track(promise: Promise<unknown>): void {
    const settled = promise.then(() => {}, () => {});
    this.#snapshots.add(settled);
    settled.then(() => this.#snapshots.delete(settled));
  }

  /** Takes one session event (never blocks, never throws for a subscriber's sake). */
  write(event: Event): void {
    if (this.#ended) return;
    const terminal = this.#terminal;
    if (!terminal) throw new Error("LiveState.write() called before begin()");
    const streamed = streamable(event.code, event.data);
    if (!streamed) return;
    if (streamed.code === "o") terminal.feed(streamed.data);
    else if (streamed.code === "r") {
      const [cols, rows] = streamed.data.split("x").map(Number) as [number, number];
      try {
        terminal.resize(cols, rows);
      } catch {
        return; // a size the terminal cannot take is not streamed
      }
    }
    this.#lastTime = Math.max(this.#lastTime, event.time);
    this.#lastWall = this.#now();
    const live: LiveEvent = {
      id: ++this.#lastId,
      time: this.#lastTime,
      code: streamed.code,
      data: streamed.data,
    };
    const pace = live.code === "o" && this.#paceMs ? this.#paceMs(this.#subs.size) : 0;
    if (pace <= 0) this.#releaseHeld(); // what was held goes first: order is kept
    for (const sub of this.#subs.values()) {
      if (sub.state === "live") {
        if (pace <= 0 || !sub.subscriber.mergeable) sub.subscriber.event(live);
      } else if (sub.state === "pending") {
        sub.backlog.push(live);
        sub.backlogBytes += live.data.length + 16;
        if (sub.backlogBytes > this.#maxPendingBytes) {
          this.#subs.delete(sub.subscriber);
          sub.subscriber.overflow?.();
        }
      }
    }
    if (pace > 0) this.#paced.hold(live, pace);
  }

  /** Hands what is held for mergeable subscribers to them now. */
  #releaseHeld(): void {
    this.#paced.releaseAll();
  }

  /**
   * When the terminal parses far behind (a flood faster than the emulator) or a subscriber
   * is behind on its own work, a promise that resolves once it has caught up; the session
   * stops reading the PTY meanwhile. Otherwise undefined.
   */
  backpressure(): Promise<void> | undefined {
    const terminal = this.#terminal;
    if (terminal?.drained && (terminal.pending ?? 0) > this.#highWater) {
      return terminal.drained(this.#lowWater);
    }
    for (const subscriber of this.#pressing) {
      if (!this.#subs.has(subscriber)) this.#pressing.delete(subscriber);
      else {
        const wait = subscriber.backpressure!();
        if (wait) return wait;
      }
    }
    return undefined;
  }

  /** A subscriber that comes after the end gets the final screen and the end. */
  #sendFinal(sub: _Subscription): void {
    this.#releaseHeld();
    // An Init still being built is superseded by the final one.
    const generation = ++sub.generation;
    sub.state = "pending";
    sub.backlog = [];
    this.#finalReady!.then((init) => {
      if (sub.generation !== generation || this.#subs.get(sub.subscriber) !== sub) return;
      sub.state = "live";
      const restart = sub.started;
      sub.started = true;
      sub.subscriber.init(init, restart);
      sub.subscriber.end(init.time);
    });
  }

  /**
   * Ends the stream: each subscriber gets the end after the events it has (one still
   * waiting for its Init gets the final screen first); later subscribers get the final
   * screen and the end at once. Releases the terminal.
   */
  async close(): Promise<void> {
    if (this.#ended) return;
    this.#releaseHeld();
    this.#ended = true;
    const terminal = this.#terminal;
    const base = {
      lastId: this.#lastId,
      time: terminal ? this.#streamTime() : 0,
      cols: terminal?.cols ?? 80,
      rows: terminal?.rows ?? 24,
    };
    const snapshot = terminal ? terminal.snapshot() : Promise.resolve("");
    this.#track(snapshot);
    this.#finalReady = snapshot.catch(() => "").then((initData) => {
      const init: LiveInit = { ...base, initData };
      if (this.#theme) init.theme = this.#theme;
      this.#final = init;
      return init;
    });
    for (const sub of this.#subs.values()) {
      if (sub.state === "live") sub.subscriber.end(base.time);
      else if (sub.state === "pending") sub.endAt = base.time; // after its Init
      else this.#sendFinal(sub);
    }
    await this.#finalReady;
    await Promise.all(this.#snapshots);
    terminal?.dispose();
  }

  /** The final Init, once {@linkcode LiveState.close} has built it. */
  get final(): LiveInit | undefined {
    return this.#final;
  }
}
