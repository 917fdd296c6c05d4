/**
 * The remote forwarder: publishes a session's live state to an asciinema server (or
 * `asciirec serve`) over ALiS, as `asciinema stream --remote` does. It is a subscriber of
 * the session's {@linkcode LiveState} and keeps only what is its own: the connection,
 * reconnecting with jittered exponential backoff (500 ms → 10 s), its bounded send queue,
 * and the server's close codes (it stops for good on 1000 or 4000–4099). On every
 * (re)connection it subscribes again, so the server gets a fresh Init built from the
 * current screen. A slow or dead connection never stalls the session: events wait in the
 * bounded queue (outputs merged), and overflowing it drops the connection for a fresh Init.
 *
 * The connection sends each message at once (Nagle's algorithm off, as asciinema's
 * forwarder has it; see `lib/http/websocket_client.ts`), so events do not wait for the
 * server's acknowledgement of the ones before.
 *
 * Keepalive, as the reference's: the socket answers the server's pings and pings a server
 * silent for 15 s (which keeps NAT mappings alive); one that stays silent 15 s more is deemed
 * gone and the connection replaced. The forwarder also checks every 5 s that data it handed
 * to the socket drains: if `bufferedAmount` stays non-zero without falling for 10 s (the
 * reference's send timeout), the connection is deemed dead and replaced.
 *
 * @module
 */
import { encodeAlisMessage } from "../alis/encoder.ts";
import { ALIS_PROTOCOL, alisMagic, type AlisMessage } from "../alis/message.ts";
import type { LiveEvent, LiveInit, LiveState, LiveSubscriber } from "../stream/live_state.ts";
import { SendQueue } from "../stream/send_queue.ts";
import { alisEvent } from "../stream/encoded_event.ts";
import type { WebSocketConnection } from "../http/websocket.ts";
import { connectWebSocket } from "../http/websocket_client.ts";
import { USER_AGENT } from "./api_client.ts";

/** Where to publish: the producer WebSocket and, when known, the viewer page. */
export interface ProducerEndpoint {
  /** `ws://` or `wss://` URL of the producer socket. */
  wsUrl: string;
  /** The stream's viewer page (unknown when a ws URL was given directly). */
  viewerUrl?: string;
  /** Marks the stream live again (used once after a 4040); absent for a direct ws URL. */
  relive?: () => Promise<void>;
}

/** Options for {@linkcode RemoteForwarder}. */
export interface ForwarderOptions {
  /** Connection changes and final stops, for the user (notifications). */
  onNotice?: (message: string) => void;
  /** First reconnect delay bound in ms; doubles per failure. Default 500. */
  minBackoffMs?: number;
  /** Largest reconnect delay bound in ms. Default 10 000. */
  maxBackoffMs?: number;
  /** A connection must last this long to reset the backoff. Default 3000 ms. */
  stableAfterMs?: number;
  /** Events that may wait for a slow connection before it is dropped. Default 1024. */
  maxQueueEvents?: number;
  /** Bytes that may wait for a slow connection before it is dropped. Default 8 MiB. */
  maxQueueBytes?: number;
  /** Data handed to the socket beyond this waits in the queue. Default 256 KiB. */
  highWaterBytes?: number;
  /** Connecting (until the upgrade) gives up after this. Default 10 000 ms. */
  connectTimeoutMs?: number;
  /** Buffered data that does not drain for this long means a dead connection. Default 10 000 ms. */
  stallTimeoutMs?: number;
  /** At the end, how long to wait for the last data and the close. Default 5000 ms. */
  closeTimeoutMs?: number;
  /**
   * A server silent this long gets a ping; silent as long again, the connection is replaced.
   * Default 15 000 ms.
   */
  idleTimeoutMs?: number;
}

type _State = "connecting" | "initialising" | "live" | "stopped";

type _Item = { kind: "event"; event: LiveEvent } | { kind: "eot"; id: number; time: number };

/** Close code of the forwarder's own close for a lagging or stalled connection (retried). */
const CLOSE_FELL_BEHIND = 4100;

/**
 * Forwards a live state to a server. It starts connecting at once; the session ending
 * (the live state's end) makes it send EOT and close 1000 "ended";
 * {@linkcode RemoteForwarder.finished} resolves when that is done (or given up after
 * `closeTimeoutMs`).
 *
 * @example
 * ```ts
 * import { LiveState } from "../stream/live_state.ts";
 * import { RemoteForwarder } from "./forwarder.ts";
 * const live = new LiveState();
 * const forwarder = new RemoteForwarder({ wsUrl: "ws://127.0.0.1:4949/ws/S/token" }, live);
 * live.begin({ cols: 80, rows: 24 });
 * live.write({ time: 0, code: "o", data: "hello\r\n" });
 * await live.close();
 * await forwarder.finished;
 * ```
 */
export class RemoteForwarder implements LiveSubscriber {
  readonly #endpoint: ProducerEndpoint;
  readonly #live: LiveState;
  readonly #options: Required<Omit<ForwarderOptions, "onNotice">>;
  readonly #notice: (message: string) => void;
  #state: _State = "connecting";
  #socket: WebSocketConnection | undefined;
  #queue: SendQueue<_Item> | undefined;
  #unsubscribe: (() => void) | undefined;
  /** Stream time of the last message sent on this connection (µs). */
  #prev = 0;
  #ended = false;
  #endTime = 0;
  #everConnected = false;
  #outageNoticed = false;
  #relived = false;
  #attempt = 0;
  #wake: (() => void) | undefined;
  #loop: Promise<void>;
  #finished: Promise<void> | undefined;
  #stableTimer: ReturnType<typeof setTimeout> | undefined;
  #watchdog: ReturnType<typeof setInterval> | undefined;
  #endSent: (() => void) | undefined;

  /** Starts forwarding `live` to `endpoint` (connects in the background). */
  constructor(endpoint: ProducerEndpoint, live: LiveState, options: ForwarderOptions = {}) {
    this.#endpoint = endpoint;
    this.#live = live;
    this.#options = {
      minBackoffMs: 500,
      maxBackoffMs: 10_000,
      stableAfterMs: 3000,
      maxQueueEvents: 1024,
      maxQueueBytes: 8 * 1024 * 1024,
      highWaterBytes: 256 * 1024,
      connectTimeoutMs: 10_000,
      stallTimeoutMs: 10_000,
      closeTimeoutMs: 5000,
      idleTimeoutMs: 15_000,
      ...options,
    };
    this.#notice = options.onNotice ?? (() => {});
    this.#loop = this.#run();
  }

  /** Whether a connection is up and past its Init. */
  get connected(): boolean {
    return this.#state === "live";
  }

  // ---- LiveSubscriber: called by the live state for the current connection.

  init(init: LiveInit, _restart: boolean): void {
    const socket = this.#socket;
    if (!socket || this.#state !== "initialising" || socket.readyState !== WebSocket.OPEN) return;
    const message: AlisMessage = { type: "init", ...init };
    this.#prev = init.time;
    try {
      socket.send(alisMagic() as Uint8Array<ArrayBuffer>);
      socket.send(encodeAlisMessage(message) as Uint8Array<ArrayBuffer>);
    } catch {
      this.#abandon(socket, CLOSE_FELL_BEHIND, "send failed");
      return;
    }
    this.#state = "live";
    if (this.#outageNoticed || !this.#everConnected) {
      this.#notice(this.#everConnected ? "Reconnected to the server" : "Connected to the server");
    }
    this.#everConnected = true;
    this.#outageNoticed = false;
    this.#stableTimer = setTimeout(() => (this.#attempt = 0), this.#options.stableAfterMs);
    this.#startWatchdog(socket);
  }

  event(event: LiveEvent): void {
    if (this.#state === "live") this.#queue?.push({ kind: "event", event });
  }

  end(time: number): void {
    this.#ended = true;
    this.#endTime = time;
    if (this.#state === "live") this.#sendEnd();
  }

  overflow(): void {
    this.#notice("The connection fell behind, reconnecting...");
    this.#abandon(this.#socket, CLOSE_FELL_BEHIND, "producer fell behind");
  }

  // ---- The connection.

  /**
   * Resolves once the end was delivered (EOT, close 1000) or given up on after
   * `closeTimeoutMs` from the end, or at once after a final close by the server. Call after
   * the live state has been closed.
   */
  get finished(): Promise<void> {
    this.#finished ??= this.#finish();
    return this.#finished;
  }

  async #finish(): Promise<void> {
    const deadline = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.#options.closeTimeoutMs);
      Deno.unrefTimer(timer);
    });
    // Give a reconnecting forwarder a moment to deliver the end.
    this.#wake?.();
    const delivered = new Promise<void>((resolve) => {
      if (this.#state === "stopped") resolve();
      this.#endSent = resolve;
    });
    await Promise.race([delivered, deadline]);
    this.#stop();
    await Promise.race([this.#loop, deadline]);
  }

  #stop(): void {
    this.#state = "stopped";
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#queue?.stop();
    clearTimeout(this.#stableTimer);
    clearInterval(this.#watchdog);
    this.#wake?.();
    try {
      this.#socket?.close();
    } catch {
      // Already closed.
    }
  }

  #sendEnd(): void {
    const queue = this.#queue;
    const socket = this.#socket;
    if (!queue || !socket) return;
    queue.push({ kind: "eot", id: this.#live.lastId + 1, time: this.#endTime });
    const close = () => {
      try {
        socket.close(1000, "ended");
      } catch {
        // Already closing.
      }
    };
    if (queue.length === 0) close();
    else this.#closeWhenEmpty = close;
  }

  #closeWhenEmpty: (() => void) | undefined;

  #encode(item: _Item): Uint8Array<ArrayBuffer> {
    const at = Math.max(item.kind === "eot" ? item.time : item.event.time, this.#prev);
    const relTime = at - this.#prev;
    this.#prev = at;
    if (item.kind === "eot") {
      return encodeAlisMessage({ type: "eot", id: item.id, relTime }) as Uint8Array<ArrayBuffer>;
    }
    // The same bytes as a local viewer in step gets: encoded once for both.
    return alisEvent(item.event, relTime) as Uint8Array<ArrayBuffer>;
  }

  /** Drops a connection (the loop notices its close and reconnects). */
  #abandon(socket: WebSocketConnection | undefined, code: number, reason: string): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#queue?.stop();
    if (this.#state !== "stopped") this.#state = "connecting";
    if (!socket) return;
    try {
      socket.close(code, reason);
    } catch {
      // Already closing.
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#wake = undefined;
        resolve();
      }, ms);
      this.#wake = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
    });
  }

  #isStopped(): boolean {
    return this.#state === "stopped";
  }

  async #run(): Promise<void> {
    while (!this.#isStopped()) {
      const outcome = await this.#connectOnce();
      if (outcome === "final" || this.#isStopped()) break;
      const relive = outcome === "not-found" && this.#endpoint.relive && !this.#relived;
      if (!this.#outageNoticed && !relive) {
        this.#outageNoticed = true;
        this.#notice(
          this.#everConnected
            ? "Disconnected from the server, reconnecting..."
            : "Cannot connect to the server, retrying...",
        );
      }
      if (relive) {
        this.#relived = true;
        try {
          await this.#endpoint.relive!();
          continue;
        } catch {
          // Fall through to the backoff.
        }
      }
      const bound = Math.min(
        this.#options.minBackoffMs * 2 ** this.#attempt,
        this.#options.maxBackoffMs,
      );
      this.#attempt = Math.min(this.#attempt + 1, 10);
      // Equal jitter: never (almost) zero, so retries do not hammer the server.
      await this.#sleep(bound / 2 + Math.random() * bound / 2);
    }
    this.#state = "stopped";
    this.#endSent?.();
  }

  /** One connection, from connect to close: "final" (stop), "not-found" (4040) or "retry". */
  #connectOnce(): Promise<"final" | "retry" | "not-found"> {
    return new Promise((resolve) => {
      let socket: WebSocketConnection;
      try {
        socket = connectWebSocket(this.#endpoint.wsUrl, {
          protocols: [ALIS_PROTOCOL],
          headers: { "User-Agent": USER_AGENT },
          idleTimeout: this.#options.idleTimeoutMs / 1000,
        });
      } catch (error) {
        this.#notice(`Cannot connect to ${this.#endpoint.wsUrl}: ${(error as Error).message}`);
        resolve("final");
        return;
      }
      this.#socket = socket;
      if (this.#state !== "stopped") this.#state = "connecting";
      const connectTimer = setTimeout(() => socket.close(), this.#options.connectTimeoutMs);
      let verdict: "final" | "retry" | "not-found" = "retry";
      socket.onopen = () => {
        clearTimeout(connectTimer);
        if (socket.protocol !== ALIS_PROTOCOL) {
          this.#notice("The server version is too old, forwarding failed");
          verdict = "final";
          socket.close(1000, "unsupported server");
          return;
        }
        this.#startConnection(socket);
      };
      socket.onmessage = () => {}; // the server has nothing to say; pings are answered
      socket.onclose = (e) => {
        clearTimeout(connectTimer);
        clearTimeout(this.#stableTimer);
        clearInterval(this.#watchdog);
        this.#unsubscribe?.();
        this.#unsubscribe = undefined;
        this.#queue?.stop();
        this.#queue = undefined;
        this.#closeWhenEmpty = undefined;
        if (this.#socket === socket) this.#socket = undefined;
        if (this.#state !== "stopped") this.#state = "connecting";
        if (this.#ended && e.code === 1000 && verdict !== "final") {
          // Our own close after EOT: the end is delivered.
          verdict = "final";
        } else if (verdict !== "final" && this.#state !== "stopped") {
          if (e.code === 4040) verdict = "not-found";
          else if (e.code === 1000 || e.code === 1005 || (e.code >= 4000 && e.code <= 4099)) {
            // The forwarder's own close for a lagging connection is 4100: not final.
            this.#notice(`Stream halted by the server${e.reason ? `: ${e.reason}` : ""}`);
            verdict = "final";
          }
        }
        resolve(verdict);
      };
    });
  }

  #startConnection(socket: WebSocketConnection): void {
    this.#state = "initialising";
    this.#queue = new SendQueue<_Item>(socket, {
      encode: (item) => this.#encode(item),
      size: (item) => item.kind === "event" ? item.event.data.length : 8,
      merge: (a, b) =>
        a.kind === "event" && b.kind === "event" && a.event.code === "o" && b.event.code === "o"
          ? { kind: "event", event: { ...b.event, data: a.event.data + b.event.data } }
          : undefined,
      onOverflow: () => this.overflow(),
      onBroken: () => this.#abandon(socket, CLOSE_FELL_BEHIND, "send failed"),
      onEmpty: () => this.#closeWhenEmpty?.(),
      maxItems: this.#options.maxQueueEvents,
      maxBytes: this.#options.maxQueueBytes,
      highWaterBytes: this.#options.highWaterBytes,
    });
    // The live state answers with an Init from the current screen (at once if it has ended:
    // the final screen, then the end).
    this.#unsubscribe = this.#live.subscribe(this);
  }

  #startWatchdog(socket: WebSocketConnection): void {
    let lowest = Infinity;
    let since = performance.now();
    this.#watchdog = setInterval(() => {
      const buffered = socket.bufferedAmount;
      if (buffered === 0 || buffered < lowest) {
        lowest = buffered;
        since = performance.now();
      } else if (performance.now() - since > this.#options.stallTimeoutMs) {
        this.#abandon(socket, CLOSE_FELL_BEHIND, "connection stalled");
      }
    }, 5000);
  }
}
