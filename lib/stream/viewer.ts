/**
 * Live viewers: each WebSocket that watches a stream is a {@linkcode ViewerConnection}, a
 * subscriber of the stream's {@linkcode LiveState} that speaks ALiS v1 (asciinema-player's
 * choice) or an asciicast v3/v2 text stream. {@linkcode Viewers} joins sockets to a live
 * state and keeps the set, for counting and for waiting at the end. A viewer that falls
 * behind gets its waiting output merged into fewer messages; past the queue's bounds it is
 * disconnected (the player reconnects and gets a fresh Init); no viewer ever slows the
 * session or another viewer.
 *
 * @module
 */
import { encodeAlisMessage } from "../alis/encoder.ts";
import { alisMagic, type AlisMessage } from "../alis/message.ts";
import type { LiveEvent, LiveInit, LiveState, LiveSubscriber } from "./live_state.ts";
import { type QueueSocket, SendQueue } from "./send_queue.ts";
import { alisEvent, encodedEvent } from "./encoded_event.ts";

/** The part of a WebSocket a viewer uses; a server-side `WebSocket` is one. */
export interface ViewerSocket extends QueueSocket {
  /** Closes the connection. */
  close(code?: number, reason?: string): void;
}

/**
 * What a viewer speaks: ALiS v1 (binary) or an asciicast v3 / v2 text stream (one JSON
 * header, then one JSON event per message).
 */
export type ViewerFormat = "alis" | "v3" | "v2";

/** Options for viewers. */
export interface ViewerOptions {
  /** A viewer with more messages than this waiting is disconnected. Default 1024. */
  maxQueueEvents?: number;
  /** A viewer with more bytes than this waiting is disconnected. Default 16 MiB. */
  maxQueueBytes?: number;
  /** Nothing more is handed to a socket buffering more than this. Default 256 KiB. */
  highWaterBytes?: number;
  /**
   * Waiting output merges into fewer messages once more than this many messages wait for a
   * viewer. Default 8; `Infinity` never merges (every event its own message).
   */
  mergeAfter?: number;
  /** How long an ended viewer may take to leave before it is cut off. Default 3000 ms. */
  closeTimeoutMs?: number;
  /** Told about viewers that were disconnected (lag, send errors). */
  onNotice?: (message: string) => void;
  /** Most viewers at once; one more is closed at once with {@linkcode CLOSE_FULL}. Default: no limit. */
  maxViewers?: number;
  /** Told the number of viewers each time it changes. */
  onCount?: (count: number) => void;
}

/** Close code for a viewer that fell too far behind (outside 4000–4100, so players reconnect). */
export const CLOSE_LAGGING = 4429;
/** Close code for a viewer whose stream broke (players reconnect). */
export const CLOSE_INTERNAL = 4500;
/**
 * Close code for a viewer over `maxViewers`: inside 4000–4100, so the asciinema player shows
 * the reason and does not reconnect.
 */
export const CLOSE_FULL = 4029;

type _Item =
  | { kind: "magic" }
  | { kind: "init"; init: LiveInit }
  | { kind: "screen"; data: string }
  | { kind: "event"; event: LiveEvent }
  | { kind: "eot"; time: number };

function _seconds(us: number): number {
  return Math.round(us) / 1e6;
}

/** One viewer socket, subscribed to a live state. */
export class ViewerConnection implements LiveSubscriber {
  /** A viewer takes paced output merged (see `LiveStateOptions.paceMs`). */
  readonly mergeable = true;
  readonly #socket: ViewerSocket;
  readonly #format: ViewerFormat;
  readonly #queue: SendQueue<_Item>;
  readonly #closeTimeoutMs: number;
  readonly #notice: (message: string) => void;
  /** Stream time of the last message sent (µs). */
  #prev = 0;
  /** Stream time of this connection's Init: time 0 of a v2 viewer. */
  #base = 0;
  #initialized = false;
  #ending = false;
  #closing = false;
  #gone = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #unsubscribe: () => void = () => {};
  readonly #done: Promise<void>;
  #resolveDone!: () => void;

  /** Wraps an open socket; an ALiS viewer gets the magic at once. */
  constructor(socket: ViewerSocket, format: ViewerFormat, options: ViewerOptions = {}) {
    this.#socket = socket;
    this.#format = format;
    this.#closeTimeoutMs = options.closeTimeoutMs ?? 3000;
    this.#notice = options.onNotice ?? (() => {});
    this.#done = new Promise((resolve) => (this.#resolveDone = resolve));
    this.#queue = new SendQueue<_Item>(socket, {
      encode: (item) => this.#encode(item),
      size: (item) =>
        item.kind === "event"
          ? item.event.data.length
          : item.kind === "init"
          ? item.init.initData.length
          : item.kind === "screen"
          ? item.data.length
          : 8,
      merge: (a, b) =>
        a.kind === "event" && b.kind === "event" && a.event.code === "o" && b.event.code === "o"
          ? {
            kind: "event",
            event: { ...b.event, data: a.event.data + b.event.data },
          }
          : undefined,
      onOverflow: () => this.#drop(CLOSE_LAGGING, "viewer fell behind", "a viewer fell behind"),
      onBroken: (error) =>
        error === undefined
          ? this.leave()
          : this.#drop(CLOSE_INTERNAL, "send failed", `sending to a viewer failed: ${error}`),
      onEmpty: () => {
        if (this.#ending) this.#closeEnded();
      },
      maxItems: options.maxQueueEvents,
      mergeAfter: options.mergeAfter,
      maxBytes: options.maxQueueBytes,
      highWaterBytes: options.highWaterBytes,
    });
    if (format === "alis") this.#queue.push({ kind: "magic" });
  }

  /** Resolves once the viewer is gone (it left, was dropped, or was closed at the end). */
  get done(): Promise<void> {
    return this.#done;
  }

  /** Subscribes to `live`; the viewer unsubscribes itself when it goes. */
  attach(live: LiveState): void {
    if (this.#gone) return;
    this.#unsubscribe = live.subscribe(this);
  }

  init(init: LiveInit, restart: boolean): void {
    if (this.#gone) return;
    if ((restart || this.#initialized) && this.#format !== "alis") {
      // asciicast text streams have no way to restart: such a viewer reconnects instead.
      this.#drop(1012, "stream restarted", undefined);
      return;
    }
    this.#initialized = true;
    this.#queue.push({ kind: "init", init });
    if (this.#format !== "alis" && init.initData !== "") {
      this.#queue.push({ kind: "screen", data: init.initData });
    }
  }

  event(event: LiveEvent): void {
    if (!this.#gone) this.#queue.push({ kind: "event", event });
  }

  end(time: number): void {
    if (this.#gone || this.#ending) return;
    this.#ending = true;
    // Text consumers take the close itself as the end; ALiS players need EOT first.
    if (this.#format === "alis" && !this.#queue.push({ kind: "eot", time })) return;
    if (this.#queue.length === 0) this.#closeEnded();
    this.#timer = setTimeout(() => {
      this.#drop(1000, "Stream ended", "a viewer did not leave in time");
    }, this.#closeTimeoutMs);
  }

  overflow(): void {
    this.#drop(CLOSE_LAGGING, "viewer fell behind", "a viewer fell behind");
  }

  /** The socket closed (call from its `close` handler). Idempotent. */
  leave(): void {
    if (this.#gone) return;
    this.#gone = true;
    this.#queue.stop();
    clearTimeout(this.#timer);
    this.#unsubscribe();
    this.#resolveDone();
  }

  /** Closes the socket at once with `code` (no EOT) and forgets the viewer. */
  disconnect(code: number, reason: string): void {
    this.#drop(code, reason, undefined);
  }

  #closeEnded(): void {
    if (this.#closing) return;
    this.#closing = true;
    try {
      this.#socket.close(1000, "Stream ended");
    } catch {
      this.leave();
    }
  }

  #drop(code: number, reason: string, notice: string | undefined): void {
    if (this.#gone) return;
    this.leave();
    if (notice) this.#notice(notice);
    try {
      this.#socket.close(code, reason);
    } catch {
      // Already closing.
    }
  }

  #encode(item: _Item): Uint8Array | string {
    switch (item.kind) {
      case "magic":
        return alisMagic();
      case "init":
        this.#prev = this.#base = item.init.time;
        return this.#initMessage(item.init);
      case "screen":
        // A text viewer's screen: the first event, at time 0 of its stream.
        return JSON.stringify([0, "o", item.data]);
      case "eot": {
        const now = Math.max(item.time, this.#prev);
        const message = encodeAlisMessage({ type: "eot", relTime: now - this.#prev });
        this.#prev = now;
        return message;
      }
      case "event": {
        const event = item.event;
        // Relative times re-based on this connection's clock, clamped at 0 (alis.md §3.3).
        const at = Math.max(event.time, this.#prev);
        const value = this.#format === "v2" ? at - this.#base : at - this.#prev;
        this.#prev = at;
        if (this.#format === "alis") return alisEvent(event, value);
        return encodedEvent(
          event,
          `${this.#format}${value}`,
          () => JSON.stringify([_seconds(value), event.code, event.data]),
        );
      }
    }
  }

  #initMessage(init: LiveInit): Uint8Array | string {
    const { lastId, time, cols, rows, theme, initData } = init;
    // initData goes in the ALiS Init; a text viewer gets it as a separate first event.
    if (this.#format === "alis") {
      const message: AlisMessage = { type: "init", lastId, time, cols, rows, initData };
      if (theme) message.theme = theme;
      return encodeAlisMessage(message);
    }
    const header: Record<string, unknown> = this.#format === "v3"
      ? {
        version: 3,
        term: {
          cols,
          rows,
          ...(theme && {
            theme: { fg: theme.fg, bg: theme.bg, palette: theme.palette.join(":") },
          }),
        },
      }
      : { version: 2, width: cols, height: rows };
    return JSON.stringify(header);
  }
}

/**
 * The viewers of one live state: joins sockets to it (the `join` a server calls when a
 * viewer's WebSocket opens), counts them, and waits for them at the end.
 *
 * @example
 * ```ts
 * import { LiveState } from "./live_state.ts";
 * import { Viewers } from "./viewer.ts";
 * const live = new LiveState();
 * const viewers = new Viewers(live);
 * // in the server: socket.onopen = () => (leave = viewers.join(socket, "alis"));
 * //                socket.onclose = () => leave();
 * live.begin({ cols: 80, rows: 24 });
 * await live.close();
 * await viewers.settled();
 * ```
 */
export class Viewers {
  #live: LiveState;
  readonly #options: ViewerOptions;
  readonly #connections = new Set<ViewerConnection>();

  /** Viewers of `live`. */
  constructor(live: LiveState, options: ViewerOptions = {}) {
    this.#live = live;
    this.#options = options;
  }

  /** Connected viewers. */
  get count(): number {
    return this.#connections.size;
  }

  /** Most viewers at once (`undefined`: no limit). */
  get max(): number | undefined {
    return this.#options.maxViewers;
  }

  /** Whether one more viewer would be refused. */
  get full(): boolean {
    const max = this.#options.maxViewers;
    return max !== undefined && this.#connections.size >= max;
  }

  /** The live state viewers join. */
  get live(): LiveState {
    return this.#live;
  }

  /**
   * Moves joining to another live state (a relay's next producer session); viewers already
   * connected stay with the one they joined.
   */
  set live(live: LiveState) {
    this.#live = live;
  }

  /**
   * Adds an open socket as a viewer; returns the function to call when it closes (safe to
   * call more than once). Messages from the viewer are never read.
   */
  join(socket: ViewerSocket, format: ViewerFormat = "alis"): () => void {
    if (this.full) {
      try {
        socket.close(CLOSE_FULL, `too many viewers: this stream allows ${this.max}`);
      } catch {
        // Already closing.
      }
      return () => {};
    }
    const connection = new ViewerConnection(socket, format, this.#options);
    this.#connections.add(connection);
    this.#options.onCount?.(this.#connections.size);
    connection.done.then(() => {
      this.#connections.delete(connection);
      this.#options.onCount?.(this.#connections.size);
    });
    connection.attach(this.#live);
    return () => connection.leave();
  }

  /** Resolves once every viewer has gone (each is cut off after its close timeout). */
  async settled(): Promise<void> {
    await Promise.all([...this.#connections].map((c) => c.done));
  }

  /** Closes every viewer at once with `code` (no EOT). */
  disconnectAll(code: number, reason: string): void {
    for (const connection of [...this.#connections]) connection.disconnect(code, reason);
  }
}
