/**
 * The live hub: a {@linkcode LiveState} that also serves viewer sockets — what local
 * streaming plugs into a session. Viewers join with {@linkcode LiveHub.join}; closing the
 * hub ends the stream and waits for its viewers to leave.
 *
 * @module
 */
import { LiveState, type LiveStateOptions, type LiveTerminal } from "./live_state.ts";
import { RewindLog, type RewindLogOptions } from "./rewind_log.ts";
import {
  CLOSE_FULL,
  CLOSE_INTERNAL,
  CLOSE_LAGGING,
  type ViewerFormat,
  type ViewerOptions,
  Viewers,
  type ViewerSocket,
} from "./viewer.ts";

export { CLOSE_FULL, CLOSE_INTERNAL, CLOSE_LAGGING };
export type { ViewerFormat, ViewerSocket };

/** The headless terminal the hub keeps (see {@linkcode LiveTerminal}). */
export type HubTerminal = LiveTerminal;

/** Options for {@linkcode LiveHub}: the live state's and its viewers', and the rewind log's. */
export interface LiveHubOptions extends LiveStateOptions, ViewerOptions {
  /** Keep the session so far for viewers who rewind (see {@linkcode RewindLog}). Default: off. */
  rewind?: RewindLogOptions;
}

/**
 * A live state with viewers. Create it before the session (so a server can accept viewers
 * early), call `begin` when the session starts, then use it as the session's sink.
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
export class LiveHub extends LiveState {
  readonly #viewers: Viewers;
  readonly #rewind: RewindLog | undefined;

  /** Makes a hub; nothing runs until `begin` or a join. */
  constructor(options: LiveHubOptions = {}) {
    super(options);
    this.#viewers = new Viewers(this, options);
    if (options.rewind) {
      this.#rewind = new RewindLog({ onNotice: options.onNotice, ...options.rewind });
      this.subscribe(this.#rewind);
    }
  }

  /** The rewind log, when the hub keeps one. */
  get rewindLog(): RewindLog | undefined {
    return this.#rewind;
  }

  /** Connected viewers. */
  get viewerCount(): number {
    return this.#viewers.count;
  }

  /** The hub's viewers (count, limit). */
  get viewers(): Viewers {
    return this.#viewers;
  }

  /**
   * Adds a viewer whose socket is open: for ALiS sends the magic at once, then (as soon as
   * the session has started) the Init and every later event; a text viewer (`"v3"`, `"v2"`)
   * gets an asciicast header and the screen as its first event instead. Returns `leave`, to
   * call when the socket closes; safe to call more than once.
   */
  join(socket: ViewerSocket, format: ViewerFormat = "alis"): () => void {
    return this.#viewers.join(socket, format);
  }

  /**
   * Ends the stream: every viewer gets what is still queued for it, then EOT (ALiS), then a
   * close with 1000 "Stream ended". Resolves when every viewer has left or was cut off after
   * its close timeout. Viewers that join later get the final screen and the end at once.
   */
  override async close(): Promise<void> {
    await super.close();
    await this.#viewers.settled();
    await this.#rewind?.close();
  }
}
