/**
 * Watching a live stream in a terminal (`asciirec watch`): an ALiS v1 WebSocket viewer that
 * draws each Init's screen at once (the terminal cleared and its modes reset first, so the
 * screen is exactly the stream's), then writes live output as it arrives; follows resizes
 * as `play -r` does; reconnects with a growing, jittered delay after a drop (each new Init
 * redraws the screen); ends at EOT, on a refusal (a close code 4000–4099 with its reason,
 * or 1002), or when the user presses `q` or ctrl+c.
 *
 * @module
 */
import { checkAlisMagic, decodeAlisMessage } from "../alis/decoder.ts";
import { ALIS_PROTOCOL } from "../alis/message.ts";
import { TerminalModes } from "./terminal_modes.ts";

/** How watching ended. */
export type WatchResult =
  | { status: "ended" }
  | { status: "quit" }
  | { status: "refused"; reason: string };

/** The stream's size at an Init. */
export interface WatchInit {
  /** Columns. */
  cols: number;
  /** Rows. */
  rows: number;
}

/** Options for {@linkcode watchLive}. */
export interface WatchOptions {
  /** Writes to the terminal, completely and synchronously. */
  write: (bytes: Uint8Array) => void;
  /** Keys from a raw-mode terminal: `q` or ctrl+c leaves. */
  input?: ReadableStream<Uint8Array>;
  /** Resize the terminal to the stream's size (`ESC [ 8 ; rows ; cols t`). Default false. */
  resize?: boolean;
  /** HTTP client for the connection (custom CA certificates). */
  client?: Deno.HttpClient;
  /** Stops watching as if the user left. */
  signal?: AbortSignal;
  /** Told each Init's size (`first` for the first of the whole watch). */
  onInit?: (init: WatchInit, first: boolean) => void;
  /** Told when the connection dropped and the next attempt is `delayMs` away. */
  onReconnect?: (delayMs: number, attempt: number) => void;
  /** The delay before attempt `n` (0, 1, …). Default: full jitter up to min(500 ms × 2ⁿ, 10 s), at least 100 ms. */
  reconnectDelay?: (attempt: number) => number;
}

const encoder = new TextEncoder();

function _defaultDelay(attempt: number): number {
  return Math.max(100, Math.random() * Math.min(500 * 2 ** attempt, 10_000));
}

/**
 * Watches the stream at `wsUrl` until it ends, refuses, or the user leaves.
 *
 * @example
 * ```ts
 * import { watchLive } from "./live_watcher.ts";
 * const result = await watchLive("ws://127.0.0.1:8080/ws", {
 *   write: (bytes) => Deno.stdout.writeSync(bytes),
 * });
 * result.status; // "ended"
 * ```
 */
export function watchLive(wsUrl: string, options: WatchOptions): Promise<WatchResult> {
  return new _Watch(wsUrl, options).run();
}

class _Watch {
  readonly #modes = new TerminalModes();
  #socket: WebSocket | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #attempt = 0;
  #inits = 0;
  #done = false;
  #resolve!: (result: WatchResult) => void;
  #reader: ReadableStreamDefaultReader<Uint8Array> | undefined;

  constructor(readonly url: string, readonly options: WatchOptions) {}

  run(): Promise<WatchResult> {
    const result = new Promise<WatchResult>((resolve) => (this.#resolve = resolve));
    const signal = this.options.signal;
    if (signal?.aborted) this.#finish({ status: "quit" });
    signal?.addEventListener("abort", () => this.#finish({ status: "quit" }), { once: true });
    void this.#readKeys();
    if (!this.#done) this.#connect();
    return result;
  }

  #write(bytes: Uint8Array): void {
    this.#modes.feed(bytes);
    this.options.write(bytes);
  }

  async #readKeys(): Promise<void> {
    const input = this.options.input;
    if (!input) return;
    const reader = this.#reader = input.getReader();
    try {
      while (!this.#done) {
        const { done, value } = await reader.read();
        if (done) return;
        if (value.includes(0x71) || value.includes(0x51) || value.includes(0x03)) {
          this.#finish({ status: "quit" });
        }
      }
    } catch {
      // The input closed: watching goes on until the end or a signal.
    } finally {
      reader.releaseLock();
    }
  }

  #connect(): void {
    let socket: WebSocket;
    try {
      const init = { protocols: [ALIS_PROTOCOL], client: this.options.client };
      socket = new WebSocket(this.url, init as unknown as string[]);
    } catch (error) {
      this.#finish({ status: "refused", reason: `cannot connect to ${this.url}: ${error}` });
      return;
    }
    this.#socket = socket;
    socket.binaryType = "arraybuffer";
    let magic = false;
    let opened = 0;
    socket.onopen = () => (opened = performance.now());
    socket.onmessage = (event) => {
      if (this.#done || this.#socket !== socket) return;
      if (!(event.data instanceof ArrayBuffer)) return;
      const bytes = new Uint8Array(event.data);
      try {
        if (!magic) {
          checkAlisMagic(bytes);
          magic = true;
          return;
        }
        const message = decodeAlisMessage(bytes);
        switch (message.type) {
          case "init":
            this.#attempt = 0;
            this.options.onInit?.({ cols: message.cols, rows: message.rows }, this.#inits++ === 0);
            this.#redraw(message.cols, message.rows, message.initData);
            break;
          case "output":
            this.#write(encoder.encode(message.data));
            break;
          case "resize":
            if (this.options.resize) this.#write(_resizeSequence(message.cols, message.rows));
            break;
          case "eot":
            this.#finish({ status: "ended" });
            break;
        }
      } catch {
        // A message that does not decode: start over on a new connection.
        socket.close(4500, "bad message");
      }
    };
    socket.onclose = (event) => {
      if (this.#done || this.#socket !== socket) return;
      this.#socket = undefined;
      if (event.code === 1002) {
        this.#finish({ status: "refused", reason: "the server does not speak ALiS v1" });
        return;
      }
      if (event.code >= 4000 && event.code < 4100) {
        this.#finish({ status: "refused", reason: event.reason || `closed with ${event.code}` });
        return;
      }
      // A connection that lasted starts the backoff over.
      if (opened > 0 && performance.now() - opened > 1000) this.#attempt = 0;
      const delay = (this.options.reconnectDelay ?? _defaultDelay)(this.#attempt);
      this.options.onReconnect?.(delay, this.#attempt);
      this.#attempt++;
      this.#timer = setTimeout(() => {
        if (!this.#done) this.#connect();
      }, delay);
    };
  }

  /** Clears the terminal (modes the stream had switched on included) and draws a screen. */
  #redraw(cols: number, rows: number, initData: string): void {
    const reset = this.#modes.resetSequence();
    this.#modes.feed(reset);
    this.options.write(reset);
    if (this.options.resize) this.options.write(_resizeSequence(cols, rows));
    this.options.write(encoder.encode("\x1b[0m\x1b[H\x1b[2J\x1b[3J"));
    this.#write(encoder.encode(initData));
  }

  #finish(result: WatchResult): void {
    if (this.#done) return;
    this.#done = true;
    clearTimeout(this.#timer);
    const socket = this.#socket;
    this.#socket = undefined;
    try {
      socket?.close();
    } catch {
      // Already closed.
    }
    this.#reader?.cancel().catch(() => {});
    this.#resolve(result);
  }
}

function _resizeSequence(cols: number, rows: number): Uint8Array {
  return encoder.encode(`\x1b[8;${rows};${cols}t`);
}
