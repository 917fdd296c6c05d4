/**
 * The remote producer: publishes a session to an asciinema server (or `asciirec serve`) over
 * ALiS, as `asciinema stream --remote` does. It is a session sink: the session hands it
 * events and never waits for it. It keeps its own headless terminal, so every (re)connection
 * starts with a fresh Init that carries the current screen and the last event id; it
 * reconnects with jittered exponential backoff (500 ms → 10 s) and stops for good when the
 * server closes with 1000 or 4000–4099. A slow or dead connection never stalls the session:
 * events wait in a bounded queue, and overflowing it drops the connection for a fresh Init.
 *
 * Keepalive: Deno's WebSocket cannot send pings. It answers the server's pings (asciinema
 * servers ping every 15 s, which keeps NAT mappings alive), and the producer checks every
 * 5 s that data it handed to the socket drains: if `bufferedAmount` stays non-zero without
 * falling for 10 s (the reference's send and pong timeouts), the connection is deemed dead
 * and replaced.
 *
 * @module
 */
import { type Event, parseSize, type Theme } from "../asciicast/event.ts";
import { encodeAlisMessage } from "../alis/encoder.ts";
import { ALIS_PROTOCOL, alisMagic, type AlisMessage } from "../alis/message.ts";
import type { EventSink } from "../session/sink.ts";
import { WorkerVt } from "../vt/worker_vt.ts";
import { ApiClient, type StreamChanges } from "./api_client.ts";
import { resolveServerUrl } from "./config.ts";
import { readOrCreateInstallId } from "./install_id.ts";

/** Where to publish: the producer WebSocket and, when known, the viewer page. */
export interface ProducerEndpoint {
  /** `ws://` or `wss://` URL of the producer socket. */
  wsUrl: string;
  /** The stream's viewer page (unknown when a ws URL was given directly). */
  viewerUrl?: string;
  /** Marks the stream live again (used once after a 4040); absent for a direct ws URL. */
  relive?: () => Promise<void>;
}

/** Options for {@linkcode prepareRemoteStream}. */
export interface PrepareRemoteOptions {
  /**
   * `undefined`/`true`: create a new stream; a `ws://`/`wss://` URL: connect there directly
   * (no API call); other text: the id prefix of an existing stream, made live again.
   */
  target?: string | true;
  /** The `--server-url` flag. */
  serverUrl?: string;
  /** Stream title. */
  title?: string;
  /** Captured environment variables (sent as `env`). */
  env?: Record<string, string>;
  /** The install id; default: read or created at asciinema's location. */
  installId?: string;
}

/**
 * Gets the producer endpoint before the session starts, as the asciinema CLI does: resolves
 * the server and install id, then creates the stream (`POST`) or finds it by id prefix and
 * marks it live (`PATCH`), with `{live: true, title, term_type, shell, env}`. A `ws://` or
 * `wss://` target skips the API. Any other URL scheme is a `TypeError`.
 *
 * @throws {ApiError} with a message for the user (401 → run `asciirec auth`, 422 live limit…).
 * @example
 * ```ts
 * import { prepareRemoteStream } from "./producer.ts";
 * const endpoint = await prepareRemoteStream({ serverUrl: "http://127.0.0.1:4949" });
 * console.log(`Live streaming at ${endpoint.viewerUrl}`);
 * ```
 */
export async function prepareRemoteStream(
  options: PrepareRemoteOptions = {},
): Promise<ProducerEndpoint> {
  const target = options.target === true ? undefined : options.target;
  if (target !== undefined && /^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
    if (!/^wss?:\/\//i.test(target)) {
      throw new TypeError(`${target}: must be a WebSocket URL (ws:// or wss://)`);
    }
    return { wsUrl: target };
  }
  const { url } = await resolveServerUrl({ flag: options.serverUrl });
  const id = options.installId ?? (await readOrCreateInstallId()).id;
  const client = new ApiClient(url, id);
  const changes: StreamChanges = { live: true };
  if (options.title !== undefined) changes.title = options.title;
  const term = Deno.env.get("TERM");
  if (term) changes.term_type = term;
  const shell = Deno.env.get("SHELL");
  if (shell) changes.shell = shell;
  if (options.env && Object.keys(options.env).length > 0) changes.env = options.env;
  const stream = await client.obtainStream(target, changes);
  return {
    wsUrl: stream.ws_producer_url,
    viewerUrl: stream.url,
    relive: async () => {
      await client.updateStream(stream.id, { live: true });
    },
  };
}

/**
 * What the producer needs of the session start (a subset of the session loop's
 * `SessionStart`, so the factory below is a `SinkFactory`).
 */
export interface ProducerStart {
  /** Terminal columns. */
  cols: number;
  /** Terminal rows. */
  rows: number;
  /** The terminal's theme, sent in every Init. */
  theme?: Theme;
}

/** Options for {@linkcode createRemoteProducer}. */
export interface RemoteProducerOptions {
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
}

/**
 * Makes the session sink factory that publishes to `endpoint`.
 *
 * @example
 * ```ts
 * import { createRemoteProducer, prepareRemoteStream } from "./producer.ts";
 * const endpoint = await prepareRemoteStream({ target: true });
 * const sink = createRemoteProducer(endpoint, { onNotice: console.error });
 * // runSession({ sinks: [sink, …] })
 * ```
 */
export function createRemoteProducer(
  endpoint: ProducerEndpoint,
  options: RemoteProducerOptions = {},
): (start: ProducerStart) => RemoteProducer {
  return (start) => new RemoteProducer(endpoint, start, options);
}

type _State = "connecting" | "initialising" | "live" | "stopped";

/**
 * The producer sink. Usually made through {@linkcode createRemoteProducer}; `write` never
 * blocks, `close` sends the end (EOT, close 1000 "ended") and waits at most `closeTimeoutMs`.
 */
export class RemoteProducer implements EventSink {
  readonly #endpoint: ProducerEndpoint;
  readonly #options: Required<Omit<RemoteProducerOptions, "onNotice">>;
  readonly #notice: (message: string) => void;
  readonly #vt: WorkerVt;
  readonly #theme: Theme | undefined;
  #state: _State = "connecting";
  #socket: WebSocket | undefined;
  #lastId = 0;
  #lastTime = 0;
  #lastWall = performance.now();
  #prev = 0;
  /** Events for the current connection not yet handed to the socket. */
  #queue: Uint8Array[] = [];
  #queueBytes = 0;
  #closing = false;
  #everConnected = false;
  #outageNoticed = false;
  #relived = false;
  #attempt = 0;
  #wake: (() => void) | undefined;
  readonly #loop: Promise<void>;
  #stableTimer: ReturnType<typeof setTimeout> | undefined;
  #watchdog: ReturnType<typeof setInterval> | undefined;
  #drainTimer: ReturnType<typeof setInterval> | undefined;

  /** Starts publishing a session that starts with `start` (connects in the background). */
  constructor(
    endpoint: ProducerEndpoint,
    start: ProducerStart,
    options: RemoteProducerOptions = {},
  ) {
    this.#endpoint = endpoint;
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
      ...options,
    };
    this.#notice = options.onNotice ?? (() => {});
    this.#vt = new WorkerVt(Math.max(1, start.cols), Math.max(1, start.rows), { scrollback: 0 });
    this.#theme = start.theme;
    this.#loop = this.#run();
  }

  /** Id of the last event taken. */
  get lastId(): number {
    return this.#lastId;
  }

  /** Whether a connection is up and past its Init. */
  get connected(): boolean {
    return this.#state === "live";
  }

  /** Takes one session event: updates the local terminal and sends it when connected. */
  write(event: Event): void {
    if (this.#state === "stopped") return;
    const message = this.#apply(event);
    if (!message) return;
    if (this.#state === "live" || this.#state === "initialising") {
      const t = Math.max(event.time, this.#prev);
      const bytes = encodeAlisMessage(message(t - this.#prev));
      this.#prev = t;
      this.#enqueue(bytes);
    }
  }

  /** Applies an event locally; returns its ALiS form (by relative time) or undefined. */
  #apply(event: Event): ((relTime: number) => AlisMessage) | undefined {
    const { data } = event;
    let make: ((relTime: number) => AlisMessage) | undefined;
    const id = this.#lastId + 1;
    switch (event.code) {
      case "o":
        this.#vt.feed(data);
        make = (relTime) => ({ type: "output", id, relTime, data });
        break;
      case "i":
        make = (relTime) => ({ type: "input", id, relTime, data });
        break;
      case "m":
        make = (relTime) => ({ type: "marker", id, relTime, label: data });
        break;
      case "r": {
        const size = parseSize(data);
        if (!size || size.cols < 1 || size.rows < 1) return undefined;
        this.#vt.resize(size.cols, size.rows);
        make = (relTime) => ({ type: "resize", id, relTime, cols: size.cols, rows: size.rows });
        break;
      }
      case "x": {
        const n = Number(data);
        const status = Number.isSafeInteger(n) && n >= 0 ? n : 0;
        make = (relTime) => ({ type: "exit", id, relTime, status });
        break;
      }
      default:
        return undefined;
    }
    this.#lastId = id;
    this.#lastTime = Math.max(this.#lastTime, event.time);
    this.#lastWall = performance.now();
    return make;
  }

  #streamTime(): number {
    return this.#lastTime + Math.max(0, Math.round((performance.now() - this.#lastWall) * 1000));
  }

  #enqueue(bytes: Uint8Array): void {
    const socket = this.#socket;
    if (
      this.#state === "live" && socket && this.#queue.length === 0 &&
      socket.bufferedAmount < this.#options.highWaterBytes
    ) {
      this.#send(socket, bytes);
      return;
    }
    this.#queue.push(bytes);
    this.#queueBytes += bytes.length;
    if (
      this.#queue.length > this.#options.maxQueueEvents ||
      this.#queueBytes > this.#options.maxQueueBytes
    ) {
      // The connection cannot keep up: drop it; the next one starts from a fresh Init.
      this.#notice("The connection fell behind, reconnecting...");
      this.#abandon(socket, 4100, "producer fell behind");
      return;
    }
    if (this.#state === "live") this.#scheduleDrain();
  }

  #send(socket: WebSocket, bytes: Uint8Array): void {
    try {
      socket.send(bytes as Uint8Array<ArrayBuffer>);
    } catch {
      this.#abandon(socket, 4100, "send failed");
    }
  }

  #scheduleDrain(): void {
    if (this.#drainTimer !== undefined) return;
    this.#drainTimer = setInterval(() => this.#drain(), 5);
  }

  #drain(): void {
    const socket = this.#socket;
    while (
      this.#state === "live" && socket && this.#queue.length > 0 &&
      socket.bufferedAmount < this.#options.highWaterBytes
    ) {
      const bytes = this.#queue.shift()!;
      this.#queueBytes -= bytes.length;
      this.#send(socket, bytes);
    }
    if (this.#queue.length === 0 || this.#state !== "live") {
      clearInterval(this.#drainTimer);
      this.#drainTimer = undefined;
    }
  }

  /** Drops a connection (the loop notices its close and reconnects). */
  #abandon(socket: WebSocket | undefined, code: number, reason: string): void {
    this.#queue = [];
    this.#queueBytes = 0;
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

  async #run(): Promise<void> {
    while (!this.#closing) {
      const outcome = await this.#connectOnce();
      if (outcome === "final" || this.#closing) break;
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
  }

  /** One connection, from connect to close: "final" (stop), "not-found" (4040) or "retry". */
  #connectOnce(): Promise<"final" | "retry" | "not-found"> {
    return new Promise((resolve) => {
      let socket: WebSocket;
      try {
        socket = new WebSocket(this.#endpoint.wsUrl, [ALIS_PROTOCOL]);
      } catch (error) {
        this.#notice(`Cannot connect to ${this.#endpoint.wsUrl}: ${(error as Error).message}`);
        resolve("final");
        return;
      }
      socket.binaryType = "arraybuffer";
      this.#socket = socket;
      this.#state = "connecting";
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
        void this.#startConnection(socket);
      };
      socket.onmessage = () => {}; // the server has nothing to say; pings are answered by Deno
      socket.onclose = (e) => {
        clearTimeout(connectTimer);
        clearTimeout(this.#stableTimer);
        clearInterval(this.#watchdog);
        clearInterval(this.#drainTimer);
        this.#drainTimer = undefined;
        this.#queue = [];
        this.#queueBytes = 0;
        if (this.#socket === socket) this.#socket = undefined;
        if (this.#state !== "stopped") this.#state = "connecting";
        if (verdict !== "final" && !this.#closing) {
          if (e.code === 4040) verdict = "not-found";
          else if (e.code === 1000 || e.code === 1005 || (e.code >= 4000 && e.code <= 4099)) {
            // The client's own close for a lagging connection is 4100: not final.
            this.#notice(`Stream halted by the server${e.reason ? `: ${e.reason}` : ""}`);
            verdict = "final";
          }
        }
        resolve(verdict);
      };
    });
  }

  async #startConnection(socket: WebSocket): Promise<void> {
    this.#state = "initialising";
    // Captured in one synchronous step with the snapshot call: the Init reflects events up to
    // lastId, and every later write() goes to the queue behind it.
    const lastId = this.#lastId;
    const time = this.#streamTime();
    const { cols, rows } = this.#vt;
    this.#prev = time;
    this.#queue = [];
    this.#queueBytes = 0;
    let initData: string;
    try {
      initData = await this.#vt.snapshot();
    } catch {
      return; // disposed: the session is over
    }
    if (this.#socket !== socket || socket.readyState !== WebSocket.OPEN) return;
    const init: AlisMessage = { type: "init", lastId, time, cols, rows, initData };
    if (this.#theme) init.theme = this.#theme;
    this.#send(socket, alisMagic());
    this.#send(socket, encodeAlisMessage(init));
    this.#state = "live";
    this.#drain();
    if (this.#queue.length > 0) this.#scheduleDrain();
    if (this.#outageNoticed || !this.#everConnected) {
      this.#notice(this.#everConnected ? "Reconnected to the server" : "Connected to the server");
    }
    this.#everConnected = true;
    this.#outageNoticed = false;
    this.#stableTimer = setTimeout(() => (this.#attempt = 0), this.#options.stableAfterMs);
    this.#startWatchdog(socket);
  }

  #startWatchdog(socket: WebSocket): void {
    let lowest = Infinity;
    let since = performance.now();
    this.#watchdog = setInterval(() => {
      const buffered = socket.bufferedAmount;
      if (buffered === 0 || buffered < lowest) {
        lowest = buffered;
        since = performance.now();
      } else if (performance.now() - since > this.#options.stallTimeoutMs) {
        this.#abandon(socket, 4100, "connection stalled");
      }
    }, 5000);
  }

  /**
   * Ends the stream: sends what is queued, then EOT (`04 nextId relTime`) and a close 1000
   * "ended", and waits for the close at most `closeTimeoutMs`. If no connection is up, it
   * waits for one within that time.
   */
  async close(): Promise<void> {
    if (this.#closing) return;
    const deadline = performance.now() + this.#options.closeTimeoutMs;
    const until = () => Math.max(0, deadline - performance.now());
    // Give a reconnecting producer a moment to deliver the end.
    while (this.#state !== "live" && this.#state !== "stopped" && until() > 0) {
      this.#wake?.();
      await new Promise((r) => setTimeout(r, Math.min(50, until())));
    }
    this.#closing = true;
    const socket = this.#socket;
    if (this.#state === "live" && socket) {
      const t = Math.max(this.#streamTime(), this.#prev);
      this.#enqueue(
        encodeAlisMessage({ type: "eot", id: this.#lastId + 1, relTime: t - this.#prev }),
      );
      while (this.#queue.length > 0 && this.#state === "live" && until() > 0) {
        await new Promise((r) => setTimeout(r, 10));
      }
      const closedPromise = new Promise<void>((resolve) => {
        if (socket.readyState === WebSocket.CLOSED) resolve();
        socket.addEventListener("close", () => resolve(), { once: true });
      });
      try {
        socket.close(1000, "ended");
      } catch {
        // Already closing.
      }
      await Promise.race([closedPromise, new Promise((r) => setTimeout(r, until()))]);
    }
    this.#wake?.();
    this.#socket?.close();
    await Promise.race([this.#loop, new Promise((r) => setTimeout(r, until() + 100))]);
    this.#state = "stopped";
    clearTimeout(this.#stableTimer);
    clearInterval(this.#watchdog);
    clearInterval(this.#drainTimer);
    this.#vt.dispose();
  }
}
