/**
 * The one bounded send queue of the live pipeline, used by every connection that streams
 * to a peer (live viewers, the remote forwarder): an item is sent at once while the socket
 * takes data, queued while it does not, and merged with the item queued before it where the
 * owner allows (so a peer that falls behind gets fewer, larger messages). Past its bounds
 * the queue gives up and tells its owner, which disconnects: nothing ever waits for a peer.
 *
 * @module
 */

/** The part of a WebSocket the queue uses; a server-side or client `WebSocket` is one. */
export interface QueueSocket {
  /** Bytes handed to `send` and not written to the network yet. */
  readonly bufferedAmount: number;
  /** `WebSocket.OPEN` (1) while sending is possible. */
  readonly readyState: number;
  /** Queues one message. */
  send(data: Uint8Array | string): void;
}

/** How a {@linkcode SendQueue} handles its items. */
export interface SendQueueOptions<T> {
  /** Turns an item into the message to send, when it is sent. */
  encode(item: T): Uint8Array | string;
  /** The item's size in bytes, for the byte bound (roughly). */
  size(item: T): number;
  /** Combines two queued items into one, or `undefined` to keep both. Default: never. */
  merge?(earlier: T, later: T): T | undefined;
  /** The queue outgrew a bound: the owner should disconnect. */
  onOverflow(): void;
  /** `send` threw or the socket is no longer open: the owner should disconnect. */
  onBroken(error?: unknown): void;
  /** The queue became empty after holding items. */
  onEmpty?(): void;
  /**
   * Items may merge once more than this many wait (a peer that has fallen behind, not one
   * that is briefly slow). Default 8; 0 merges from the first.
   */
  mergeAfter?: number;
  /** Most items queued (merged items count as the items they hold). Default 1024. */
  maxItems?: number;
  /** Most bytes queued. Default 16 MiB. */
  maxBytes?: number;
  /** Nothing more is handed to the socket while it buffers more than this. Default 256 KiB. */
  highWaterBytes?: number;
}

const OPEN = 1;
const DRAIN_INTERVAL_MS = 5;

/**
 * A bounded, merging send queue for one socket.
 *
 * @example
 * ```ts
 * import { SendQueue } from "./send_queue.ts";
 * const socket = { bufferedAmount: 0, readyState: 1, send: (m: Uint8Array | string) => console.log(m) };
 * const queue = new SendQueue<string>(socket, {
 *   encode: (s) => s,
 *   size: (s) => s.length,
 *   merge: (a, b) => a + b,
 *   onOverflow: () => console.log("too slow"),
 *   onBroken: () => console.log("gone"),
 * });
 * queue.push("hello"); // sent at once
 * ```
 */
export class SendQueue<T> {
  readonly #socket: QueueSocket;
  readonly #options: SendQueueOptions<T>;
  readonly #maxItems: number;
  readonly #mergeAfter: number;
  readonly #maxBytes: number;
  readonly #highWater: number;
  #items: T[] = [];
  /** How many pushed items each queued item holds (more than one once merged). */
  #counts: number[] = [];
  #count = 0;
  #bytes = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #stopped = false;

  /** A queue for `socket`. */
  constructor(socket: QueueSocket, options: SendQueueOptions<T>) {
    this.#socket = socket;
    this.#options = options;
    this.#maxItems = options.maxItems ?? 1024;
    this.#mergeAfter = options.mergeAfter ?? 8;
    this.#maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
    this.#highWater = options.highWaterBytes ?? 256 * 1024;
  }

  /** Items waiting. */
  get length(): number {
    return this.#items.length;
  }

  /**
   * Sends `item` now if the socket takes data and nothing waits, else queues it (merged
   * with the last queued item where allowed). False once the queue has given up.
   */
  push(item: T): boolean {
    if (this.#stopped) return false;
    if (this.#items.length === 0 && this.#socket.bufferedAmount < this.#highWater) {
      return this.#send(item);
    }
    const last = this.#items.length > 0 ? this.#items[this.#items.length - 1]! : undefined;
    const merged = last === undefined || this.#items.length <= this.#mergeAfter
      ? undefined
      : this.#options.merge?.(last, item);
    if (merged !== undefined) {
      this.#bytes += this.#options.size(merged) - this.#options.size(last!);
      this.#items[this.#items.length - 1] = merged;
      this.#counts[this.#counts.length - 1]!++;
    } else {
      this.#items.push(item);
      this.#counts.push(1);
      this.#bytes += this.#options.size(item);
    }
    this.#count++;
    if (this.#count > this.#maxItems || this.#bytes > this.#maxBytes) {
      this.stop();
      this.#options.onOverflow();
      return false;
    }
    this.#timer ??= setInterval(() => this.#drain(), DRAIN_INTERVAL_MS);
    return true;
  }

  /** Drops what waits and stops sending. Idempotent. */
  stop(): void {
    this.#stopped = true;
    this.#items = [];
    this.#counts = [];
    this.#count = 0;
    this.#bytes = 0;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #send(item: T): boolean {
    if (this.#socket.readyState !== OPEN) {
      this.stop();
      this.#options.onBroken();
      return false;
    }
    try {
      this.#socket.send(this.#options.encode(item));
      return true;
    } catch (error) {
      this.stop();
      this.#options.onBroken(error);
      return false;
    }
  }

  #drain(): void {
    while (this.#items.length > 0 && this.#socket.bufferedAmount < this.#highWater) {
      const item = this.#items.shift()!;
      this.#count -= this.#counts.shift()!;
      this.#bytes -= this.#options.size(item);
      if (!this.#send(item)) return;
    }
    if (this.#items.length === 0) {
      clearInterval(this.#timer);
      this.#timer = undefined;
      this.#options.onEmpty?.();
    }
  }
}
