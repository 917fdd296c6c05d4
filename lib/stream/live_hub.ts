/**
 * The live hub: the session sink that keeps a headless terminal of the stream and serves
 * any number of ALiS viewers. A viewer that joins gets the magic, then one Init built from
 * the terminal state and every later event, with nothing missed or repeated; a viewer that
 * falls behind is disconnected (the player reconnects and gets a fresh Init); no viewer ever
 * slows the session or another viewer.
 *
 * @module
 */
import { type Event, formatSize, parseSize, type Theme } from "../asciicast/event.ts";
import type { EventSink } from "../session/sink.ts";
import { encodeAlisMessage } from "../alis/encoder.ts";
import { alisMagic, type AlisMessage } from "../alis/message.ts";
import { WorkerVt } from "../vt/worker_vt.ts";

/** The part of a WebSocket the hub uses; a server-side `WebSocket` is one. */
export interface ViewerSocket {
  /** Bytes handed to `send` that are not yet written to the network. */
  readonly bufferedAmount: number;
  /** `WebSocket.OPEN` (1) while the hub may send. */
  readonly readyState: number;
  /** Queues one message: binary (ALiS) or text (asciicast v2/v3 consumers). */
  send(data: Uint8Array | string): void;
  /** Closes the connection. */
  close(code?: number, reason?: string): void;
}

/** The headless terminal the hub keeps (`Vt` from `lib/vt/vt.ts` has this shape). */
export interface HubTerminal {
  /** Current columns. */
  readonly cols: number;
  /** Current rows. */
  readonly rows: number;
  /** Applies terminal output. */
  feed(data: string | Uint8Array): void;
  /** Resizes the screen. */
  resize(cols: number, rows: number): void;
  /** Output that reproduces the screen as of the call in a blank terminal of the same size. */
  snapshot(): Promise<string>;
  /** Releases the terminal. */
  dispose(): void;
}

/** What the hub needs to know when the session starts. */
export interface HubStart {
  /** Terminal columns at the start. */
  cols: number;
  /** Terminal rows at the start. */
  rows: number;
  /** The session's colour theme, sent in every Init. */
  theme?: Theme;
}

/** Options for {@linkcode LiveHub}. */
export interface LiveHubOptions {
  /**
   * Makes the headless terminal when the session starts. Default: a {@linkcode WorkerVt}
   * (the emulator parses in a worker thread, off the session's output loop).
   */
  createTerminal?: (cols: number, rows: number) => HubTerminal;
  /** A viewer with more events than this waiting is disconnected. Default 1024. */
  maxQueueEvents?: number;
  /** A viewer with more bytes than this waiting in the hub is disconnected. Default 16 MiB. */
  maxQueueBytes?: number;
  /** The hub stops handing a socket data while its `bufferedAmount` is above this. Default 256 KiB. */
  highWaterBytes?: number;
  /** How long `close()` waits for viewers to receive the end and leave. Default 3000 ms. */
  closeTimeoutMs?: number;
  /** Monotonic clock in milliseconds. Default `performance.now`. */
  now?: () => number;
  /** Told about viewers that were disconnected (lag, send errors). */
  onNotice?: (message: string) => void;
}

/** Close code sent to a viewer that fell too far behind (outside 4000–4100, so players reconnect). */
export const CLOSE_LAGGING = 4429;
/** Close code sent to a viewer whose Init could not be built (players reconnect). */
export const CLOSE_INTERNAL = 4500;

const OPEN = 1;
const DRAIN_INTERVAL_MS = 5;

/**
 * What a viewer speaks: ALiS v1 (binary; asciinema-player's choice) or an asciicast v3 / v2
 * text stream (one JSON header, then one JSON event per message).
 */
export type ViewerFormat = "alis" | "v3" | "v2";

type _Message = Uint8Array | string;

/** Seconds with microsecond precision, as asciicast JSON numbers. */
function _seconds(us: number): number {
  return Math.round(us) / 1e6;
}

/** One hub event, encoded lazily per format and time (viewers in step share the bytes). */
class _WireEvent {
  #key = "";
  #out: _Message | undefined;
  constructor(
    readonly time: number,
    readonly id: number,
    readonly code: "o" | "i" | "m" | "r" | "x",
    readonly data: string,
  ) {}

  /** `value`: µs since the previous event (alis, v3) or since the viewer's start (v2). */
  encode(format: ViewerFormat, value: number): _Message {
    const key = `${format}${value}`;
    if (this.#out === undefined || key !== this.#key) {
      this.#out = format === "alis"
        ? encodeAlisMessage(this.#alis(value))
        : JSON.stringify([_seconds(value), this.code, this.data]);
      this.#key = key;
    }
    return this.#out;
  }

  #alis(relTime: number): AlisMessage {
    const { id, data } = this;
    switch (this.code) {
      case "o":
        return { type: "output", id, relTime, data };
      case "i":
        return { type: "input", id, relTime, data };
      case "m":
        return { type: "marker", id, relTime, label: data };
      case "r": {
        const { cols, rows } = parseSize(data)!;
        return { type: "resize", id, relTime, cols, rows };
      }
      case "x":
        return { type: "exit", id, relTime, status: Number(data) };
    }
  }
}

interface _InitState {
  lastId: number;
  time: number;
  cols: number;
  rows: number;
  theme: Theme | undefined;
  initData: string;
}

/** The messages that start a viewer's stream at a given state. */
function _initMessages(format: ViewerFormat, state: _InitState): _Message[] {
  const { lastId, time, cols, rows, theme, initData } = state;
  if (format === "alis") {
    const init: AlisMessage = { type: "init", lastId, time, cols, rows, initData };
    if (theme) init.theme = theme;
    return [encodeAlisMessage(init)];
  }
  const header: Record<string, unknown> = format === "v3"
    ? {
      version: 3,
      term: {
        cols,
        rows,
        ...(theme && { theme: { fg: theme.fg, bg: theme.bg, palette: theme.palette.join(":") } }),
      },
    }
    : { version: 2, width: cols, height: rows };
  const messages: _Message[] = [JSON.stringify(header)];
  if (initData !== "") messages.push(JSON.stringify([0, "o", initData]));
  return messages;
}

class _Viewer {
  /** waiting: before the session starts; pending: Init being built; live; gone. */
  state: "waiting" | "pending" | "live" | "gone" = "waiting";
  /** Stream time of the last event sent on this connection (µs). */
  prev = 0;
  /** Stream time of this connection's Init (µs): time 0 of a v2 viewer. */
  base = 0;
  /** Events that arrived while the Init was being built. */
  backlog: _WireEvent[] = [];
  /** Encoded messages the socket could not take yet. */
  queue: _Message[] = [];
  queueBytes = 0;
  ending = false;
  closing = false;
  constructor(readonly socket: ViewerSocket, readonly format: ViewerFormat) {}
}

/**
 * The live hub. Create it before the session (so a server can accept viewers early), call
 * {@linkcode LiveHub.begin} when the session starts, then use it as the session's
 * {@linkcode EventSink}. Viewers join with {@linkcode LiveHub.join}.
 *
 * @example
 * ```ts
 * import { LiveHub } from "./live_hub.ts";
 * const hub = new LiveHub();
 * hub.begin({ cols: 80, rows: 24 });
 * hub.write({ time: 0, code: "o", data: "hello\r\n" });
 * await hub.close();
 * ```
 */
export class LiveHub implements EventSink {
  readonly #options: Required<Omit<LiveHubOptions, "onNotice">>;
  readonly #notice: (message: string) => void;
  readonly #viewers = new Set<_Viewer>();
  #terminal: HubTerminal | undefined;
  #theme: Theme | undefined;
  #lastId = 0;
  #lastTime = 0;
  #lastWall = 0;
  #drainTimer: ReturnType<typeof setInterval> | undefined;
  #ended = false;
  #final: Promise<_InitState> | undefined;
  readonly #snapshots = new Set<Promise<unknown>>();
  readonly #leftWaiters = new Set<() => void>();

  /** Makes a hub; nothing runs until {@linkcode LiveHub.begin} or a join. */
  constructor(options: LiveHubOptions = {}) {
    this.#options = {
      maxQueueEvents: options.maxQueueEvents ?? 1024,
      maxQueueBytes: options.maxQueueBytes ?? 16 * 1024 * 1024,
      highWaterBytes: options.highWaterBytes ?? 256 * 1024,
      closeTimeoutMs: options.closeTimeoutMs ?? 3000,
      now: options.now ?? (() => performance.now()),
      createTerminal: options.createTerminal ?? ((cols, rows) => new WorkerVt(cols, rows)),
    };
    this.#notice = options.onNotice ?? (() => {});
  }

  /** Number of connected viewers (waiting, pending or live). */
  get viewerCount(): number {
    return this.#viewers.size;
  }

  /** Id of the last event the hub took (0 before any). */
  get lastId(): number {
    return this.#lastId;
  }

  /** Whether {@linkcode LiveHub.close} has been called. */
  get ended(): boolean {
    return this.#ended;
  }

  /**
   * Starts the stream: makes the terminal and sends an Init to every viewer that joined
   * before. Throws `Error` if called twice.
   */
  begin(start: HubStart): void {
    if (this.#terminal) throw new Error("LiveHub.begin() called twice");
    this.#terminal = this.#options.createTerminal(start.cols, start.rows);
    this.#theme = start.theme;
    this.#lastWall = this.#options.now();
    for (const viewer of this.#viewers) this.#startInit(viewer);
  }

  /** Stream time now: the last event's time plus the wall clock since (µs). */
  #streamTime(): number {
    return this.#lastTime + Math.max(0, Math.round((this.#options.now() - this.#lastWall) * 1000));
  }

  /**
   * Adds a viewer whose socket is open: for ALiS sends the magic at once, then (as soon as
   * the session has started) the Init and every later event. A text viewer (`"v3"`, `"v2"`)
   * gets an asciicast header and a snapshot output event instead of the Init. Returns
   * `leave`, to call when the socket closes; safe to call more than once. Messages from the
   * viewer are never read.
   */
  join(socket: ViewerSocket, format: ViewerFormat = "alis"): () => void {
    const viewer = new _Viewer(socket, format);
    const leave = () => {
      if (viewer.state !== "gone") this.#remove(viewer);
    };
    this.#viewers.add(viewer);
    if (format === "alis" && !this.#send(viewer, alisMagic())) return leave;
    if (this.#ended) {
      this.#sendFinal(viewer);
    } else if (this.#terminal) {
      this.#startInit(viewer);
    }
    return leave;
  }

  #startInit(viewer: _Viewer): void {
    const terminal = this.#terminal!;
    // Everything below is captured in the same synchronous step as the snapshot call, so the
    // Init reflects exactly the events up to lastId and the backlog holds exactly the rest.
    const lastId = this.#lastId;
    const time = this.#streamTime();
    const { cols, rows } = terminal;
    const theme = this.#theme;
    viewer.state = "pending";
    const snapshot = terminal.snapshot();
    this.#track(snapshot);
    snapshot.then(
      (initData) => {
        if (viewer.state !== "pending") return;
        viewer.state = "live";
        viewer.prev = viewer.base = time;
        const state = { lastId, time, cols, rows, theme, initData };
        for (const message of _initMessages(viewer.format, state)) {
          if (!this.#push(viewer, message)) return;
        }
        const backlog = viewer.backlog;
        viewer.backlog = [];
        for (const wire of backlog) if (!this.#deliver(viewer, wire)) return;
        if (viewer.ending) this.#endViewer(viewer);
      },
      (error) => {
        this.#drop(viewer, CLOSE_INTERNAL, "snapshot failed", `snapshot failed: ${error}`);
      },
    );
  }

  #track(promise: Promise<unknown>): void {
    const settled = promise.then(() => {}, () => {});
    this.#snapshots.add(settled);
    settled.then(() => this.#snapshots.delete(settled));
  }

  /** Takes one session event (never blocks, never throws for a viewer's sake). */
  write(event: Event): void {
    if (this.#ended) return;
    const terminal = this.#terminal;
    if (!terminal) throw new Error("LiveHub.write() called before begin()");
    const wire = this.#wire(event, this.#lastId + 1);
    if (!wire) return;
    this.#lastId++;
    this.#lastTime = Math.max(this.#lastTime, event.time);
    this.#lastWall = this.#options.now();
    for (const viewer of this.#viewers) {
      if (viewer.state === "live") this.#deliver(viewer, wire);
      else if (viewer.state === "pending") {
        viewer.backlog.push(wire);
        if (viewer.backlog.length > this.#options.maxQueueEvents) {
          this.#drop(viewer, CLOSE_LAGGING, "viewer fell behind", "a viewer fell behind");
        }
      }
    }
  }

  /** Applies the event to the terminal and describes it for the wire; undefined = not streamed. */
  #wire(event: Event, id: number): _WireEvent | undefined {
    const terminal = this.#terminal!;
    const { time, data, code } = event;
    switch (code) {
      case "o":
        terminal.feed(data);
        return new _WireEvent(time, id, code, data);
      case "i":
      case "m":
        return new _WireEvent(time, id, code, data);
      case "r": {
        const size = parseSize(data);
        if (!size || size.cols === 0 || size.rows === 0) return undefined;
        terminal.resize(size.cols, size.rows);
        return new _WireEvent(time, id, code, formatSize(size));
      }
      case "x": {
        // ALiS statuses are unsigned; asciinema sends a negative one as 0.
        const n = Number(data);
        return new _WireEvent(time, id, code, String(Number.isSafeInteger(n) && n >= 0 ? n : 0));
      }
      default:
        return undefined;
    }
  }

  #deliver(viewer: _Viewer, wire: _WireEvent): boolean {
    // Relative times re-based on this connection's clock, clamped at 0 (alis.md §3.3).
    const at = Math.max(wire.time, viewer.prev);
    const value = viewer.format === "v2" ? at - viewer.base : at - viewer.prev;
    viewer.prev = at;
    return this.#push(viewer, wire.encode(viewer.format, value));
  }

  /** Sends now if the socket has room, else queues; false if the viewer was dropped. */
  #push(viewer: _Viewer, message: _Message): boolean {
    if (viewer.queue.length === 0 && viewer.socket.bufferedAmount < this.#options.highWaterBytes) {
      return this.#send(viewer, message);
    }
    viewer.queue.push(message);
    viewer.queueBytes += message.length;
    if (
      viewer.queue.length > this.#options.maxQueueEvents ||
      viewer.queueBytes > this.#options.maxQueueBytes
    ) {
      this.#drop(viewer, CLOSE_LAGGING, "viewer fell behind", "a viewer fell behind");
      return false;
    }
    this.#scheduleDrain();
    return true;
  }

  #send(viewer: _Viewer, message: _Message): boolean {
    if (viewer.socket.readyState !== OPEN) {
      this.#remove(viewer);
      return false;
    }
    try {
      viewer.socket.send(message);
      return true;
    } catch (error) {
      this.#drop(viewer, CLOSE_INTERNAL, "send failed", `sending to a viewer failed: ${error}`);
      return false;
    }
  }

  #scheduleDrain(): void {
    if (this.#drainTimer !== undefined) return;
    this.#drainTimer = setInterval(() => this.#drain(), DRAIN_INTERVAL_MS);
  }

  #drain(): void {
    let waiting = false;
    for (const viewer of this.#viewers) {
      while (
        viewer.queue.length > 0 && viewer.socket.bufferedAmount < this.#options.highWaterBytes
      ) {
        const message = viewer.queue.shift()!;
        viewer.queueBytes -= message.length;
        if (!this.#send(viewer, message)) break;
      }
      if (viewer.state === "gone") continue;
      if (viewer.queue.length > 0) waiting = true;
      else if (viewer.ending && viewer.state === "live") this.#closeEnded(viewer);
    }
    if (!waiting) {
      clearInterval(this.#drainTimer);
      this.#drainTimer = undefined;
    }
  }

  #remove(viewer: _Viewer): void {
    viewer.state = "gone";
    viewer.queue = [];
    viewer.backlog = [];
    viewer.queueBytes = 0;
    this.#viewers.delete(viewer);
    this.#leftWaiters.forEach((wake) => wake());
  }

  #drop(viewer: _Viewer, code: number, reason: string, notice: string): void {
    if (viewer.state === "gone") return;
    this.#remove(viewer);
    this.#notice(notice);
    try {
      viewer.socket.close(code, reason);
    } catch {
      // Already closing.
    }
  }

  /** Sends EOT (after everything queued) and then closes with 1000. */
  #endViewer(viewer: _Viewer): void {
    viewer.ending = true;
    if (viewer.state !== "live") return; // sent once the Init and backlog are out
    if (viewer.format === "alis") {
      // Text consumers take the close itself as the end; ALiS players need EOT first.
      const now = Math.max(this.#streamTime(), viewer.prev);
      const eot = encodeAlisMessage({ type: "eot", relTime: now - viewer.prev });
      if (!this.#push(viewer, eot)) return;
      viewer.prev = now;
    }
    if (viewer.queue.length === 0) this.#closeEnded(viewer);
  }

  #closeEnded(viewer: _Viewer): void {
    if (viewer.closing) return;
    viewer.closing = true;
    try {
      viewer.socket.close(1000, "Stream ended");
    } catch {
      this.#remove(viewer);
    }
  }

  /** A viewer that joins after the end sees the final screen and "Stream ended". */
  #sendFinal(viewer: _Viewer): void {
    viewer.state = "pending";
    this.#final!.then((state) => {
      if (viewer.state !== "pending") return;
      viewer.state = "live";
      viewer.prev = viewer.base = state.time;
      for (const message of _initMessages(viewer.format, state)) {
        if (!this.#push(viewer, message)) return;
      }
      this.#endViewer(viewer);
    });
  }

  /**
   * Ends the stream: every viewer gets whatever is still queued for it, then EOT, then a close
   * with 1000 "Stream ended" (so asciinema-player shows "Stream ended" and does not reconnect).
   * Resolves when every viewer has left or `closeTimeoutMs` passed (then the rest are closed).
   * Viewers that join later get the final screen and the end at once.
   */
  async close(): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    const terminal = this.#terminal;
    const state = {
      lastId: this.#lastId,
      time: terminal ? this.#streamTime() : 0,
      cols: terminal?.cols ?? 80,
      rows: terminal?.rows ?? 24,
      theme: this.#theme,
    };
    const snapshot = terminal ? terminal.snapshot() : Promise.resolve("");
    this.#track(snapshot);
    this.#final = snapshot.catch(() => "").then((initData) => ({ ...state, initData }));
    for (const viewer of this.#viewers) {
      if (viewer.state === "waiting") this.#sendFinal(viewer);
      else this.#endViewer(viewer);
    }
    await this.#final;
    await Promise.all(this.#snapshots);
    terminal?.dispose();
    await this.#waitForViewers();
  }

  async #waitForViewers(): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.#options.closeTimeoutMs);
    });
    while (this.#viewers.size > 0) {
      let wake!: () => void;
      const left = new Promise<void>((resolve) => (wake = resolve));
      this.#leftWaiters.add(wake);
      const timedOut = await Promise.race([left.then(() => false), deadline.then(() => true)]);
      this.#leftWaiters.delete(wake);
      if (timedOut) break;
    }
    clearTimeout(timer);
    for (const viewer of [...this.#viewers]) {
      this.#drop(viewer, 1000, "Stream ended", "a viewer did not leave in time");
    }
    clearInterval(this.#drainTimer);
    this.#drainTimer = undefined;
  }
}
