/**
 * Small HTTP helpers of the relay: JSON and error responses in the asciinema server's
 * shapes, Basic-auth install ids, WebSocket request checks, bounded body reads.
 *
 * @module
 */

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" };

/**
 * A JSON response.
 *
 * @example
 * ```ts
 * import { json } from "./http.ts";
 * json(200, { ok: true }).headers.get("content-type"); // "application/json; charset=utf-8"
 * ```
 */
export function json(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...headers } });
}

/**
 * An error response as asciinema-server sends it: `{type, message[, details]}`.
 *
 * @example
 * ```ts
 * import { apiError } from "./http.ts";
 * apiError(404, "not_found", "Stream not found").status; // 404
 * ```
 */
export function apiError(
  status: number,
  type: string,
  message: string,
  details?: unknown,
): Response {
  return json(status, details === undefined ? { type, message } : { type, message, details });
}

/** The sub-protocols a WebSocket request offers, in order. */
export function offeredProtocols(request: Request): string[] {
  return (request.headers.get("sec-websocket-protocol") ?? "")
    .split(",").map((p) => p.trim()).filter((p) => p !== "");
}

/** Whether the request asks for a WebSocket upgrade. */
export function isUpgrade(request: Request): boolean {
  return request.method === "GET" && request.headers.get("upgrade")?.toLowerCase() === "websocket";
}

/**
 * The password of a Basic `Authorization` header (where asciinema clients put the install
 * id); undefined without a well-formed one.
 *
 * @example
 * ```ts
 * import { basicPassword } from "./http.ts";
 * const request = new Request("http://x/", { headers: { authorization: `Basic ${btoa("u:id")}` } });
 * basicPassword(request); // "id"
 * ```
 */
export function basicPassword(request: Request): string | undefined {
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

/** Reads a request body up to `limit` bytes; `undefined` when it is longer. */
export async function readLimited(
  request: Request,
  limit: number,
): Promise<Uint8Array<ArrayBuffer> | undefined> {
  if (!request.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = request.body.getReader();
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > limit) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/**
 * The UTF-8 length of a text message (what a producer's bytes are counted in), without
 * encoding it.
 *
 * @example
 * ```ts
 * import { utf8Length } from "./http.ts";
 * utf8Length("é🎉"); // 6
 * ```
 */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) bytes += c >= 0x800 && (c < 0xd800 || c > 0xdfff) ? 2 : 1;
  }
  return bytes;
}
