/**
 * A client for the asciinema server HTTP API (asciinema.org, a self-hosted asciinema-server,
 * or `asciirec serve`): create, find and update live streams, and upload recordings. Every
 * failure becomes an {@linkcode ApiError} whose message tells the user what to do.
 *
 * @module
 */
import denoJson from "../../deno.json" with { type: "json" };
import { apiUrl } from "./config.ts";

/** A stream as the server returns it; the client relies only on `id`, `url`, `ws_producer_url`. */
export interface StreamInfo {
  /** Numeric id. */
  id: number;
  /** The viewer page. */
  url: string;
  /** Where the producer connects (`ws://` or `wss://`). */
  ws_producer_url: string;
  /** Whether it is marked live. */
  live?: boolean;
  /** Title, if any. */
  title?: string | null;
  /** Other fields the server sent. */
  [field: string]: unknown;
}

/** Fields sent when creating or updating a stream; unknown values are left out. */
export interface StreamChanges {
  /** `true` to broadcast. */
  live?: boolean;
  /** Title (≤ 128 characters). */
  title?: string;
  /** Markdown description (≤ 4096 characters). */
  description?: string;
  /** `public`, `unlisted` or `private`. */
  visibility?: string;
  /** `$TERM` of the producing terminal. */
  term_type?: string;
  /** The terminal's XTVERSION reply. */
  term_version?: string;
  /** `$SHELL`. */
  shell?: string;
  /** Captured environment variables. */
  env?: Record<string, string>;
}

/** What an upload returns. */
export interface UploadResult {
  /** The recording's page. */
  url: string;
  /** A message for the user (e.g. how to claim an anonymous upload), when the server sent one. */
  message?: string;
  /** The whole response body. */
  body: Record<string, unknown>;
}

/**
 * A request the server refused or that could not be made. `status` is 0 when the server
 * could not be reached; `type` is the error body's `type` when it sent one.
 */
export class ApiError extends Error {
  override name = "ApiError";
  /** HTTP status, or 0 for a transport failure. */
  readonly status: number;
  /** The server's error `type` (`unauthenticated`, `live_stream_limit_reached`, …). */
  readonly type: string | undefined;

  /** Makes an error with the user-facing message, the status and the server's type. */
  constructor(message: string, status: number, type?: string) {
    super(message);
    this.status = status;
    this.type = type;
  }
}

/** Options for {@linkcode ApiClient}. */
export interface ApiClientOptions {
  /** The Basic-auth user name; default `$USER`, else empty (servers ignore it for streams). */
  user?: string;
  /** `User-Agent`; default `asciirec/<version>`. */
  userAgent?: string;
  /** Timeout of each API call in milliseconds; default 30 000. */
  timeoutMs?: number;
  /** Timeout of an upload in milliseconds; default 300 000. */
  uploadTimeoutMs?: number;
}

/** The `User-Agent` asciirec sends. */
export const USER_AGENT = `asciirec/${denoJson.version}`;

function _basicAuth(user: string, password: string): string {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return `Basic ${btoa(binary)}`;
}

/**
 * Talks to one asciinema server on behalf of one install id.
 *
 * @example
 * ```ts
 * import { ApiClient } from "./api_client.ts";
 * const client = new ApiClient("http://127.0.0.1:4040", crypto.randomUUID());
 * const stream = await client.createStream({ live: true, title: "demo" });
 * console.log(stream.url, stream.ws_producer_url);
 * ```
 */
export class ApiClient {
  /** The server base URL. */
  readonly serverUrl: string;
  readonly #authorization: string;
  readonly #userAgent: string;
  readonly #timeoutMs: number;
  readonly #uploadTimeoutMs: number;
  readonly #host: string;

  /** A client for `serverUrl` (no trailing slash needed) using `installId` as credential. */
  constructor(serverUrl: string, installId: string, options: ApiClientOptions = {}) {
    this.serverUrl = serverUrl;
    this.#authorization = _basicAuth(options.user ?? Deno.env.get("USER") ?? "", installId);
    this.#userAgent = options.userAgent ?? USER_AGENT;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#uploadTimeoutMs = options.uploadTimeoutMs ?? 300_000;
    this.#host = new URL(serverUrl).host;
  }

  /** `POST /api/v1/streams`: creates a stream. */
  async createStream(changes: StreamChanges): Promise<StreamInfo> {
    return _streamInfo(await this.#json("POST", "api/v1/streams", changes, "stream"));
  }

  /** `PATCH /api/v1/streams/:id`: updates a stream (numeric id or URL token). */
  async updateStream(id: number | string, changes: StreamChanges): Promise<StreamInfo> {
    const path = `api/v1/streams/${encodeURIComponent(String(id))}`;
    return _streamInfo(await this.#json("PATCH", path, changes, "stream"));
  }

  /** `GET /api/v1/user/streams?prefix=…&limit=…`: this install id's streams. */
  async listStreams(prefix?: string, limit = 10): Promise<StreamInfo[]> {
    const params = new URLSearchParams();
    if (prefix !== undefined) params.set("prefix", prefix);
    params.set("limit", String(limit));
    const body = await this.#json("GET", `api/v1/user/streams?${params}`, undefined, "stream");
    if (!Array.isArray(body)) {
      throw new ApiError(`${this.#host} sent an unexpected stream list`, 200);
    }
    return body.map(_streamInfo);
  }

  /**
   * Creates a stream (no `target`), or finds the one stream whose id starts with `target`
   * and updates it, as `asciinema stream -r [ID]` does.
   *
   * @throws {ApiError} when no stream or several match, or the server refuses.
   */
  async obtainStream(target: string | undefined, changes: StreamChanges): Promise<StreamInfo> {
    if (target === undefined) return await this.createStream(changes);
    const matches = await this.listStreams(target, 10);
    if (matches.length === 0) {
      throw new ApiError(`no stream matches ${JSON.stringify(target)}`, 404, "not_found");
    }
    if (matches.length > 1) {
      throw new ApiError(
        `${JSON.stringify(target)} matches several streams: ${
          matches.map((s) => s.url).join(", ")
        }; give more of the id`,
        409,
      );
    }
    return await this.updateStream(matches[0]!.id, changes);
  }

  /**
   * `POST /api/v1/recordings`: uploads a recording as the multipart part `file`.
   *
   * @param content the file's content, sent as is: bytes, or a stream for a file too large
   * to hold in memory (sent with chunked transfer encoding).
   * @param fileName the name the server sees.
   */
  async upload(
    content: Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array>,
    fileName: string,
  ): Promise<UploadResult> {
    let form: FormData | ReadableStream<Uint8Array>;
    let type: string | undefined;
    let timeout: number | AbortSignal = this.#uploadTimeoutMs;
    if (content instanceof ReadableStream) {
      // A streamed upload may take any time while it makes progress: it is given up after
      // the upload timeout without a byte sent, or without an answer once all was sent.
      const boundary = `asciirec-${crypto.randomUUID()}`;
      const stalled = new AbortController();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(
          () => stalled.abort(new DOMException("The operation timed out.", "TimeoutError")),
          this.#uploadTimeoutMs,
        );
        Deno.unrefTimer(timer);
      };
      arm();
      form = _multipartStream(boundary, "file", fileName, content, arm);
      type = `multipart/form-data; boundary=${boundary}`;
      timeout = stalled.signal;
    } else {
      form = new FormData();
      form.append("file", new Blob([content], { type: "application/x-asciicast" }), fileName);
    }
    const body = await this.#request(
      "POST",
      "api/v1/recordings",
      form,
      "upload",
      timeout,
      type,
    );
    if (body === null || typeof body !== "object" || Array.isArray(body)) {
      throw new ApiError(`${this.#host} sent an unexpected upload response`, 200);
    }
    const record = body as Record<string, unknown>;
    const url = typeof record.url === "string" ? record.url : "";
    const message = typeof record.message === "string" && record.message.trim() !== ""
      ? record.message
      : undefined;
    if (url === "" && message === undefined) {
      throw new ApiError(`${this.#host} accepted the upload but sent no URL`, 200);
    }
    return { url, message, body: record };
  }

  #json(
    method: string,
    path: string,
    payload: unknown,
    purpose: "stream" | "upload",
  ): Promise<unknown> {
    return this.#request(
      method,
      path,
      payload === undefined ? undefined : JSON.stringify(payload),
      purpose,
      this.#timeoutMs,
    );
  }

  async #request(
    method: string,
    path: string,
    body: string | FormData | ReadableStream<Uint8Array> | undefined,
    purpose: "stream" | "upload",
    timeout: number | AbortSignal,
    contentType?: string,
  ): Promise<unknown> {
    const headers: Record<string, string> = {
      "Accept": "application/json",
      "Authorization": this.#authorization,
      "User-Agent": this.#userAgent,
    };
    if (typeof body === "string") headers["Content-Type"] = "application/json";
    if (contentType !== undefined) headers["Content-Type"] = contentType;
    let response: Response;
    try {
      response = await fetch(apiUrl(this.serverUrl, path), {
        method,
        headers,
        body,
        signal: typeof timeout === "number" ? AbortSignal.timeout(timeout) : timeout,
      });
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      const what = purpose === "stream"
        ? "cannot obtain a stream producer endpoint"
        : "cannot upload";
      throw new ApiError(`${what} - is ${this.#host} down? (${why})`, 0);
    }
    const text = await response.text();
    let parsed: unknown = undefined;
    try {
      parsed = text === "" ? null : JSON.parse(text);
    } catch {
      // Not JSON (a proxy's HTML page, say): handled below by status.
    }
    if (response.ok) {
      if (parsed === undefined) {
        throw new ApiError(
          `${this.#host} answered ${response.status} with a body that is not JSON`,
          response.status,
        );
      }
      return parsed;
    }
    throw this.#error(response.status, parsed, purpose);
  }

  #error(status: number, body: unknown, purpose: "stream" | "upload"): ApiError {
    const record = body !== null && typeof body === "object" && !Array.isArray(body)
      ? body as Record<string, unknown>
      : {};
    const type = typeof record.type === "string" ? record.type : undefined;
    const serverMessage = typeof record.message === "string" && record.message !== ""
      ? record.message
      : undefined;
    const host = this.#host;
    switch (status) {
      case 401:
        return new ApiError(
          `this machine is not linked to an account on ${host}` +
            (serverMessage ? ` (${serverMessage})` : "") +
            ` - run "asciirec auth" first`,
          status,
          type,
        );
      case 403:
        return new ApiError(
          serverMessage ?? `${host} refused access (403 ${type ?? "forbidden"})`,
          status,
          type,
        );
      case 404:
        return new ApiError(
          serverMessage ??
            (purpose === "stream"
              ? `${host} doesn't support streaming`
              : `${host} doesn't accept uploads here (404)`),
          status,
          type,
        );
      case 413:
        return new ApiError(
          serverMessage ?? "The recording exceeds the server-configured size limit",
          status,
          type,
        );
      case 422: {
        if (type === "live_stream_limit_reached") {
          return new ApiError(
            `${serverMessage ?? "live stream limit reached"} on ${host}: ` +
              "end one of your other live streams first",
            status,
            type,
          );
        }
        const details = Array.isArray(record.details)
          ? record.details.map((d) =>
            d && typeof d === "object"
              ? `${(d as Record<string, unknown>).field}: ${(d as Record<string, unknown>).message}`
              : String(d)
          ).join("; ")
          : "";
        return new ApiError(
          `${serverMessage ?? `${host} rejected the request (422)`}${
            details ? ` (${details})` : ""
          }`,
          status,
          type,
        );
      }
      case 429:
        return new ApiError(`${host} is rate limiting this machine; try again later`, status, type);
      default:
        return new ApiError(
          `${host} answered ${status}${serverMessage ? `: ${serverMessage}` : ""}`,
          status,
          type,
        );
    }
  }
}

function _streamInfo(value: unknown): StreamInfo {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new ApiError("the server sent a stream that is not a JSON object", 200);
  }
  const record = value as Record<string, unknown>;
  if (typeof record.ws_producer_url !== "string" || typeof record.url !== "string") {
    throw new ApiError("the server sent a stream without url and ws_producer_url", 200);
  }
  return record as StreamInfo;
}

/**
 * A multipart/form-data body with one file part, streamed from `content`; `onProgress` is
 * called as each piece is handed on.
 */
function _multipartStream(
  boundary: string,
  field: string,
  fileName: string,
  content: ReadableStream<Uint8Array>,
  onProgress: () => void,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const quoted = fileName.replace(/["\\\r\n]/g, "_");
  const head = encoder.encode(
    `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${quoted}"\r\n` +
      `Content-Type: application/x-asciicast\r\n\r\n`,
  );
  const tail = encoder.encode(`\r\n--${boundary}--\r\n`);
  const reader = content.getReader();
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      onProgress();
      if (!started) {
        started = true;
        controller.enqueue(head);
        return;
      }
      const { done, value } = await reader.read();
      if (done) {
        controller.enqueue(tail);
        controller.close();
      } else controller.enqueue(value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
}
