/**
 * `asciirec serve`: a self-hostable relay speaking the streaming and upload subset of the
 * asciinema server API (`asciinema-server-api.md`), so the asciinema CLI, asciirec and the
 * asciinema player work with it unchanged.
 *
 * | route | does |
 * | --- | --- |
 * | `POST /api/v1/streams`, `PATCH`/`PUT`/`DELETE /api/v1/streams/:id` | manage streams |
 * | `GET /api/v1/user/streams?prefix=&limit=&cursor=` | list own streams |
 * | `POST /api/v1/recordings` (legacy `POST /api/asciicasts`) | upload a recording |
 * | `GET /ws/S/<producer token>` | producer WebSocket: `v1.alis`, `v2.asciicast`, `v3.asciicast`, `raw` |
 * | `GET /ws/s/<public token>` | viewer WebSocket (ALiS) |
 * | `GET /s/<public token>` | the player page of a stream |
 * | `GET /a/<token>`, `/a/<token>.cast` | a stored recording: page, file |
 *
 * State lives in SQLite in the data directory, recordings as files beside it.
 *
 * @module
 */
import { join } from "node:path";
import type { Header } from "../asciicast/event.ts";
import { openRecording } from "../asciicast/reader.ts";
import { type CastWriter, createCastWriter } from "../asciicast/writer.ts";
import { v3Encoder } from "../asciicast/encoder.ts";
import { ALIS_PROTOCOL } from "../alis/message.ts";
import type {
  HubTerminal,
  LiveHubOptions,
  ViewerFormat,
  ViewerSocket,
} from "../stream/live_hub.ts";
import { INSTALL_ID_RE } from "../remote/install_id.ts";
import { Vt } from "../vt/vt.ts";
import { LiveStream } from "./live_stream.ts";
import { createRelayPages, type RelayPages } from "./pages.ts";
import {
  detectProducerProtocol,
  PRODUCER_PROTOCOLS,
  ProducerDecoder,
  type ProducerInit,
  type ProducerProtocol,
  ProducerProtocolError,
} from "./producer_decoder.ts";
import { type RecordingRecord, RelayStore, type StreamFields, type StreamRecord } from "./store.ts";
import { parseStreamChanges, streamJson } from "./stream_fields.ts";
import { randomToken } from "./token.ts";
import { saveMultipartFile } from "./multipart_file.ts";
import { TokenBucket, type TokenBucketOptions } from "./token_bucket.ts";

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
  /** Producer bandwidth limit (token bucket). Default 60 MB burst, 100 KB/s. */
  bandwidth?: TokenBucketOptions;
  /** Largest upload accepted, in bytes. Default 16 MiB. */
  maxUploadBytes?: number;
  /** Most live streams per install id; 0 = no limit. Default 0. */
  liveStreamLimit?: number;
  /** Save each producer session of a live stream as a recording. Default false. */
  recordStreams?: boolean;
  /** Makes the headless terminal of a stream. Default `new Vt(cols, rows, { scrollback: 0 })`. */
  createTerminal?: (cols: number, rows: number) => HubTerminal;
  /** Viewer fan-out settings (queue bounds…). */
  hub?: Omit<LiveHubOptions, "createTerminal">;
  /** Where log lines go. Default: nowhere. */
  log?: (message: string) => void;
}

/** Producer close code: another producer connection took the stream over. */
export const CLOSE_OWNERSHIP_LOST = 4002;
/** Producer close code: over the bandwidth limit. */
export const CLOSE_BANDWIDTH = 4004;
/** Producer/viewer close code: unknown or not-live stream. */
export const CLOSE_NOT_FOUND = 4040;
/** Producer close code: no protocol offered and no first message in time. */
export const CLOSE_HEADER_TIMEOUT = 4101;

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" };
/** Slack for the multipart envelope around an upload's file part. */
const MULTIPART_SLACK = 64 * 1024;
const ACTIVITY_EVERY_MS = 15_000;
/** Deno pings idle sockets after this many seconds and closes them without a pong. */
const IDLE_TIMEOUT_S = 15;

function _json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...headers } });
}

function _error(status: number, type: string, message: string, details?: unknown): Response {
  return _json(status, details === undefined ? { type, message } : { type, message, details });
}

function _offeredProtocols(request: Request): string[] {
  return (request.headers.get("sec-websocket-protocol") ?? "")
    .split(",").map((p) => p.trim()).filter((p) => p !== "");
}

function _isUpgrade(request: Request): boolean {
  return request.method === "GET" && request.headers.get("upgrade")?.toLowerCase() === "websocket";
}

function _basicPassword(request: Request): string | undefined {
  const header = request.headers.get("authorization");
  const m = header === null ? null : /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return undefined;
  let decoded: string;
  try {
    decoded = new TextDecoder().decode(Uint8Array.from(atob(m[1]!), (c) => c.charCodeAt(0)));
  } catch {
    return undefined;
  }
  const colon = decoded.indexOf(":");
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

class _Producer {
  decoder: ProducerDecoder | undefined;
  bucket: TokenBucket;
  /** An Init came on this connection. */
  started = false;
  exited = false;
  /** Set when this connection no longer speaks for the stream (taken over, shut down). */
  detached = false;
  /** A close code the relay sent, if it closed the connection. */
  closedWith: number | undefined;
  lastId = 0;
  touchedAt = 0;
  timer: ReturnType<typeof setTimeout> | undefined;
  constructor(
    readonly socket: WebSocket,
    readonly streamId: number,
    protocol: ProducerProtocol | undefined,
    bandwidth: TokenBucketOptions | undefined,
  ) {
    if (protocol) this.decoder = new ProducerDecoder(protocol);
    this.bucket = new TokenBucket(bandwidth);
  }

  close(code: number, reason: string): void {
    if (this.closedWith !== undefined) return;
    this.closedWith = code;
    clearTimeout(this.timer);
    try {
      this.socket.close(code, reason);
    } catch {
      // Already closed.
    }
  }
}

/** What the relay keeps in memory for a stream that has viewers, a producer or a timer. */
class _Runtime {
  producer: _Producer | undefined;
  grace: ReturnType<typeof setTimeout> | undefined;
  recorder: _Recorder | undefined;
  /** Producer time of the current session's Init (recordings start at 0 there). */
  base = 0;
  constructor(readonly streamId: number, readonly live: LiveStream) {}
}

/** The file of one producer session being saved as a recording. */
interface _Recorder {
  writer: CastWriter;
  token: string;
  path: string;
}

/**
 * The relay: an HTTP handler plus the live state of its streams. Serve
 * {@linkcode Relay.handler} with `Deno.serve`; call {@linkcode Relay.close} on shutdown.
 *
 * @example
 * ```ts
 * import { Relay } from "./relay.ts";
 * const relay = await Relay.open({ dataDir: await Deno.makeTempDir() });
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0 }, relay.handler);
 * // … later
 * await relay.close();
 * await server.shutdown();
 * ```
 */
export class Relay {
  readonly #options: RelayOptions;
  readonly #store: RelayStore;
  readonly #pages: RelayPages;
  readonly #recordingsDir: string;
  readonly #createTerminal: (cols: number, rows: number) => HubTerminal;
  readonly #runtimes = new Map<number, _Runtime>();
  readonly #pendingSockets = new Set<WebSocket>();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  readonly #log: (message: string) => void;
  #closing = false;

  private constructor(options: RelayOptions, store: RelayStore, pages: RelayPages) {
    this.#options = options;
    this.#store = store;
    this.#pages = pages;
    this.#recordingsDir = join(options.dataDir, "recordings");
    this.#createTerminal = options.createTerminal ??
      ((cols, rows) => new Vt(cols, rows, { scrollback: 0 }));
    this.#log = options.log ?? (() => {});
  }

  /**
   * Opens the relay's data directory (creating it) and resumes the streams that were live:
   * each gets the grace period, counted from its last activity, for its producer to return.
   */
  static async open(options: RelayOptions): Promise<Relay> {
    await Deno.mkdir(join(options.dataDir, "recordings"), { recursive: true });
    const store = RelayStore.open(join(options.dataDir, "relay.db"));
    const relay = new Relay(options, store, await createRelayPages());
    const grace = relay.#graceMs;
    for (const stream of store.liveStreams()) {
      relay.#armGrace(relay.#runtime(stream.id), stream.lastActivityAt + grace - Date.now());
    }
    return relay;
  }

  get #graceMs(): number {
    return this.#options.graceMs ?? 60_000;
  }

  /** Handles one HTTP request (bound: pass it to `Deno.serve` as is). */
  handler = async (request: Request): Promise<Response> => {
    try {
      return await this.#route(request);
    } catch (error) {
      this.#log(`error: ${request.method} ${new URL(request.url).pathname}: ${error}`);
      return _error(500, "internal_error", "Internal server error");
    }
  };

  async #route(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const path = url.pathname;
    const method = request.method;
    let m: RegExpExecArray | null;
    if ((m = /^\/ws\/S\/([^/]+)$/.exec(path))) return this.#producerSocket(request, m[1]!);
    if ((m = /^\/ws\/s\/([^/]+)$/.exec(path))) return this.#viewerSocket(request, m[1]!);
    if (path === "/api/v1/streams" && method === "POST") return await this.#createStream(request);
    if ((m = /^\/api\/v1\/streams\/([^/]+)$/.exec(path))) {
      if (method === "PATCH" || method === "PUT") return await this.#updateStream(request, m[1]!);
      if (method === "DELETE") return await this.#deleteStream(request, m[1]!);
      if (method === "GET") return this.#getStream(request, m[1]!);
      return _error(405, "method_not_allowed", `${method} is not allowed here`);
    }
    if (path === "/api/v1/user/streams" && method === "GET") return this.#listStreams(request);
    if (method === "POST" && (path === "/api/v1/recordings" || path === "/api/asciicasts")) {
      return await this.#upload(request, path === "/api/asciicasts" ? "asciicast" : "file");
    }
    if (path.startsWith("/api/")) return _error(404, "not_found", "Not found");
    if (method !== "GET" && method !== "HEAD") {
      return new Response("405", { status: 405, headers: { allow: "GET, HEAD" } });
    }
    const asset = this.#pages.asset(request);
    if (asset) return asset;
    if ((m = /^\/s\/([A-Za-z0-9]+)(\/.*)?$/.exec(path))) {
      const stream = this.#store.streamByPublicToken(m[1]!);
      if (!stream) return new Response("404", { status: 404 });
      const hub = {
        join: (socket: ViewerSocket, format?: ViewerFormat) => {
          const runtime = this.#runtime(stream.id);
          const leave = runtime.live.join(socket, format);
          return () => {
            leave();
            this.#release(runtime);
          };
        },
      };
      return await this.#pages.stream(
        request,
        stream.publicToken,
        stream.title ?? "asciirec live stream",
        hub,
      );
    }
    if ((m = /^\/a\/([A-Za-z0-9]+)(\.cast)?$/.exec(path))) {
      const recording = this.#store.recordingByToken(m[1]!);
      if (!recording) return new Response("404", { status: 404 });
      return m[2] ? await this.#castFile(request, recording) : this.#pages.recording(
        recording.title ?? recording.fileName,
        `/a/${recording.token}.cast`,
      );
    }
    if (path === "/") {
      return new Response("asciirec relay: see https://docs.asciinema.org for clients\n", {
        headers: { "content-type": "text/plain; charset=utf-8" },
      });
    }
    return new Response("404", { status: 404 });
  }

  #baseUrl(request: Request): string {
    return (this.#options.publicUrl ?? new URL(request.url).origin).replace(/\/+$/, "");
  }

  /** The caller's install id, or the 401 response the asciinema server gives. */
  #authenticate(request: Request): string | Response {
    const id = _basicPassword(request);
    if (id === undefined || id === "") {
      return _error(401, "unauthenticated", "Missing installation ID");
    }
    if (!INSTALL_ID_RE.test(id)) return _error(401, "unauthenticated", "Invalid installation ID");
    const allowed = this.#options.allowedInstallIds;
    if (allowed && !allowed.has(id)) {
      return _error(401, "account_required", "This action requires an account");
    }
    this.#store.registerInstallId(id);
    return id;
  }

  #liveLimitReached(owner: string): Response | undefined {
    const limit = this.#options.liveStreamLimit ?? 0;
    if (limit > 0 && this.#store.countLiveStreams(owner) >= limit) {
      return _error(422, "live_stream_limit_reached", `Maximum ${limit} live streams reached`);
    }
    return undefined;
  }

  async #createStream(request: Request): Promise<Response> {
    const owner = this.#authenticate(request);
    if (owner instanceof Response) return owner;
    const fields = await this.#streamChanges(request);
    if (fields instanceof Response) return fields;
    if (fields.live) {
      const limited = this.#liveLimitReached(owner);
      if (limited) return limited;
    }
    const stream = this.#store.createStream(owner, randomToken(16), randomToken(24), {
      ...fields,
      userAgent: request.headers.get("user-agent"),
    });
    if (stream.live) this.#armGrace(this.#runtime(stream.id), this.#graceMs);
    this.#log(`stream ${stream.id} created${stream.live ? " (live)" : ""}`);
    return _json(200, streamJson(stream, this.#baseUrl(request)));
  }

  /** The caller's stream named by `:id` (numeric id or public token), or the error response. */
  #requestedStream(request: Request, id: string): StreamRecord | Response {
    const owner = this.#authenticate(request);
    if (owner instanceof Response) return owner;
    const stream = /^\d+$/.test(id)
      ? this.#store.streamById(Number(id))
      : this.#store.streamByPublicToken(id);
    if (!stream) return _error(404, "not_found", "Stream not found");
    if (stream.owner !== owner) return _error(403, "access_denied", "Access denied");
    return stream;
  }

  /** The fields of a create/update body, or the error response (400, 422). */
  async #streamChanges(request: Request): Promise<StreamFields | Response> {
    const text = await request.text();
    let body: unknown = {};
    try {
      if (text.trim() !== "") body = JSON.parse(text);
    } catch {
      return _error(400, "bad_request", "The body is not valid JSON");
    }
    const parsed = parseStreamChanges(body);
    if (parsed.errors) return _error(422, "validation_failed", "Validation failed", parsed.errors);
    return parsed.fields;
  }

  #getStream(request: Request, id: string): Response {
    const stream = this.#requestedStream(request, id);
    if (stream instanceof Response) return stream;
    return _json(200, streamJson(stream, this.#baseUrl(request)));
  }

  async #updateStream(request: Request, id: string): Promise<Response> {
    const found = this.#requestedStream(request, id);
    if (found instanceof Response) return found;
    const fields = await this.#streamChanges(request);
    if (fields instanceof Response) return fields;
    if (fields.live && !found.live) {
      const limited = this.#liveLimitReached(found.owner);
      if (limited) return limited;
    }
    const stream = this.#store.updateStream(found.id, {
      ...fields,
      userAgent: request.headers.get("user-agent") ?? found.userAgent,
    })!;
    const runtime = this.#runtimes.get(stream.id);
    if (fields.live === true && !runtime?.producer) {
      this.#armGrace(this.#runtime(stream.id), this.#graceMs);
    } else if (fields.live === false && runtime) {
      this.#dropProducer(runtime, 1000, "stream ended");
      await this.#endStream(runtime);
    }
    return _json(200, streamJson(stream, this.#baseUrl(request)));
  }

  async #deleteStream(request: Request, id: string): Promise<Response> {
    const stream = this.#requestedStream(request, id);
    if (stream instanceof Response) return stream;
    const runtime = this.#runtimes.get(stream.id);
    if (runtime) {
      this.#dropProducer(runtime, 1000, "stream deleted");
      await this.#endStream(runtime);
    }
    this.#store.deleteStream(stream.id);
    return new Response(null, { status: 204 });
  }

  #listStreams(request: Request): Response {
    const owner = this.#authenticate(request);
    if (owner instanceof Response) return owner;
    const params = new URL(request.url).searchParams;
    const limitParam = Number(params.get("limit") ?? "10");
    const limit = Number.isInteger(limitParam) && limitParam > 0 ? Math.min(limitParam, 100) : 10;
    let prefix = params.get("prefix") ?? "";
    let afterId = 0;
    const cursor = params.get("cursor");
    if (cursor !== null) {
      try {
        const c = JSON.parse(atob(cursor));
        afterId = Number(c.id) || 0;
        prefix = typeof c.prefix === "string" ? c.prefix : "";
      } catch {
        return _error(400, "bad_request", "Invalid cursor");
      }
    }
    const rows = this.#store.listStreams(owner, prefix, afterId, limit + 1);
    const page = rows.slice(0, limit);
    const headers: Record<string, string> = {};
    if (rows.length > limit) {
      const next = btoa(JSON.stringify({ id: page[page.length - 1]!.id, prefix }));
      const nextUrl = `${this.#baseUrl(request)}/api/v1/user/streams?cursor=${
        encodeURIComponent(next)
      }&limit=${limit}`;
      headers.link = `<${nextUrl}>; rel="next"`;
    }
    const base = this.#baseUrl(request);
    return _json(200, page.map((s) => streamJson(s, base)), headers);
  }

  async #upload(request: Request, partName: "file" | "asciicast"): Promise<Response> {
    const owner = this.#authenticate(request);
    if (owner instanceof Response) return owner;
    const limit = this.#options.maxUploadBytes ?? 16 * 1024 * 1024;
    const tooLarge = () =>
      _error(
        413,
        "content_too_large",
        `The recording exceeds the server's size limit of ${limit} bytes`,
      );
    const declared = Number(request.headers.get("content-length") ?? "0");
    if (declared > limit + MULTIPART_SLACK) {
      await request.body?.cancel();
      return tooLarge();
    }
    const token = randomToken(16);
    const finalPath = join(this.#recordingsDir, `${token}.cast`);
    const tempPath = `${finalPath}.part`;
    // Written to disk as it arrives: an upload of any size takes constant memory.
    const part = await saveMultipartFile(request.body ?? new Blob().stream(), {
      contentType: request.headers.get("content-type") ?? "",
      partNames: [partName, "file", "asciicast"],
      path: tempPath,
      maxBytes: limit,
      maxBodyBytes: limit + MULTIPART_SLACK,
    });
    if (!part.ok && part.problem === "too_large") return tooLarge();
    if (!part.ok && part.problem === "not_multipart") {
      return _error(400, "bad_request", "Expected a multipart/form-data body");
    }
    if (!part.ok) {
      return _error(400, "bad_request", `Expected the recording in the "${partName}" part`);
    }
    let title: string | null = null;
    try {
      const recording = await openRecording(tempPath);
      for await (const _event of recording.events) {
        // Reading every event checks the whole file.
      }
      title = recording.header.title ?? null;
    } catch (error) {
      await Deno.remove(tempPath).catch(() => {});
      const message = error instanceof Error ? error.message.replace(tempPath, part.fileName) : "";
      return _error(422, "validation_failed", `Invalid asciicast file: ${message}`, [
        { field: "file", message },
      ]);
    }
    await Deno.rename(tempPath, finalPath);
    const record = this.#store.addRecording({
      token,
      owner,
      streamId: null,
      fileName: part.fileName || "recording.cast",
      size: part.size,
      title,
    });
    this.#log(`recording ${record.id} uploaded (${record.size} bytes)`);
    const url = `${this.#baseUrl(request)}/a/${token}`;
    return _json(201, {
      id: record.id,
      url,
      file_url: `${url}.cast`,
      audio_url: null,
      title,
      description: null,
      visibility: "unlisted",
      message: `View the recording at:\n\n    ${url}\n`,
    }, { location: url });
  }

  async #castFile(request: Request, recording: RecordingRecord): Promise<Response> {
    let file: Deno.FsFile;
    try {
      file = await Deno.open(join(this.#recordingsDir, `${recording.token}.cast`));
    } catch {
      return new Response("404", { status: 404 });
    }
    const { size } = await file.stat();
    const headers = {
      "content-type": "application/x-asciicast",
      "content-length": String(size),
      "content-disposition": `inline; filename="${recording.token}.cast"`,
      "x-content-type-options": "nosniff",
    };
    if (request.method === "HEAD") {
      file.close();
      return new Response(null, { headers });
    }
    return new Response(file.readable, { headers });
  }

  #runtime(streamId: number): _Runtime {
    let runtime = this.#runtimes.get(streamId);
    if (!runtime) {
      runtime = new _Runtime(
        streamId,
        new LiveStream({ createTerminal: this.#createTerminal, hub: this.#options.hub }),
      );
      this.#runtimes.set(streamId, runtime);
    }
    return runtime;
  }

  /** Forgets a runtime that has nothing left: no producer, viewer or timer. */
  #release(runtime: _Runtime): void {
    if (!runtime.producer && runtime.grace === undefined && runtime.live.viewerCount === 0) {
      this.#runtimes.delete(runtime.streamId);
    }
  }

  #armGrace(runtime: _Runtime, delayMs: number): void {
    clearTimeout(runtime.grace);
    runtime.grace = setTimeout(() => {
      runtime.grace = undefined;
      this.#log(`stream ${runtime.streamId}: grace period over, offline`);
      void this.#endStream(runtime);
    }, Math.max(0, delayMs));
  }

  /** Marks a stream offline: viewers get EOT, the session's recording is kept. */
  async #endStream(runtime: _Runtime): Promise<void> {
    clearTimeout(runtime.grace);
    runtime.grace = undefined;
    if (this.#store.streamById(runtime.streamId)?.live) {
      this.#store.updateStream(runtime.streamId, { live: false });
    }
    await Promise.all([this.#finishRecording(runtime), runtime.live.end()]);
    this.#release(runtime);
  }

  /** Detaches the stream's producer and closes it with `code` (its close then changes nothing). */
  #dropProducer(runtime: _Runtime, code: number, reason: string): void {
    const producer = runtime.producer;
    if (!producer) return;
    runtime.producer = undefined;
    producer.detached = true;
    producer.close(code, reason);
  }

  #startRecording(runtime: _Runtime, init: ProducerInit): void {
    const token = randomToken(16);
    const path = join(this.#recordingsDir, `${token}.cast`);
    try {
      const file = Deno.openSync(path, { write: true, createNew: true });
      const title = this.#store.streamById(runtime.streamId)?.title;
      const header: Header = {
        version: 3,
        cols: init.cols,
        rows: init.rows,
        timestamp: Math.floor(Date.now() / 1000),
      };
      if (init.theme) header.theme = init.theme;
      if (title) header.title = title;
      const writer = createCastWriter(file.writable, header, { encoder: v3Encoder });
      if (init.initData !== "") writer.write({ time: 0, code: "o", data: init.initData });
      runtime.recorder = { writer, token, path };
    } catch (error) {
      this.#log(`stream ${runtime.streamId}: cannot record: ${error}`);
    }
  }

  async #finishRecording(runtime: _Runtime): Promise<void> {
    const recorder = runtime.recorder;
    if (!recorder) return;
    runtime.recorder = undefined;
    await recorder.writer.close();
    const { size } = await Deno.stat(recorder.path);
    const stream = this.#store.streamById(runtime.streamId);
    this.#store.addRecording({
      token: recorder.token,
      owner: stream?.owner ?? null,
      streamId: runtime.streamId,
      fileName: `stream-${runtime.streamId}.cast`,
      size,
      title: stream?.title ?? null,
    });
    this.#log(`stream ${runtime.streamId}: saved as recording ${recorder.token}`);
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
    const { socket, response } = Deno.upgradeWebSocket(request, protocol ? { protocol } : {});
    this.#pendingSockets.add(socket);
    socket.onopen = () => {
      this.#later(this.#options.notFoundDelayMs ?? 1000, () => {
        socket.close(CLOSE_NOT_FOUND, "stream not found");
      });
    };
    socket.onclose = () => this.#pendingSockets.delete(socket);
    return response;
  }

  #producerSocket(request: Request, token: string): Response {
    if (!_isUpgrade(request)) return new Response(null, { status: 400 });
    const offered = _offeredProtocols(request);
    let protocol: ProducerProtocol | undefined;
    if (offered.length > 0) {
      protocol = offered.find((p): p is ProducerProtocol =>
        (PRODUCER_PROTOCOLS as readonly string[]).includes(p)
      );
      if (!protocol) return new Response(null, { status: 400 });
    }
    const stream = this.#store.streamByProducerToken(token);
    if (!stream || !stream.live || this.#closing) return this.#notFoundSocket(request, protocol);
    let upgraded;
    try {
      upgraded = Deno.upgradeWebSocket(request, {
        ...(protocol ? { protocol } : {}),
        idleTimeout: IDLE_TIMEOUT_S,
      });
    } catch {
      return new Response(null, { status: 400 });
    }
    const { socket, response } = upgraded;
    socket.binaryType = "arraybuffer";
    const producer = new _Producer(socket, stream.id, protocol, this.#options.bandwidth);
    socket.onopen = () => this.#producerOpened(producer);
    socket.onmessage = (event) => this.#producerMessage(producer, event.data);
    socket.onclose = (event) => void this.#producerClosed(producer, event.code);
    return response;
  }

  #producerOpened(producer: _Producer): void {
    if (this.#closing) {
      producer.close(1001, "server shutting down");
      return;
    }
    const runtime = this.#runtime(producer.streamId);
    this.#dropProducer(runtime, CLOSE_OWNERSHIP_LOST, "ownership lost");
    runtime.producer = producer;
    clearTimeout(runtime.grace);
    runtime.grace = undefined;
    this.#log(`stream ${producer.streamId}: producer connected`);
    if (!producer.decoder) {
      producer.timer = setTimeout(() => {
        if (!producer.decoder) producer.close(CLOSE_HEADER_TIMEOUT, "header timeout");
      }, this.#options.headerTimeoutMs ?? 5000);
    }
  }

  #producerMessage(producer: _Producer, data: unknown): void {
    if (producer.detached || producer.closedWith !== undefined) return;
    const message = typeof data === "string" ? data : new Uint8Array(data as ArrayBuffer);
    if (!producer.decoder) {
      clearTimeout(producer.timer);
      producer.decoder = new ProducerDecoder(detectProducerProtocol(message));
    }
    const runtime = this.#runtimes.get(producer.streamId);
    if (!runtime || runtime.producer !== producer) return;
    let updates;
    try {
      updates = producer.decoder.decode(message);
    } catch (error) {
      if (!(error instanceof ProducerProtocolError)) throw error;
      this.#log(`stream ${producer.streamId}: closing producer (${error.code}): ${error.message}`);
      producer.close(error.code, error.reason);
      return;
    }
    for (const update of updates) {
      if (update.kind === "init") {
        void this.#finishRecording(runtime);
        runtime.live.reset(update);
        runtime.base = update.time;
        producer.started = true;
        producer.lastId = update.lastId;
        producer.exited = false;
        if (!this.#store.streamById(producer.streamId)?.live) {
          this.#store.updateStream(producer.streamId, { live: true });
        }
        this.#store.touchStream(producer.streamId, producer.lastId);
        producer.touchedAt = Date.now();
        if (this.#options.recordStreams) this.#startRecording(runtime, update);
      } else if (update.kind === "event") {
        runtime.live.write(update.event);
        runtime.recorder?.writer.write({
          ...update.event,
          time: Math.max(0, update.event.time - runtime.base),
        });
        producer.lastId = update.id;
        if (update.event.code === "x") producer.exited = true;
      } else {
        void this.#endStream(runtime);
      }
    }
    const size = typeof message === "string"
      ? new TextEncoder().encode(message).length
      : message.length;
    if (!producer.bucket.take(size)) {
      this.#log(`stream ${producer.streamId}: producer over the bandwidth limit`);
      producer.close(CLOSE_BANDWIDTH, "bandwidth exceeded");
      return;
    }
    if (Date.now() - producer.touchedAt > ACTIVITY_EVERY_MS) {
      producer.touchedAt = Date.now();
      this.#store.touchStream(producer.streamId, producer.lastId);
    }
  }

  async #producerClosed(producer: _Producer, code: number): Promise<void> {
    clearTimeout(producer.timer);
    const runtime = this.#runtimes.get(producer.streamId);
    if (producer.detached || this.#closing || !runtime || runtime.producer !== producer) return;
    runtime.producer = undefined;
    this.#log(
      `stream ${producer.streamId}: producer disconnected (${producer.closedWith ?? code})`,
    );
    this.#store.touchStream(producer.streamId, producer.lastId);
    let ended: boolean;
    if (producer.closedWith !== undefined) {
      // Closed by the relay for a violation: the producer will not be back (4101 is retried).
      ended = producer.closedWith >= 4000 && producer.closedWith !== CLOSE_HEADER_TIMEOUT;
    } else if (code === 1006 || !producer.started) {
      ended = false; // lost, not closed: the grace period lets it reconnect
    } else if (producer.decoder?.protocol === "v1.alis") {
      // ALiS: only Exit or EOT end the stream; a bare close keeps it for a reconnect.
      ended = producer.exited || !producer.decoder.online;
    } else {
      ended = true;
    }
    if (ended) await this.#endStream(runtime);
    else this.#armGrace(runtime, this.#graceMs);
  }

  #viewerSocket(request: Request, token: string): Response {
    if (!_isUpgrade(request)) return new Response(null, { status: 400 });
    if (!_offeredProtocols(request).includes(ALIS_PROTOCOL)) {
      const { socket, response } = Deno.upgradeWebSocket(request);
      socket.onopen = () => socket.close(1002, "protocol negotiation failed");
      return response;
    }
    const stream = /^\d+$/.test(token)
      ? this.#store.streamById(Number(token))
      : this.#store.streamByPublicToken(token);
    const visible = stream && (stream.publicToken === token || stream.visibility === "public");
    if (!visible || this.#closing) return this.#notFoundSocket(request, ALIS_PROTOCOL);
    const { socket, response } = Deno.upgradeWebSocket(request, {
      protocol: ALIS_PROTOCOL,
      idleTimeout: IDLE_TIMEOUT_S,
    });
    socket.binaryType = "arraybuffer";
    let leave: (() => void) | undefined;
    socket.onopen = () => {
      const runtime = this.#runtime(stream.id);
      leave = runtime.live.join(socket);
    };
    socket.onclose = () => {
      leave?.();
      const runtime = this.#runtimes.get(stream.id);
      if (runtime) this.#release(runtime);
    };
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
    const ends: Promise<void>[] = [];
    for (const runtime of this.#runtimes.values()) {
      clearTimeout(runtime.grace);
      runtime.grace = undefined;
      if (runtime.producer) this.#store.touchStream(runtime.streamId, runtime.producer.lastId);
      this.#dropProducer(runtime, 1001, "server shutting down");
      ends.push(
        this.#finishRecording(runtime),
        runtime.live.disconnect(1001, "server shutting down"),
      );
    }
    await Promise.all(ends);
    this.#runtimes.clear();
    this.#store.close();
  }
}
