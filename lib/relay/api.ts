/**
 * The relay's stream API, the subset of asciinema-server's that clients use: create, get,
 * update, delete and list streams, authenticated by install id.
 *
 * | route | does |
 * | --- | --- |
 * | `POST /api/v1/streams`, `GET`/`PATCH`/`PUT`/`DELETE /api/v1/streams/:id` | manage streams |
 * | `GET /api/v1/user/streams?prefix=&limit=&cursor=` | list own streams |
 *
 * @module
 */
import { apiError, json } from "./http.ts";
import { authenticate } from "./install_auth.ts";
import type { RelayStore, StreamFields, StreamRecord } from "./store.ts";
import { parseStreamChanges, streamJson } from "./stream_fields.ts";
import type { StreamRuntimes } from "./streams.ts";
import { randomToken } from "./token.ts";

/** What the API needs of the relay. */
export interface StreamApiOptions {
  /** Install ids allowed to use the API (default: any UUID-shaped id). */
  allowedInstallIds?: ReadonlySet<string>;
  /** The public base URL in `url` and `ws_producer_url`; default each request's origin. */
  publicUrl?: string;
  /** Most live streams per install id; 0 = no limit. */
  liveStreamLimit: number;
  /** Where log lines go. */
  log: (message: string) => void;
}

/**
 * The base URL clients are given: `publicUrl` (a relay behind a reverse proxy), else the
 * request's origin.
 */
export function baseUrl(request: Request, publicUrl: string | undefined): string {
  return (publicUrl ?? new URL(request.url).origin).replace(/\/+$/, "");
}

/**
 * The stream API handlers.
 *
 * @example
 * ```ts
 * import { StreamApi } from "./api.ts";
 * // const api = new StreamApi(store, runtimes, { liveStreamLimit: 0, log: () => {} });
 * // POST /api/v1/streams → api.createStream(request)
 * ```
 */
export class StreamApi {
  readonly #store: RelayStore;
  readonly #runtimes: StreamRuntimes;
  readonly #options: StreamApiOptions;

  /** The API over a store and the streams in memory. */
  constructor(store: RelayStore, runtimes: StreamRuntimes, options: StreamApiOptions) {
    this.#store = store;
    this.#runtimes = runtimes;
    this.#options = options;
  }

  /** Routes `/api/v1/streams…` and `/api/v1/user/streams`; undefined for other paths. */
  route(request: Request, path: string): Promise<Response> | Response | undefined {
    const method = request.method;
    if (path === "/api/v1/streams" && method === "POST") return this.createStream(request);
    const m = /^\/api\/v1\/streams\/([^/]+)$/.exec(path);
    if (m) {
      if (method === "PATCH" || method === "PUT") return this.updateStream(request, m[1]!);
      if (method === "DELETE") return this.deleteStream(request, m[1]!);
      if (method === "GET") return this.getStream(request, m[1]!);
      return apiError(405, "method_not_allowed", `${method} is not allowed here`);
    }
    if (path === "/api/v1/user/streams" && method === "GET") return this.listStreams(request);
    return undefined;
  }

  #liveLimitReached(owner: string): Response | undefined {
    const limit = this.#options.liveStreamLimit;
    if (limit > 0 && this.#store.countLiveStreams(owner) >= limit) {
      return apiError(422, "live_stream_limit_reached", `Maximum ${limit} live streams reached`);
    }
    return undefined;
  }

  async createStream(request: Request): Promise<Response> {
    const owner = authenticate(request, this.#store, this.#options.allowedInstallIds);
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
    if (stream.live) this.#runtimes.armGrace(this.#runtimes.get(stream.id));
    this.#options.log(`stream ${stream.id} created${stream.live ? " (live)" : ""}`);
    return json(200, streamJson(stream, baseUrl(request, this.#options.publicUrl)));
  }

  /** The caller's stream named by `:id` (numeric id or public token), or the error response. */
  #requestedStream(request: Request, id: string): StreamRecord | Response {
    const owner = authenticate(request, this.#store, this.#options.allowedInstallIds);
    if (owner instanceof Response) return owner;
    const stream = /^\d+$/.test(id)
      ? this.#store.streamById(Number(id))
      : this.#store.streamByPublicToken(id);
    if (!stream) return apiError(404, "not_found", "Stream not found");
    if (stream.owner !== owner) return apiError(403, "access_denied", "Access denied");
    return stream;
  }

  /** The fields of a create/update body, or the error response (400, 422). */
  async #streamChanges(request: Request): Promise<StreamFields | Response> {
    const text = await request.text();
    let body: unknown = {};
    try {
      if (text.trim() !== "") body = JSON.parse(text);
    } catch {
      return apiError(400, "bad_request", "The body is not valid JSON");
    }
    const parsed = parseStreamChanges(body);
    if (parsed.errors) {
      return apiError(422, "validation_failed", "Validation failed", parsed.errors);
    }
    return parsed.fields;
  }

  getStream(request: Request, id: string): Response {
    const stream = this.#requestedStream(request, id);
    if (stream instanceof Response) return stream;
    return json(200, streamJson(stream, baseUrl(request, this.#options.publicUrl)));
  }

  async updateStream(request: Request, id: string): Promise<Response> {
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
    const runtime = this.#runtimes.find(stream.id);
    if (fields.live === true && !runtime?.producer) {
      this.#runtimes.armGrace(this.#runtimes.get(stream.id));
    } else if (fields.live === false && runtime) {
      this.#runtimes.dropProducer(runtime, 1000, "stream ended");
      await this.#runtimes.end(runtime);
    }
    return json(200, streamJson(stream, baseUrl(request, this.#options.publicUrl)));
  }

  async deleteStream(request: Request, id: string): Promise<Response> {
    const stream = this.#requestedStream(request, id);
    if (stream instanceof Response) return stream;
    const runtime = this.#runtimes.find(stream.id);
    if (runtime) {
      this.#runtimes.dropProducer(runtime, 1000, "stream deleted");
      await this.#runtimes.end(runtime);
    }
    this.#store.deleteStream(stream.id);
    return new Response(null, { status: 204 });
  }

  listStreams(request: Request): Response {
    const owner = authenticate(request, this.#store, this.#options.allowedInstallIds);
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
        return apiError(400, "bad_request", "Invalid cursor");
      }
    }
    const rows = this.#store.listStreams(owner, prefix, afterId, limit + 1);
    const page = rows.slice(0, limit);
    const headers: Record<string, string> = {};
    if (rows.length > limit) {
      const next = btoa(JSON.stringify({ id: page[page.length - 1]!.id, prefix }));
      const nextUrl = `${baseUrl(request, this.#options.publicUrl)}/api/v1/user/streams?cursor=${
        encodeURIComponent(next)
      }&limit=${limit}`;
      headers.link = `<${nextUrl}>; rel="next"`;
    }
    const base = baseUrl(request, this.#options.publicUrl);
    return json(200, page.map((s) => streamJson(s, base)), headers);
  }
}
