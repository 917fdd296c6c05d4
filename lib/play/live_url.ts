/**
 * From a URL a viewer was given to the ALiS WebSocket of the live stream behind it: a
 * `ws://`/`wss://` URL as it is; an asciirec stream page (local or relayed), which names its
 * socket with `<link rel="alternate" type="application/x-asciinema-alis">`; an asciinema
 * server's stream page `/s/TOKEN`, whose viewers' socket is `/ws/s/TOKEN`. Anything else is
 * not a live stream (a recording is `play`'s).
 *
 * @module
 */
import { ALIS_LINK_TYPE } from "../alis/message.ts";

/** Where a URL leads. */
export type LiveTarget =
  | { live: true; wsUrl: string }
  | { live: false; reason: string };

/** Options for {@linkcode resolveLiveUrl}. */
export interface ResolveOptions {
  /** An HTTP client (custom CA certificates). */
  client?: Deno.HttpClient;
  /** Gives up after this long (ms). Default 10 000. */
  timeoutMs?: number;
}

/** Whether `url` names a live stream without asking its server (a WebSocket or an `/s/` page). */
export function looksLive(url: string): boolean {
  return /^wss?:\/\//i.test(url) || /^https?:\/\/[^/]+\/s\/[^/?#]+\/?(?:[?#].*)?$/i.test(url);
}

function _socketOf(page: URL, href: string): string {
  const ws = new URL(href, page);
  ws.protocol = ws.protocol === "https:" ? "wss:" : ws.protocol === "http:" ? "ws:" : ws.protocol;
  ws.hash = "";
  return ws.href;
}

/**
 * The live link of an HTML page, if it has one.
 *
 * @example
 * ```ts
 * import { liveLinkOf } from "./live_url.ts";
 * liveLinkOf('<link rel="alternate" type="application/x-asciinema-alis" href="ws">'); // "ws"
 * ```
 */
export function liveLinkOf(html: string): string | undefined {
  for (const tag of html.matchAll(/<link\b[^>]*>/gi)) {
    const attr = (name: string) =>
      new RegExp(`\\b${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, "i").exec(tag[0]);
    const value = (name: string) => {
      const m = attr(name);
      return m ? (m[1] ?? m[2] ?? m[3] ?? "") : undefined;
    };
    const rel = (value("rel") ?? "").toLowerCase().split(/\s+/);
    if (rel.includes("alternate") && value("type")?.toLowerCase() === ALIS_LINK_TYPE) {
      const href = value("href");
      if (href) return href.replace(/&amp;/g, "&");
    }
  }
  return undefined;
}

/**
 * Finds the live stream's WebSocket for a URL (fetching an http(s) page to read its link).
 *
 * @example
 * ```ts
 * import { resolveLiveUrl } from "./live_url.ts";
 * await resolveLiveUrl("ws://127.0.0.1:8080/ws"); // { live: true, wsUrl: "ws://127.0.0.1:8080/ws" }
 * ```
 */
export async function resolveLiveUrl(
  url: string,
  options: ResolveOptions = {},
): Promise<LiveTarget> {
  if (/^wss?:\/\//i.test(url)) return { live: true, wsUrl: url };
  if (!/^https?:\/\//i.test(url)) {
    return { live: false, reason: `${url} is not an http(s):// or ws(s):// URL` };
  }
  const response = await fetch(url, {
    client: options.client,
    signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    headers: { accept: "text/html" },
  } as RequestInit);
  const page = new URL(response.url || url);
  const type = response.headers.get("content-type") ?? "";
  if (response.ok && /^text\/html/i.test(type)) {
    const html = (await response.text()).slice(0, 1024 * 1024);
    const href = liveLinkOf(html);
    if (href !== undefined) return { live: true, wsUrl: _socketOf(page, href) };
  } else {
    await response.body?.cancel();
  }
  const m = /^\/s\/([^/]+)\/?$/.exec(page.pathname);
  if (m) return { live: true, wsUrl: _socketOf(page, `/ws/s/${m[1]}`) };
  if (!response.ok) {
    return { live: false, reason: `${url}: ${response.status} ${response.statusText}`.trim() };
  }
  return { live: false, reason: `${url} is not a live stream's page` };
}
