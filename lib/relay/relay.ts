/**
 * `asciirec serve`: a self-hostable relay speaking the streaming and upload subset of the
 * asciinema server API (`asciinema-server-api.md`), so the asciinema CLI, asciirec and the
 * asciinema player work with it unchanged. This module routes requests to the parts:
 *
 * | route | part |
 * | --- | --- |
 * | `/api/v1/streams…`, `/api/v1/user/streams` | the stream API (`api.ts`) |
 * | `POST /api/v1/recordings` (legacy `POST /api/asciicasts`), `/a/<token>.cast` | uploads (`recordings.ts`) |
 * | `GET /ws/S/<producer token>` | producer sockets (`producer_socket.ts`) |
 * | `GET /ws/s/<public token>` | viewer sockets (`viewer_socket.ts`) |
 * | `GET /s/<public token>`, `/a/<token>`, `/assets/…` | pages (`pages.ts`) |
 *
 * Streams in memory live in `streams.ts`; state lives in SQLite in the data directory
 * (`store.ts`), recordings as files beside it.
 *
 * @module
 */
import { join } from "node:path";
import type { LiveTerminal } from "../stream/live_state.ts";
import type { ViewerOptions } from "../stream/viewer.ts";
import type { RewindLogOptions } from "../stream/rewind_log.ts";
import { Vt } from "../vt/vt.ts";
import type { CompiledRules } from "../redact/rules.ts";
import { upgradeWebSocket, type WebSocketConnection } from "../http/websocket.ts";
import { INSTALL_ID_RE } from "../remote/install_id.ts";
import { StreamApi } from "./api.ts";
import { apiError } from "./http.ts";
import { createRelayPages, type RelayPages } from "./pages.ts";
import { CLOSE_NOT_FOUND, DEFAULT_BANDWIDTH, producerSocketHandler } from "./producer_socket.ts";
import { Recordings } from "./recordings.ts";
import { RelayStore } from "./store.ts";
import { relayPaceMs, StreamRuntimes } from "./streams.ts";
import type { TokenBucketOptions } from "./token_bucket.ts";
import { streamHub, viewerSocketHandler } from "./viewer_socket.ts";

export {
  CLOSE_BANDWIDTH,
  CLOSE_HEADER_TIMEOUT,
  CLOSE_NOT_FOUND,
  CLOSE_OWNERSHIP_LOST,
} from "./producer_socket.ts";

/** Rewind log memory per stream by default: many streams share one relay. */
const RELAY_REWIND_MEMORY = 8 * 1024 * 1024;
/** Rewind log size per stream by default (memory and file). */
const RELAY_REWIND_MAX = 1024 * 1024 * 1024;

/** Options for {@linkcode Relay.open}. */
export interface RelayOptions {
  /** Directory of `relay.db` and `recordings/` (created when missing). */
  dataDir: string;
  /**
   * The public base URL used in `url` and `ws_producer_url` (for a relay behind a reverse
   * proxy). Default: the origin of each request.
   */
  publicUrl?: string;
  /**
   * Install ids allowed to use the API. Default `undefined`: any UUID-shaped id (for a
   * loopback relay). Others get 401 `account_required`.
   */
  allowedInstallIds?: ReadonlySet<string>;
  /** How long a stream stays live after its producer vanished. Default 60 000 ms. */
  graceMs?: number;
  /** Delay before closing an unknown or not-live stream's socket with 4040. Default 1000 ms. */
  notFoundDelayMs?: number;
  /** A producer that offered no protocol must send a first message within this. Default 5000 ms. */
  headerTimeoutMs?: number;
  /** Producer bandwidth limit (token bucket). Default 16 MB burst, 100 KB/s sustained. */
  bandwidth?: TokenBucketOptions;
  /** Largest upload accepted, in bytes. Default 16 MiB. */
  maxUploadBytes?: number;
  /** Most live streams per install id; 0 = no limit. Default 0. */
  liveStreamLimit?: number;
  /** Save each producer session of a live stream as a recording. Default false. */
  recordStreams?: boolean;
  /** Makes the headless terminal of a stream. Default a `Vt` without scrollback that skips scrolled-off floods. */
  createTerminal?: (cols: number, rows: number) => LiveTerminal;
  /** Viewer fan-out settings (queue bounds…). */
  hub?: ViewerOptions;
  /**
   * How long a stream's output may wait for its viewers, given its subscribers: merged
   * output goes at most this often. Default {@linkcode relayPaceMs}.
   */
  paceMs?: (subscribers: number) => number;
  /** Most viewers of one stream; more get a page saying it is full. Default: no limit. */
  maxViewers?: number;
  /**
   * Keep each producer session for viewers to rewind, with these bounds, or `false`.
   * Default: on, 8 MiB in memory per stream (the rest in a temporary file), 1 GiB in all.
   */
  rewind?: RewindLogOptions | false;
  /** Where log lines go. Default: nowhere. */
  log?: (message: string) => void;
  /**
   * Redact every producer's stream and every upload with these rules (a policy enforced at
   * the relay, whatever client publishes). Default: none.
   */
  redaction?: { rules: CompiledRules; holdMs: number };
}

/**
 * The relay: an HTTP handler plus the live state of its streams. Serve
 * {@linkcode Relay.handler} with `Deno.serve`; call {@linkcode Relay.close} on shutdown.
 *
 * @example
 * ```ts
 * import { Relay } from "./relay.ts";
 * const relay = await Relay.open({ dataDir: await Deno.makeTempDir() });
 * import { serveHttp } from "../http/server.ts";
 * const server = await serveHttp(relay.handler, { port: 0 });
 * // … later
 * await relay.close();
 * await server.shutdown();
 * ```
 */
export class Relay {
  readonly #options: RelayOptions;
  readonly #store: RelayStore;
  readonly #pages: RelayPages;
  readonly #runtimes: StreamRuntimes;
  readonly #api: StreamApi;
  readonly #recordings: Recordings;
  readonly #producerSocket: (request: Request, token: string) => Response;
  readonly #viewerSocket: (request: Request, token: string) => Response;
  readonly #pendingSockets = new Set<WebSocketConnection>();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  readonly #log: (message: string) => void;
  #closing = false;

  private constructor(options: RelayOptions, store: RelayStore, pages: RelayPages) {
    this.#options = options;
    this.#store = store;
    this.#pages = pages;
    const log = this.#log = options.log ?? (() => {});
    const recordingsDir = join(options.dataDir, "recordings");
    this.#runtimes = new StreamRuntimes({
      store,
      recordingsDir,
      graceMs: options.graceMs ?? 60_000,
      recordStreams: options.recordStreams ?? false,
      createTerminal: options.createTerminal ??
        ((cols, rows) => new Vt(cols, rows, { scrollback: 0, skipScrolledOff: true })),
      viewers: { ...options.hub, maxViewers: options.maxViewers },
      paceMs: options.paceMs ?? relayPaceMs,
      rewind: options.rewind === false
        ? undefined
        : { memoryBytes: RELAY_REWIND_MEMORY, maxBytes: RELAY_REWIND_MAX, ...options.rewind },
      log,
    });
    this.#api = new StreamApi(store, this.#runtimes, {
      allowedInstallIds: options.allowedInstallIds,
      publicUrl: options.publicUrl,
      liveStreamLimit: options.liveStreamLimit ?? 0,
      log,
    });
    this.#recordings = new Recordings(store, {
      recordingsDir,
      maxUploadBytes: options.maxUploadBytes ?? 16 * 1024 * 1024,
      allowedInstallIds: options.allowedInstallIds,
      publicUrl: options.publicUrl,
      log,
      redaction: options.redaction?.rules,
    });
    const notFound = (request: Request, protocol: string | undefined) =>
      this.#notFoundSocket(request, protocol);
    const closing = () => this.#closing;
    this.#producerSocket = producerSocketHandler({
      store,
      runtimes: this.#runtimes,
      bandwidth: options.bandwidth ?? DEFAULT_BANDWIDTH,
      headerTimeoutMs: options.headerTimeoutMs ?? 5000,
      notFound,
      closing,
      log,
      redaction: options.redaction,
    });
    this.#viewerSocket = viewerSocketHandler({
      store,
      runtimes: this.#runtimes,
      notFound,
      closing,
    });
  }

  /**
   * Opens the relay's data directory (creating it) and resumes the streams that were live:
   * each gets the grace period, counted from its last activity, for its producer to return.
   */
  static async open(options: RelayOptions): Promise<Relay> {
    await Deno.mkdir(join(options.dataDir, "recordings"), { recursive: true });
    const store = RelayStore.open(join(options.dataDir, "relay.db"));
    const relay = new Relay(options, store, await createRelayPages());
    const grace = options.graceMs ?? 60_000;
    for (const stream of store.liveStreams()) {
      relay.#runtimes.armGrace(
        relay.#runtimes.get(stream.id),
        stream.lastActivityAt + grace - Date.now(),
      );
    }
    return relay;
  }

  /** Handles one HTTP request (bound: pass it to `Deno.serve` as is). */
  handler = async (request: Request): Promise<Response> => {
    try {
      return await this.#route(request);
    } catch (error) {
      this.#log(`error: ${request.method} ${new URL(request.url).pathname}: ${error}`);
      return apiError(500, "internal_error", "Internal server error");
    }
  };

  async #route(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const path = url.pathname;
    const method = request.method;
    let m: RegExpExecArray | null;
    if ((m = /^\/ws\/S\/([^/]+)$/.exec(path))) return this.#producerSocket(request, m[1]!);
    if ((m = /^\/ws\/s\/([^/]+)$/.exec(path))) return this.#viewerSocket(request, m[1]!);
    const api = this.#api.route(request, path);
    if (api) return await api;
    if (method === "POST" && (path === "/api/v1/recordings" || path === "/api/asciicasts")) {
      return await this.#recordings.upload(
        request,
        path === "/api/asciicasts" ? "asciicast" : "file",
      );
    }
    if (path.startsWith("/api/")) return apiError(404, "not_found", "Not found");
    if (method !== "GET" && method !== "HEAD") {
      return new Response("405", { status: 405, headers: { allow: "GET, HEAD" } });
    }
    const asset = this.#pages.asset(request);
    if (asset) return asset;
    if ((m = /^\/s\/([A-Za-z0-9]+)(\/.*)?$/.exec(path))) {
      const stream = this.#store.streamByPublicToken(m[1]!);
      if (!stream) return new Response("404", { status: 404 });
      return await this.#pages.stream(
        request,
        stream.publicToken,
        stream.title ?? "asciirec live stream",
        streamHub(this.#runtimes, stream.id),
      );
    }
    if ((m = /^\/a\/([A-Za-z0-9]+)(\.cast)?$/.exec(path))) {
      const recording = this.#store.recordingByToken(m[1]!);
      if (!recording) return new Response("404", { status: 404 });
      return m[2] ? await this.#recordings.castFile(request, recording) : this.#pages.recording(
        recording.title ?? recording.fileName,
        `/a/${recording.token}.cast`,
      );
    }
    if ((m = /^\/connect\/([^/]+)$/.exec(path))) {
      const id = m[1]!;
      if (!INSTALL_ID_RE.test(id)) return new Response("404", { status: 404 });
      return this.#pages.connect(id, this.#options.allowedInstallIds === undefined);
    }
    if (path === "/") {
      return new Response("asciirec relay: see https://docs.asciinema.org for clients\n", {
        headers: { "content-type": "text/plain; charset=utf-8" },
      });
    }
    return new Response("404", { status: 404 });
  }

  #later(delayMs: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, delayMs);
    this.#timers.add(timer);
  }

  /** Upgrades and, after the reference's 1 s delay, closes with 4040 "stream not found". */
  #notFoundSocket(request: Request, protocol: string | undefined): Response {
    const { socket, response } = upgradeWebSocket(request, protocol ? { protocol } : {});
    this.#pendingSockets.add(socket);
    socket.onopen = () => {
      this.#later(this.#options.notFoundDelayMs ?? 1000, () => {
        socket.close(CLOSE_NOT_FOUND, "stream not found");
      });
    };
    socket.onclose = () => this.#pendingSockets.delete(socket);
    return response;
  }

  /**
   * Shuts down: producers and viewers are closed with 1001 "server shutting down" (both
   * reconnect to a restarted relay; live streams keep their grace period), timers stop,
   * open recordings are finished, the database is closed.
   */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const socket of this.#pendingSockets) {
      try {
        socket.close(1001, "server shutting down");
      } catch {
        // Already closed.
      }
    }
    await this.#runtimes.closeAll(1001, "server shutting down");
    this.#store.close();
  }
}
