/**
 * Client WebSockets that send each message at once. Deno's own `WebSocket` turns Nagle's
 * algorithm on for its connection, so a message waits while the one before is not yet
 * acknowledged, and a busy server acknowledges late: a producer's events then reach the
 * relay in bursts, later and later. asciinema's CLI connects its forwarder with Nagle off;
 * so does this client (`TCP_NODELAY`, over TCP or TLS), which is otherwise the socket of
 * `websocket.ts` in the client's role: the same shape as the web `WebSocket`; it answers the
 * server's pings, and can ping a silent server.
 *
 * @module
 */
import { writeAll } from "../base/write_all.ts";
import { headEnd, parseFields } from "./request_head.ts";
import { acceptKey, connTransport, WebSocketConnection } from "./websocket.ts";

/** Options for {@linkcode connectWebSocket}. */
export interface ConnectOptions {
  /** Sub-protocols offered, in order of preference. */
  protocols?: string[];
  /** Extra request headers (a `User-Agent`, say). */
  headers?: Record<string, string>;
  /**
   * Certificates (PEM) trusted for `wss://` besides the system's and Deno's own (`--cert`,
   * `DENO_CERT`).
   */
  caCerts?: string[];
  /**
   * Seconds without anything from the server after which a ping is sent; a server that stays
   * silent as long again is deemed gone (close 1006). Default 0: never.
   */
  idleTimeout?: number;
}

/** The server's answer head may be at most this long. */
const MAX_HEAD = 16 * 1024;
const READ_SIZE = 64 * 1024;
const encoder = new TextEncoder();
const latin1 = new TextDecoder("latin1");

/**
 * Opens a WebSocket to a `ws://` or `wss://` URL. The socket is returned at once, connecting;
 * like the web `WebSocket`, it fires `open` once the server has accepted it, or `error`
 * then `close` (1006) if the connection or the handshake fails. Its `protocol` is the one
 * the server chose ("" for none).
 *
 * @throws {SyntaxError} for a URL that is not `ws://` or `wss://`.
 * @example
 * ```ts
 * import { connectWebSocket } from "./websocket_client.ts";
 * const socket = connectWebSocket("ws://127.0.0.1:8080/echo", { protocols: ["v1.alis"] });
 * socket.onopen = () => socket.send("hello");
 * socket.onmessage = (e) => console.log(e.data);
 * ```
 */
export function connectWebSocket(url: string, options: ConnectOptions = {}): WebSocketConnection {
  const target = new URL(url);
  if (target.protocol !== "ws:" && target.protocol !== "wss:") {
    throw new SyntaxError(`${url}: not a ws:// or wss:// URL`);
  }
  const socket = new WebSocketConnection({ idleTimeout: options.idleTimeout }, true);
  void handshake(target, options, socket).catch((error) => {
    socket.connectFailed(error instanceof Error ? error.message : String(error));
  });
  return socket;
}

async function handshake(target: URL, options: ConnectOptions, socket: WebSocketConnection) {
  const secure = target.protocol === "wss:";
  const hostname = target.hostname.replace(/^\[(.*)\]$/, "$1");
  const port = Number(target.port || (secure ? 443 : 80));
  const tcp = await Deno.connect({ hostname, port });
  let conn: Deno.Conn = tcp;
  try {
    tcp.setNoDelay(true);
    if (secure) conn = await Deno.startTls(tcp, { hostname, caCerts: options.caCerts });
    const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
    const protocols = options.protocols ?? [];
    const lines = [
      `GET ${target.pathname}${target.search} HTTP/1.1`,
      `Host: ${target.host}`,
      "Upgrade: websocket",
      "Connection: Upgrade",
      `Sec-WebSocket-Key: ${key}`,
      "Sec-WebSocket-Version: 13",
      ...(protocols.length > 0 ? [`Sec-WebSocket-Protocol: ${protocols.join(", ")}`] : []),
      ...Object.entries(options.headers ?? {}).map(([name, value]) => `${name}: ${value}`),
    ];
    await writeAll(conn, encoder.encode(lines.join("\r\n") + "\r\n\r\n"));
    const { head, leftover } = await readHead(conn);
    const protocol = await checkAnswer(head, key, protocols);
    socket.start(connTransport(conn, () => closeQuietly(conn)), leftover, protocol);
  } catch (error) {
    closeQuietly(conn);
    throw error;
  }
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}

/** Reads the answer's head (up to its blank line) and what came after it. */
async function readHead(conn: Deno.Conn): Promise<{ head: Uint8Array; leftover: Uint8Array }> {
  let buf = new Uint8Array(0);
  for (;;) {
    const chunk = new Uint8Array(READ_SIZE);
    const n = await conn.read(chunk);
    if (n === null) throw new Error("the server closed the connection before answering");
    const next = new Uint8Array(buf.length + n);
    next.set(buf);
    next.set(chunk.subarray(0, n), buf.length);
    // The blank line may have begun in the previous read.
    const end = headEnd(next, Math.max(0, buf.length - 3));
    buf = next;
    if (end !== -1) return { head: buf.subarray(0, end), leftover: buf.slice(end) };
    if (buf.length > MAX_HEAD) throw new Error("the server's answer head is too long");
  }
}

/** Checks the server's answer to the upgrade; the protocol it chose. */
async function checkAnswer(head: Uint8Array, key: string, offered: string[]): Promise<string> {
  // latin1, as a request head: every byte one character, nothing throws.
  const lines = latin1.decode(head).split(/\r?\n/).filter((line) => line !== "");
  const status = lines.shift() ?? "";
  const code = /^HTTP\/1\.[01] (\d{3})/.exec(status)?.[1];
  if (code !== "101") throw new Error(`the server answered ${status || "nothing"}`);
  const fields = new Map(parseFields(lines));
  if (fields.get("upgrade")?.toLowerCase() !== "websocket") {
    throw new Error("the server did not upgrade to a WebSocket");
  }
  if (fields.get("sec-websocket-accept") !== await acceptKey(key)) {
    throw new Error("the server's Sec-WebSocket-Accept does not match the key");
  }
  const protocol = fields.get("sec-websocket-protocol") ?? "";
  if (protocol !== "" && !offered.includes(protocol)) {
    throw new Error(`the server chose a protocol not offered: ${protocol}`);
  }
  return protocol;
}
