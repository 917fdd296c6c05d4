/**
 * The local streaming server (`stream --local`, `session --local`): a page with the
 * asciinema player, the player's own files (embedded in the program, never read from disk)
 * and a WebSocket that speaks ALiS v1 to viewers of a {@linkcode LiveHub}.
 *
 * On a loopback address anyone on this machine may watch. On any other address every route
 * sits under an unguessable token (`/TOKEN/`, `/TOKEN/ws`, …); without it the answer is 404.
 *
 * @module
 */
import playerJs from "asciinema-player/dist/bundle/asciinema-player.min.js" with { type: "text" };
import playerCss from "asciinema-player/dist/bundle/asciinema-player.css" with { type: "text" };
import pageTemplate from "../../web/index.html" with { type: "text" };
import { ALIS_LINK_TYPE, ALIS_PROTOCOL } from "../alis/message.ts";
import { serveHttp, type TlsFiles } from "../http/server.ts";
import { upgradeWebSocket } from "../http/websocket.ts";
import { playerPageCsp } from "./player_page_csp.ts";
import {
  isLoopback,
  type ListenAddress,
  parseListenAddress,
  reachableHosts,
  tokenProblem,
} from "./listen_address.ts";

export { isLoopback, type ListenAddress, parseListenAddress, reachableHosts, tokenProblem };
import type { ViewerFormat, ViewerSocket } from "./live_hub.ts";
import type { RewindLog } from "./rewind_log.ts";

/** Where a stream stands, as its page shows it. */
export type StreamState = "waiting" | "live" | "ended";

/**
 * What the server needs from the stream: a way to add a viewer (see `LiveHub.join`), and,
 * for the page, its viewers, its state and its rewind log.
 */
export interface ViewerHub {
  /** Adds an open socket as a viewer; returns the function to call when it closes. */
  join(socket: ViewerSocket, format?: ViewerFormat): () => void;
  /** Viewers now and the most allowed (`max` absent: no limit). */
  audience?(): { count: number; max?: number };
  /** Whether the stream has started, or ended. */
  state?(): StreamState;
  /**
   * The session so far (the rewind log of the current session; `undefined` when there is
   * none, e.g. after a restart of the server). Absent: the stream offers no rewind.
   */
  rewind?(): RewindLog | undefined;
}

/** Options for {@linkcode createLocalHandler}. */
export interface LocalHandlerOptions {
  /** The hub viewers join. */
  hub: ViewerHub;
  /** Page title (the session title). Default `"asciirec live stream"`. */
  title?: string;
  /** When set, every route is under `/TOKEN/` and answers 404 without it. */
  token?: string;
}

interface _Asset {
  body: string;
  /** The body gzipped once, at start. */
  gzip: Uint8Array<ArrayBuffer>;
  type: string;
  etag: string;
  immutable: boolean;
}

const CACHE_IMMUTABLE = "public, max-age=31536000, immutable";
const CACHE_REVALIDATE = "public, max-age=0, must-revalidate";
const DEFAULT_TITLE = "asciirec live stream";

async function _sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

async function _gzip(text: string): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Whether an `Accept-Encoding` header allows gzip (present and not `q=0`). */
function _acceptsGzip(header: string | null): boolean {
  if (header === null) return false;
  return header.split(",").some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(";").map((p) => p.trim());
    if (coding !== "gzip" && coding !== "*") return false;
    const q = params.find((p) => p.startsWith("q="));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

function _hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function _escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** `asciinema-player.min.js` → `asciinema-player.min.0123456789abcdef.js`. */
function _digestName(name: string, digest: string): string {
  const dot = name.lastIndexOf(".");
  return `${name.slice(0, dot)}.${digest}${name.slice(dot)}`;
}

/** Whether an `If-None-Match` header matches a (weak) entity tag. */
function _matches(ifNoneMatch: string | null, etag: string): boolean {
  if (ifNoneMatch === null) return false;
  const bare = (tag: string) => tag.trim().replace(/^W\//, "");
  return ifNoneMatch.split(",").some((tag) => tag.trim() === "*" || bare(tag) === bare(etag));
}

function _text(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(body, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", ...headers },
  });
}

function _sameText(a: string, b: string): boolean {
  // Constant time for equal lengths, so the token cannot be guessed byte by byte.
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Builds the request handler of the local server. Routes (under `/TOKEN` when a token is
 * set): `GET /` and `/index.html` the page (a `503` page saying so when the stream has as
 * many viewers as it allows); `/status` the stream's state, title, viewers and rewind log as
 * JSON; `/rewind.cast` the session so far as asciicast v3 (when the hub keeps it); `asciinema-player.min.js` and
 * `asciinema-player.css`, also under digest names (`asciinema-player.min.<sha256:16>.js`),
 * with weak ETags, 304 on `If-None-Match`, immutable caching for digest names, gzip when
 * accepted; `/ws` the WebSocket (`v1.alis`, else `v3.asciicast` or `v2.asciicast` text, else
 * close 1002); anything else `404`. No path is ever read from disk. Without a token, a
 * request whose host is not an IP address or `localhost` gets 403 (DNS rebinding), and so
 * does a WebSocket whose `Origin` is another site (cross-site WebSocket hijacking).
 *
 * @example
 * ```ts
 * import { createLocalHandler } from "./local_server.ts";
 * const handler = await createLocalHandler({ hub: { join: () => () => {} }, title: "demo" });
 * const response = handler(new Request("http://localhost/"));
 * response.headers.get("content-type"); // "text/html; charset=utf-8"
 * ```
 */
export async function createLocalHandler(
  options: LocalHandlerOptions,
): Promise<(request: Request) => Response> {
  const { hub, token } = options;
  const title = options.title ?? DEFAULT_TITLE;
  const assets = new Map<string, _Asset>();
  const names: Record<string, string> = {};
  for (
    const [name, body, type] of [
      ["asciinema-player.min.js", playerJs, "text/javascript; charset=utf-8"],
      ["asciinema-player.css", playerCss, "text/css; charset=utf-8"],
    ] as const
  ) {
    const digest = _hex(await _sha256(body)).slice(0, 16);
    const etag = `W/"${digest}"`;
    const gzip = await _gzip(body);
    assets.set(name, { body, gzip, type, etag, immutable: false });
    names[name] = _digestName(name, digest);
    assets.set(names[name], { body, gzip, type, etag, immutable: true });
  }
  const rewind = hub.rewind !== undefined;
  const links = `<link rel="alternate" type="${ALIS_LINK_TYPE}" href="ws">` +
    (rewind
      ? `\n    <link rel="alternate" type="application/x-asciicast" href="rewind.cast">`
      : "");
  const page = pageTemplate
    .replaceAll("__TITLE__", () => _escapeHtml(title))
    .replace("__LINKS__", () => links)
    .replace("__REWIND__", rewind ? "on" : "off")
    .replace("__CSS__", () => names["asciinema-player.css"]!)
    .replace("__JS__", () => names["asciinema-player.min.js"]!);
  const inline = /<script>([\s\S]*?)<\/script>/.exec(page)?.[1] ?? "";
  const csp = await playerPageCsp(inline);
  const pageAsset: _Asset = {
    body: page,
    gzip: await _gzip(page),
    type: "text/html; charset=utf-8",
    etag: `W/"${_hex(await _sha256(page)).slice(0, 16)}"`,
    immutable: false,
  };
  const prefix = token === undefined ? "" : `/${token}`;

  const serveAsset = (request: Request, asset: _Asset, extra: Record<string, string>) => {
    const headers: Record<string, string> = {
      "content-type": asset.type,
      "cache-control": asset.immutable ? CACHE_IMMUTABLE : CACHE_REVALIDATE,
      "etag": asset.etag,
      "vary": "Accept-Encoding",
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
      ...extra,
    };
    if (_matches(request.headers.get("if-none-match"), asset.etag)) {
      return new Response(null, { status: 304, headers });
    }
    const gzip = _acceptsGzip(request.headers.get("accept-encoding"));
    if (gzip) headers["content-encoding"] = "gzip";
    if (request.method === "HEAD") return new Response(null, { headers });
    return new Response(gzip ? asset.gzip : asset.body, { headers });
  };

  return (request: Request): Response => {
    const url = new URL(request.url);
    const path = url.pathname;
    // Without a token, only IP literals and localhost may name this server: a page on a
    // rebound DNS name cannot reach the stream from a visitor's browser.
    if (token === undefined && !_isAddressHost(url.hostname)) return _text(403, "403");
    let route: string;
    if (token === undefined) {
      route = path;
    } else {
      const rest = path.slice(prefix.length);
      if (!_sameText(path.slice(0, prefix.length), prefix) || !(rest === "" || rest[0] === "/")) {
        return _text(404, "404");
      }
      if (rest === "") {
        return new Response(null, { status: 301, headers: { location: `${prefix}/` } });
      }
      route = rest;
    }
    const isGet = request.method === "GET" || request.method === "HEAD";
    const known = route === "/" || route === "/index.html" || route === "/ws" ||
      route === "/status" || route === "/rewind.cast" || assets.has(route.slice(1));
    if (!known) return _text(404, "404");
    if (!isGet) return _text(405, "405", { allow: "GET, HEAD" });
    if (route === "/status") return _json(_status(hub, title));
    if (route === "/rewind.cast") return _rewind(request, hub, options.title);
    if (route === "/ws") {
      // Browsers always send Origin with a WebSocket: another site's page may not connect.
      const origin = request.headers.get("origin");
      if (origin !== null && !_sameOrigin(origin, url)) return _text(403, "403");
      return _upgrade(request, hub);
    }
    if (route === "/" || route === "/index.html") {
      const viewers = hub.audience?.();
      if (viewers?.max !== undefined && viewers.count >= viewers.max) {
        return _fullPage(title, viewers.max);
      }
      return serveAsset(request, pageAsset, { "content-security-policy": csp });
    }
    return serveAsset(request, assets.get(route.slice(1))!, {});
  };
}

function _json(value: unknown): Response {
  return new Response(JSON.stringify(value), {
    headers: {
      "content-type": "application/json",
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}

/** What `/status` says. */
function _status(hub: ViewerHub, title: string) {
  const viewers = hub.audience?.();
  const rewind = hub.rewind?.()?.status;
  return {
    title,
    state: hub.state?.() ?? "live",
    viewers: viewers?.count ?? null,
    maxViewers: viewers?.max ?? null,
    rewind: hub.rewind === undefined ? false : rewind ?? null,
  };
}

function _rewind(request: Request, hub: ViewerHub, title: string | undefined): Response {
  if (hub.rewind === undefined) {
    return _text(404, "this stream does not keep the session for rewinding\n");
  }
  const log = hub.rewind();
  if (log === undefined) {
    return _text(
      404,
      "the server has no record of this session so far (it was restarted, or the session has not started)\n",
      { "cache-control": "no-store" },
    );
  }
  return log.response(request, { title });
}

function _fullPage(title: string, max: number): Response {
  const t = _escapeHtml(title);
  const body = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t} (full)</title>
<style>
  body { font: 18px/1.5 system-ui, sans-serif; background: #121314; color: #ddd; max-width: 36em; margin: 4em auto; padding: 0 1em; }
</style>
</head>
<body>
<h1>${t}</h1>
<p id="full">This stream is full: it allows ${max} viewer${
    max === 1 ? "" : "s"
  } at a time, and that many are watching.
Try again in a moment (reload this page).</p>
</body>
</html>
`;
  return new Response(body, {
    status: 503,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'",
      "cache-control": "no-store",
      "retry-after": "30",
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
    },
  });
}

function _isAddressHost(hostname: string): boolean {
  return hostname === "localhost" || /^\d{1,3}(\.\d{1,3}){3}$/.test(hostname) ||
    hostname.startsWith("[");
}

function _sameOrigin(origin: string, url: URL): boolean {
  try {
    const o = new URL(origin);
    return (o.protocol === "http:" || o.protocol === "https:") && o.host === url.host;
  } catch {
    return false;
  }
}

function _upgrade(request: Request, hub: ViewerHub): Response {
  if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
    return _text(426, "expected a WebSocket upgrade", { upgrade: "websocket" });
  }
  const offered = (request.headers.get("sec-websocket-protocol") ?? "").split(",").map((p) =>
    p.trim()
  );
  // asciinema-player offers all of these and prefers ALiS; text consumers get asciicast.
  const choice = ([
    [ALIS_PROTOCOL, "alis"],
    ["v3.asciicast", "v3"],
    ["v2.asciicast", "v2"],
  ] as const).find(([name]) => offered.includes(name));
  if (choice === undefined) {
    // The player shows "not compatible" for 1002; a raw client gets a clear reason.
    const { socket, response } = upgradeWebSocket(request);
    socket.onopen = () => socket.close(1002, "Subprotocol negotiation failed");
    return response;
  }
  const [protocol, format] = choice;
  const { socket, response } = upgradeWebSocket(request, {
    protocol,
    idleTimeout: 30,
    maxMessageBytes: 64 * 1024,
  });
  socket.binaryType = "arraybuffer";
  let leave: (() => void) | undefined;
  socket.onopen = () => (leave = hub.join(socket, format));
  socket.onclose = () => leave?.();
  socket.onerror = () => leave?.();
  // Viewers are read-only: whatever they send is dropped unread.
  socket.onmessage = null;
  return response;
}

/** Makes a URL token: 128 random bits, base64url without padding (22 characters). */
export function makeToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(
    /=+$/,
    "",
  );
}

/** Options for {@linkcode startLocalServer}. */
export interface LocalServerOptions {
  /** The hub viewers join. */
  hub: ViewerHub;
  /** Address to bind. Default `127.0.0.1`. */
  hostname?: string;
  /** Port to bind. Default 0 (any free port). */
  port?: number;
  /** Page title. */
  title?: string;
  /** Whether routes need the URL token. Default: when `hostname` is not loopback. */
  requireToken?: boolean;
  /** The token when one is required; default a fresh {@linkcode makeToken}. */
  token?: string;
  /** Stops the server when aborted. */
  signal?: AbortSignal;
  /** Most connections at once (viewers and page loads). Default 1024. */
  maxConnections?: number;
  /** Serve HTTPS and WSS with this certificate. */
  tls?: TlsFiles;
}

/** A running local server. */
export interface LocalServer {
  /** The bound address. */
  addr: Deno.NetAddr;
  /** The URL token, when the address is not loopback. */
  token: string | undefined;
  /** URLs of the page a viewer can open (every non-internal IPv4 address for 0.0.0.0). */
  urls: string[];
  /** Stops accepting connections and closes the open ones. */
  shutdown(): Promise<void>;
  /** Resolves once the server has stopped. */
  finished: Promise<void>;
}

function _urlHost(hostname: string): string {
  return hostname.includes(":") ? `[${hostname}]` : hostname;
}

/**
 * The page URLs a viewer can open for a bound address: for `0.0.0.0` one per non-internal
 * IPv4 address of the machine, for `::` also one per global IPv6 address (127.0.0.1 if it
 * has none or `--allow-sys` is missing), else the address itself; with the token path when
 * there is one.
 *
 * @example
 * ```ts
 * import { viewerUrls } from "./local_server.ts";
 * viewerUrls("::1", 8080); // ["http://[::1]:8080/"]
 * viewerUrls("127.0.0.1", 8443, undefined, "https"); // ["https://127.0.0.1:8443/"]
 * ```
 */
export function viewerUrls(
  hostname: string,
  port: number,
  token?: string,
  scheme: "http" | "https" = "http",
): string[] {
  const path = token === undefined ? "/" : `/${token}/`;
  return reachableHosts(hostname).map((h) => `${scheme}://${_urlHost(h)}:${port}${path}`);
}

/**
 * Starts the local server (HTTP/1.1 and WebSocket) and returns once it listens.
 *
 * @example
 * ```ts
 * import { startLocalServer } from "./local_server.ts";
 * const server = await startLocalServer({ hub: { join: () => () => {} } });
 * console.log(server.urls[0]); // http://127.0.0.1:PORT/
 * await server.shutdown();
 * ```
 */
export async function startLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  const hostname = options.hostname ?? "127.0.0.1";
  const requireToken = options.requireToken ?? !isLoopback(hostname);
  const token = requireToken ? options.token ?? makeToken() : undefined;
  const handler = await createLocalHandler({ hub: options.hub, title: options.title, token });
  const scheme = options.tls ? "https" : "http";
  const controller = new AbortController();
  const stop = () => controller.abort();
  options.signal?.addEventListener("abort", stop, { once: true });
  const server = await serveHttp(handler, {
    hostname,
    port: options.port ?? 0,
    signal: controller.signal,
    maxConnections: options.maxConnections ?? 1024,
    tls: options.tls,
  });
  const addr = server.addr;
  const urls = viewerUrls(hostname, addr.port, token, scheme);
  const finished = server.finished.finally(() =>
    options.signal?.removeEventListener("abort", stop)
  );
  return {
    addr,
    token,
    urls,
    finished,
    shutdown: async () => {
      stop();
      await finished;
    },
  };
}
