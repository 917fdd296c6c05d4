/**
 * The life of relayed streams in memory: for each stream that has a producer, viewers or a
 * grace timer, one {@linkcode StreamRuntime} with the stream's live state (one headless
 * terminal per producer session), its viewers, its producer connection and its grace
 * period; a stream goes offline when its producer ends it or the grace period runs out.
 *
 * @module
 */
import { LiveState, type LiveTerminal } from "../stream/live_state.ts";
import { RewindLog, type RewindLogOptions } from "../stream/rewind_log.ts";
import { type ViewerOptions, Viewers } from "../stream/viewer.ts";
import type { RelayStore } from "./store.ts";
import { StreamRecorder } from "./stream_recorder.ts";

/**
 * How long a relayed stream's output may wait for its viewers: 30 µs per subscriber, so
 * that merged output goes to each at most every `subscribers / 33 333` seconds (one
 * producer at 100 events a second and 1 000 viewers: every 30 ms, 33 000 sends a second
 * instead of 100 000), up to 40 ms; nothing waits below 1 ms (under 34 viewers).
 * Output after a pause always goes at once.
 *
 * Each send costs the kernel 7–10 µs on loopback here (a plain Python loop: 1 000 sends of
 * 1 KB in 7–10 ms), so at 1 000 viewers one fan-out takes about 10 ms; interleaved runs of
 * `deno task bench relay` had a lower p99 at 30 µs than at 20 µs in every pair.
 */
export function relayPaceMs(subscribers: number): number {
  const ms = subscribers * 3 / 100;
  return ms < 1 ? 0 : Math.min(40, ms);
}

/** What a runtime needs to know of the producer connection speaking for its stream. */
export interface StreamProducer {
  /** Id of the last event the producer sent (kept in the store for its reconnect). */
  lastId: number;
  /** Closes the connection with `code`; from then on it no longer speaks for the stream. */
  detach(code: number, reason: string): void;
}

/** Settings of {@linkcode StreamRuntimes}. */
export interface StreamRuntimesOptions {
  /** The relay's store. */
  store: RelayStore;
  /** Directory of recording files. */
  recordingsDir: string;
  /** How long a stream stays live after its producer vanished, in ms. */
  graceMs: number;
  /** Save each producer session as a recording. */
  recordStreams: boolean;
  /** Makes the headless terminal of a producer session. */
  createTerminal: (cols: number, rows: number) => LiveTerminal;
  /** Viewer settings (queue bounds, the viewer limit…). */
  viewers: ViewerOptions;
  /** How long a stream's output may wait for its viewers (see `LiveStateOptions.paceMs`). */
  paceMs: (subscribers: number) => number;
  /** Keep each producer session for viewers to rewind, with these bounds; `undefined`: off. */
  rewind?: RewindLogOptions;
  /** Where log lines go. */
  log: (message: string) => void;
}

/** One stream in memory. */
export class StreamRuntime {
  /** The producer connection speaking for the stream, if any. */
  producer: StreamProducer | undefined;
  /** Ends the stream when the producer does not come back in time. */
  grace: ReturnType<typeof setTimeout> | undefined;
  /** The live state of the current (or next) producer session. */
  live: LiveState;
  /** The stream's viewers; later viewers join the current live state. */
  readonly viewers: Viewers;
  /** Saves producer sessions, with `recordStreams`. */
  recorder: StreamRecorder | undefined;
  /** The rewind log of the current live state (with rewind on). */
  rewind: RewindLog | undefined;
  /** The log of the live state before, kept for viewers of the stream that ended. */
  lastRewind: RewindLog | undefined;

  constructor(readonly streamId: number, live: LiveState, viewers: ViewerOptions) {
    this.live = live;
    this.viewers = new Viewers(live, viewers);
  }

  /** The log to rewind: the current session's once it started, else the one before. */
  get rewindLog(): RewindLog | undefined {
    return this.rewind?.status ? this.rewind : this.lastRewind ?? this.rewind;
  }

  /** Releases the rewind logs. */
  async closeRewind(): Promise<void> {
    const logs = [this.rewind, this.lastRewind];
    this.rewind = this.lastRewind = undefined;
    await Promise.all(logs.map((log) => log?.close()));
  }
}

/**
 * The runtimes of the relay's streams.
 *
 * @example
 * ```ts
 * import { StreamRuntimes } from "./streams.ts";
 * // const runtimes = new StreamRuntimes({ store, recordingsDir, graceMs: 60_000, … });
 * // runtimes.get(streamId).viewers.join(socket);
 * ```
 */
export class StreamRuntimes {
  readonly #options: StreamRuntimesOptions;
  readonly #runtimes = new Map<number, StreamRuntime>();

  /** No runtimes yet. */
  constructor(options: StreamRuntimesOptions) {
    this.#options = options;
  }

  /** The stream's runtime, made when it has none. */
  get(streamId: number): StreamRuntime {
    let runtime = this.#runtimes.get(streamId);
    if (!runtime) {
      runtime = new StreamRuntime(streamId, this.#newLive(), this.#options.viewers);
      runtime.rewind = this.#newRewind(runtime.live);
      this.#runtimes.set(streamId, runtime);
    }
    return runtime;
  }

  /** Most viewers of one stream (`undefined`: no limit). */
  get maxViewers(): number | undefined {
    return this.#options.viewers.maxViewers;
  }

  /** Whether producer sessions are kept for rewinding. */
  get rewinds(): boolean {
    return this.#options.rewind !== undefined;
  }

  /** The stream's runtime, if it has one. */
  find(streamId: number): StreamRuntime | undefined {
    return this.#runtimes.get(streamId);
  }

  #newLive(): LiveState {
    return new LiveState({
      createTerminal: this.#options.createTerminal,
      paceMs: this.#options.paceMs,
    });
  }

  #newRewind(live: LiveState): RewindLog | undefined {
    if (!this.#options.rewind) return undefined;
    const log = new RewindLog(this.#options.rewind);
    live.subscribe(log);
    return log;
  }

  /** Forgets a runtime that has nothing left: no producer, viewer or timer. */
  release(runtime: StreamRuntime): void {
    if (!runtime.producer && runtime.grace === undefined && runtime.viewers.count === 0) {
      if (this.#runtimes.get(runtime.streamId) === runtime) {
        this.#runtimes.delete(runtime.streamId);
        void runtime.closeRewind();
      }
    }
  }

  /** (Re)arms the grace period: the stream ends `delayMs` from now unless a producer returns. */
  armGrace(runtime: StreamRuntime, delayMs: number = this.#options.graceMs): void {
    clearTimeout(runtime.grace);
    runtime.grace = setTimeout(() => {
      runtime.grace = undefined;
      this.#options.log(`stream ${runtime.streamId}: grace period over, offline`);
      void this.end(runtime);
    }, Math.max(0, delayMs));
  }

  /** A producer connection now speaks for the stream: the previous one is detached. */
  attachProducer(runtime: StreamRuntime, producer: StreamProducer, takeoverCode: number): void {
    this.dropProducer(runtime, takeoverCode, "ownership lost");
    runtime.producer = producer;
    clearTimeout(runtime.grace);
    runtime.grace = undefined;
  }

  /** Detaches the stream's producer and closes it with `code` (its close then changes nothing). */
  dropProducer(runtime: StreamRuntime, code: number, reason: string): void {
    const producer = runtime.producer;
    if (!producer) return;
    runtime.producer = undefined;
    producer.detach(code, reason);
  }

  /**
   * A producer session starts (or restarts) from its Init: the live state restarts from
   * it (viewers get a fresh Init), and with `recordStreams` a new recording starts.
   */
  startSession(runtime: StreamRuntime, init: Parameters<LiveState["reset"]>[0]): void {
    if (this.#options.recordStreams && !runtime.recorder) {
      runtime.recorder = new StreamRecorder({
        store: this.#options.store,
        recordingsDir: this.#options.recordingsDir,
        streamId: runtime.streamId,
        log: this.#options.log,
      });
      runtime.live.subscribe(runtime.recorder);
    }
    runtime.live.reset(init);
  }

  /**
   * Marks a stream offline: its viewers get EOT and a normal close, its recording is saved,
   * and viewers who come later wait for the next producer session.
   */
  async end(runtime: StreamRuntime): Promise<void> {
    clearTimeout(runtime.grace);
    runtime.grace = undefined;
    const { store } = this.#options;
    if (store.streamById(runtime.streamId)?.live) {
      store.updateStream(runtime.streamId, { live: false });
    }
    const live = runtime.live;
    const recorder = runtime.recorder;
    runtime.recorder = undefined;
    runtime.live = this.#newLive();
    runtime.viewers.live = runtime.live;
    // The ended session stays there to rewind until the next one has started.
    void runtime.lastRewind?.close();
    runtime.lastRewind = runtime.rewind;
    runtime.rewind = this.#newRewind(runtime.live);
    await live.close();
    await recorder?.flushed();
    this.release(runtime);
  }

  /**
   * Shuts everything down: producers and viewers are closed at once with `code` (both
   * reconnect to a restarted relay; live streams keep their grace period in the store),
   * open recordings are saved, terminals released.
   */
  async closeAll(code: number, reason: string): Promise<void> {
    const ends: Promise<void>[] = [];
    for (const runtime of this.#runtimes.values()) {
      clearTimeout(runtime.grace);
      runtime.grace = undefined;
      const producer = runtime.producer;
      if (producer) this.#options.store.touchStream(runtime.streamId, producer.lastId);
      this.dropProducer(runtime, code, reason);
      runtime.viewers.disconnectAll(code, reason);
      const recorder = runtime.recorder;
      recorder?.end();
      ends.push((async () => {
        await recorder?.flushed();
        await runtime.live.close();
        await runtime.closeRewind();
      })());
    }
    await Promise.all(ends);
    this.#runtimes.clear();
  }
}
