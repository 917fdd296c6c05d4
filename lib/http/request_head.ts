/**
 * Parsing an HTTP/1.1 request head (request line and header fields) strictly and within
 * bounds, as the servers receive it from the network; the same field rules serve the
 * WebSocket client for the head of the server's answer.
 *
 * @module
 */

/** A parsed request head. */
export interface RequestHead {
  /** `GET`, `POST`… (upper case as sent; methods are case-sensitive). */
  method: string;
  /** The request target as sent (`/path?query`, or an absolute URL). */
  target: string;
  /** `HTTP/1.1` or `HTTP/1.0`. */
  version: "HTTP/1.1" | "HTTP/1.0";
  /** Header fields in order, names lower-cased. */
  headers: [string, string][];
}

/** A request the server refuses, with the status to answer. */
export class HttpError extends Error {
  /** The HTTP status to send (400, 408, 413, 414, 431, 501, 505). */
  readonly status: number;
  /** A request error with its status. */
  constructor(status: number, message: string) {
    super(message);
    this.name = "HttpError";
    this.status = status;
  }
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const TARGET = /^[\x21-\x7e]+$/;
// Field values: visible ASCII, spaces, tabs and obs-text; no control characters.
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * The offset just past the blank line that ends a head in `bytes[from…]`, or -1.
 * Bare LF line ends are accepted too, as most servers do.
 */
export function headEnd(bytes: Uint8Array, from = 0): number {
  for (let i = bytes.indexOf(10, from); i !== -1; i = bytes.indexOf(10, i + 1)) {
    if (bytes[i + 1] === 10) return i + 2;
    if (bytes[i + 1] === 13 && bytes[i + 2] === 10) return i + 3;
  }
  return -1;
}

/**
 * Parses a request head (the bytes up to and including its blank line).
 *
 * @throws {HttpError} for anything malformed (400), an unsupported version (505), too many
 * fields (431).
 * @example
 * ```ts
 * import { parseRequestHead } from "./request_head.ts";
 * const head = parseRequestHead(new TextEncoder().encode("GET /x HTTP/1.1\r\nHost: a\r\n\r\n"));
 * // head.method === "GET", head.headers === [["host", "a"]]
 * ```
 */
export function parseRequestHead(bytes: Uint8Array, maxFields = 100): RequestHead {
  // latin1: every byte maps to one character, so obs-text survives and nothing throws.
  const text = new TextDecoder("latin1").decode(bytes);
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines.at(-1) === "") lines.pop();
  const requestLine = lines.shift() ?? "";
  const parts = requestLine.split(" ");
  if (parts.length !== 3) throw new HttpError(400, "malformed request line");
  const [method, target, version] = parts as [string, string, string];
  if (!TOKEN.test(method)) throw new HttpError(400, "malformed method");
  if (!TARGET.test(target)) throw new HttpError(400, "malformed request target");
  if (version !== "HTTP/1.1" && version !== "HTTP/1.0") {
    throw new HttpError(/^HTTP\/\d\.\d$/.test(version) ? 505 : 400, "unsupported HTTP version");
  }
  if (lines.length > maxFields) throw new HttpError(431, "too many header fields");
  return { method, target, version, headers: parseFields(lines) };
}

/**
 * Header field lines (`Name: value`) as `[name, value]` pairs, names lower-cased and values
 * trimmed, in order.
 *
 * @throws {HttpError} 400 for a malformed line, name or value.
 */
export function parseFields(lines: string[]): [string, string][] {
  const fields: [string, string][] = [];
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon <= 0) throw new HttpError(400, "malformed header field");
    const name = line.slice(0, colon);
    if (!TOKEN.test(name)) throw new HttpError(400, "malformed header field name");
    const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, "");
    if (!FIELD_VALUE.test(value)) throw new HttpError(400, "malformed header field value");
    fields.push([name.toLowerCase(), value]);
  }
  return fields;
}

/**
 * The one value of a header field that must not repeat (`host`, `content-length`), or
 * undefined when absent.
 *
 * @throws {HttpError} 400 when the field is there more than once with different values.
 */
export function singleField(head: RequestHead, name: string): string | undefined {
  let value: string | undefined;
  for (const [n, v] of head.headers) {
    if (n !== name) continue;
    if (value !== undefined && value !== v) throw new HttpError(400, `conflicting ${name} fields`);
    value = v;
  }
  return value;
}

/**
 * The request's URL from its target and `Host` field (`scheme` `http` or `https`).
 *
 * @throws {HttpError} 400 for a missing or invalid host (an invalid IDNA name included), or
 * a target that makes no URL.
 * @example
 * ```ts
 * import { parseRequestHead, requestUrl } from "./request_head.ts";
 * const head = parseRequestHead(new TextEncoder().encode("GET /a?b HTTP/1.1\r\nHost: h:8\r\n\r\n"));
 * requestUrl(head, "http").href; // "http://h:8/a?b"
 * ```
 */
export function requestUrl(head: RequestHead, scheme: "http" | "https"): URL {
  const host = singleField(head, "host");
  if (host === undefined || host === "") {
    if (head.version === "HTTP/1.1") throw new HttpError(400, "missing Host");
  }
  if (host !== undefined && /[\s/?#@\\]/.test(host)) throw new HttpError(400, "invalid Host");
  let url: URL;
  try {
    url = head.target.startsWith("/")
      ? new URL(`${scheme}://${host || "localhost"}${head.target}`)
      : new URL(head.target);
  } catch {
    throw new HttpError(400, "invalid Host or request target");
  }
  if (url.protocol !== `${scheme}:`) throw new HttpError(400, "invalid request target");
  return url;
}
