/**
 * One relayed stream as its viewers see it: the streaming team's {@linkcode LiveHub} (the
 * headless terminal and the ALiS fan-out) for the current producer session, plus the set of
 * viewer sockets, which outlive producer sessions. Every producer Init (a first connection,
 * or a reconnect) starts a fresh hub and moves every viewer onto it, so each gets a fresh
 * Init built from the producer's state; the end of the session gives viewers EOT and a
 * normal close.
 *
 * @module
 */
import type { Event } from "../asciicast/event.ts";
import {
  type HubTerminal,
  LiveHub,
  type LiveHubOptions,
  type ViewerFormat,
  type ViewerSocket,
} from "../stream/live_hub.ts";
import type { ProducerInit } from "./producer_decoder.ts";

/** Options for {@linkcode LiveStream}. */
export interface LiveStreamOptions {
  /** Makes the headless terminal of each producer session. */
  createTerminal: (cols: number, rows: number) => HubTerminal;
  /** Hub settings other than the terminal (queue bounds, close timeout…). */
  hub?: Omit<LiveHubOptions, "createTerminal">;
}

/**
 * Hands the hub a viewer's socket; after the viewer moves to a new hub, the magic that the
 * new hub sends first is swallowed (the viewer already had it; the fresh Init follows).
 */
class _ViewerAdapter implements ViewerSocket {
  skipMagic = false;
  leave: () => void = () => {};
  constructor(readonly socket: ViewerSocket, readonly format: ViewerFormat) {}
  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }
  get readyState(): number {
    return this.socket.readyState;
  }
  send(data: Uint8Array): void {
    if (this.skipMagic) {
      this.skipMagic = false;
      return;
    }
    this.socket.send(data);
  }
  close(code?: number, reason?: string): void {
    this.socket.close(code, reason);
  }
}

/**
 * A stream's viewers and its current producer session.
 *
 * @example
 * ```ts
 * import { LiveStream } from "./live_stream.ts";
 * import { Vt } from "../vt/vt.ts";
 * const stream = new LiveStream({ createTerminal: (c, r) => new Vt(c, r, { scrollback: 0 }) });
 * stream.reset({ kind: "init", lastId: 0, time: 0, cols: 80, rows: 24, initData: "" });
 * stream.write({ time: 1000, code: "o", data: "hi" });
 * await stream.end();
 * ```
 */
export class LiveStream {
  readonly #options: LiveStreamOptions;
  readonly #viewers = new Set<_ViewerAdapter>();
  #hub: LiveHub;
  #online = false;
  #base = 0;

  /** A stream with no producer session yet: viewers get the magic and wait for an Init. */
  constructor(options: LiveStreamOptions) {
    this.#options = options;
    this.#hub = this.#newHub();
  }

  /** Connected viewers. */
  get viewerCount(): number {
    return this.#viewers.size;
  }

  /** Whether a producer session is running (an Init came and the session has not ended). */
  get online(): boolean {
    return this.#online;
  }

  #newHub(): LiveHub {
    return new LiveHub({ ...this.#options.hub, createTerminal: this.#options.createTerminal });
  }

  /**
   * Adds a viewer whose WebSocket is open (it gets the magic now, the Init as soon as a
   * producer session runs). Returns the function to call when the socket closes (safe to
   * call more than once). Same contract as `LiveHub.join`, so the local server's handler
   * can serve a relayed stream.
   */
  join(socket: ViewerSocket, format: ViewerFormat = "alis"): () => void {
    const viewer = new _ViewerAdapter(socket, format);
    this.#viewers.add(viewer);
    viewer.leave = this.#hub.join(viewer);
    return () => {
      viewer.leave();
      this.#viewers.delete(viewer);
    };
  }

  /**
   * Starts a producer session from its Init: a fresh terminal of the Init's size fed with its
   * data, and every viewer reset onto it. Stream times restart at 0 for viewers.
   */
  reset(init: ProducerInit): void {
    const hub = this.#newHub();
    hub.begin({ cols: init.cols, rows: init.rows, theme: init.theme });
    if (init.initData !== "") hub.write({ time: 0, code: "o", data: init.initData });
    this.#base = init.time;
    const wasOnline = this.#online;
    this.#online = true;
    const old = this.#hub;
    this.#hub = hub;
    for (const viewer of this.#viewers) {
      viewer.leave();
      if (viewer.format !== "alis" && wasOnline) {
        // asciicast text streams have no reset message: such a viewer reconnects instead.
        this.#viewers.delete(viewer);
        viewer.socket.close(1012, "stream restarted");
        continue;
      }
      viewer.skipMagic = viewer.format === "alis";
      viewer.leave = hub.join(viewer, viewer.format);
    }
    void old.close();
  }

  /** One producer event (absolute producer time, re-based on the session's Init). */
  write(event: Event): void {
    if (!this.#online) return;
    this.#hub.write({ ...event, time: Math.max(0, event.time - this.#base) });
  }

  /**
   * Ends the producer session: every viewer gets what is queued, EOT and a close 1000 (the
   * player shows "Stream ended"); viewers who come later wait for a new Init.
   */
  async end(): Promise<void> {
    const old = this.#hub;
    this.#hub = this.#newHub();
    this.#online = false;
    this.#viewers.clear();
    await old.close();
  }

  /**
   * Closes every viewer at once with `code` (no EOT: for a relay shutdown, 1001 makes
   * players reconnect to the restarted relay) and releases the terminal.
   */
  async disconnect(code: number, reason: string): Promise<void> {
    for (const viewer of this.#viewers) {
      viewer.leave();
      try {
        viewer.socket.close(code, reason);
      } catch {
        // Already closing.
      }
    }
    this.#viewers.clear();
    this.#online = false;
    await this.#hub.close();
  }
}
