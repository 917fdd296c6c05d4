/**
 * The relay benchmark's load generator: one producer and many light ALiS viewers on one
 * worker thread, with plain blocking `send`s and one `epoll` over every viewer (libc through
 * FFI). On the same machine as the server it measures, it costs a few µs per message, and
 * its producer stamps each event right before the `send`. Deno's own sockets cost an async
 * op per read, and past 128 I/O operations in one turn of the event loop the rest wait for
 * later turns (the runtime's cooperative budget): at 1 000 viewers a generator built on them
 * was a large part of the latency it measured, and its producer's sends waited behind the
 * viewers' reads.
 *
 * The producer sends one stamped Output event (`_stamps.ts`) every tick; each viewer times
 * the events sent inside the measured window as they arrive.
 *
 * @module
 */

/** Slots of the control buffer shared with the worker (Int32 indexes). */
export const CONTROL = {
  /** Viewers that got their Init (the worker counts up). */
  ready: 0,
  /** Set by the owner: the producer sends events. */
  producing: 1,
  /** Set by the owner: the window is open (events sent meanwhile are timed). */
  measuring: 2,
  /** Set by the owner: the worker closes everything and reports. */
  stop: 3,
  slots: 4,
};

/** A WebSocket endpoint on 127.0.0.1. */
export interface Endpoint {
  port: number;
  path: string;
}

/** What the worker is asked. */
export interface LoadRequest {
  producer: Endpoint;
  /** Messages the producer sends after its handshake (the magic and an Init, or none). */
  preamble: Uint8Array[];
  viewer: Endpoint;
  viewers: number;
  /** Bytes of each event's data. */
  eventBytes: number;
  tickMs: number;
  control: SharedArrayBuffer;
}

/** What the worker reports. */
export interface LoadResult {
  /** Arrival minus send stamp (ms) of each event sent inside the window, for every viewer. */
  latencies: number[];
  /** Events the producer sent inside the window. */
  sent: number;
  /** Viewers whose connection ended while the window was open. */
  dropped: number;
}

function endpoint(url: string): Endpoint {
  const target = new URL(url);
  if (target.hostname !== "127.0.0.1") throw new Error(`${url}: only 127.0.0.1 is measured`);
  return { port: Number(target.port), path: target.pathname };
}

/** Settings of {@linkcode FanOutLoad.open}. */
export interface FanOutLoadOptions {
  /** The producer's WebSocket (`ws://127.0.0.1:…`). */
  producerUrl: string;
  /** Messages the producer sends first. */
  preamble: Uint8Array[];
  /** The viewers' WebSocket. */
  viewerUrl: string;
  viewers: number;
  eventBytes: number;
  tickMs: number;
}

/**
 * A producer and its viewers on a worker thread.
 *
 * @example
 * ```ts
 * import { FanOutLoad } from "./_fanout_load.ts";
 * // const load = FanOutLoad.open({ producerUrl, preamble, viewerUrl, viewers: 1000, … });
 * // await load.allReady(60_000); load.produce(); load.measure(true); …; load.measure(false);
 * // const { latencies, sent, dropped } = await load.finish();
 * ```
 */
export class FanOutLoad {
  readonly #worker: Worker;
  readonly #control = new Int32Array(new SharedArrayBuffer(CONTROL.slots * 4));
  readonly #result: Promise<LoadResult>;
  #failed = false;

  private constructor(readonly options: FanOutLoadOptions) {
    this.#worker = new Worker(new URL("./_fanout_load_worker.ts", import.meta.url), {
      type: "module",
    });
    this.#result = new Promise((resolve, reject) => {
      this.#worker.onmessage = (e: MessageEvent<LoadResult | { error: string }>) => {
        this.#worker.terminate();
        if ("error" in e.data) reject(new Error(e.data.error));
        else resolve(e.data);
      };
      this.#worker.onerror = (e) => {
        e.preventDefault();
        this.#worker.terminate();
        reject(new Error(e.message));
      };
    });
    this.#result.catch(() => (this.#failed = true));
    const request: LoadRequest = {
      producer: endpoint(options.producerUrl),
      preamble: options.preamble,
      viewer: endpoint(options.viewerUrl),
      viewers: options.viewers,
      eventBytes: options.eventBytes,
      tickMs: options.tickMs,
      control: this.#control.buffer as SharedArrayBuffer,
    };
    this.#worker.postMessage(request);
  }

  /** Starts the worker: it connects the producer, then the viewers one after another. */
  static open(options: FanOutLoadOptions): FanOutLoad {
    return new FanOutLoad(options);
  }

  /** Viewers that got their Init so far. */
  get ready(): number {
    return Atomics.load(this.#control, CONTROL.ready);
  }

  /** Waits until every viewer got its Init; false after `timeoutMs` or if the worker failed. */
  async allReady(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.ready < this.options.viewers && Date.now() < deadline && !this.#failed) {
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.ready === this.options.viewers;
  }

  /** The producer starts sending an event every tick. */
  produce(): void {
    Atomics.store(this.#control, CONTROL.producing, 1);
  }

  /**
   * Opens (`true`) or closes the measured window: events sent while it is open are timed
   * wherever they arrive, and a viewer whose connection ends meanwhile counts as dropped.
   */
  measure(open: boolean): void {
    Atomics.store(this.#control, CONTROL.measuring, open ? 1 : 0);
  }

  /** Stops producing, closes every connection and reports. */
  finish(): Promise<LoadResult> {
    Atomics.store(this.#control, CONTROL.stop, 1);
    return this.#result;
  }
}
