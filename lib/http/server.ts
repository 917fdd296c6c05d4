/**
 * The HTTP/1.1 server of asciirec's local streaming and relay: `(Request) => Response`
 * handlers, as with `Deno.serve`, plus what `Deno.serve` does not offer and a server that
 * must never take the recording down with it needs: a cap on connections, a time limit for
 * a request's head and for idle connections, bounded heads, a clear 400 for a bad request
 * (an invalid `Host` included) with nothing printed, accept errors (out of file descriptors)
 * survived, optional TLS, and WebSockets (`websocket.ts`).
 *
 * @module
 */
import {
  headEnd,
  HttpError,
  parseRequestHead,
  type RequestHead,
  requestUrl,
  singleField,
} from "./request_head.ts";
import { connTransport, upgradeOf } from "./websocket.ts";
import { writeAll } from "../base/write_all.ts";
import { openFileLimit } from "../base/fd_limit.ts";

/** A certificate and key for HTTPS, PEM-encoded. */
export interface TlsFiles {
  /** The certificate chain. */
  cert: string;
  /** The private key. */
  key: string;
}

/** Options for {@linkcode serveHttp}. */
export interface HttpServerOptions {
  /** Address to bind. Default `127.0.0.1`. */
  hostname?: string;
  /** Port; 0 for any free one. Default 0. */
  port?: number;
  /** Serve HTTPS (and WSS) with this certificate. */
  tls?: TlsFiles;
  /**
   * Most connections open at once; more are closed as they come. Default 512. Never more
   * than the open file limit leaves room for (see {@linkcode HttpServer.maxConnections}).
   */
  maxConnections?: number;
  /** A request's head must arrive within this (ms), from the first byte or the connect. Default 10 000. */
  headerTimeoutMs?: number;
  /** A connection with no request in flight is closed after this (ms). Default 30 000. */
  idleTimeoutMs?: number;
  /** The longest request head accepted, in bytes (431 beyond). Default 16 KiB. */
  maxHeaderBytes?: number;
  /** Stops the server when aborted. */
  signal?: AbortSignal;
  /** Told about handler errors and failures to accept (never printed by the server). */
  onError?: (error: unknown) => void;
}

/** A running server. */
export interface HttpServer {
  /** The bound address. */
  readonly addr: Deno.NetAddr;
  /** Connections open now (WebSockets included). */
  readonly connections: number;
  /**
   * Most connections it keeps open: `maxConnections`, lowered so that {@linkcode FD_RESERVE}
   * descriptors stay free under the process's open file limit (`ulimit -n`). A process out
   * of descriptors fails everywhere at once; one at its connection cap only turns new
   * connections away.
   */
  readonly maxConnections: number;
  /** Resolves once the server has stopped and every connection is closed. */
  readonly finished: Promise<void>;
  /** Stops accepting and closes every connection. */
  shutdown(): Promise<void>;
}

/** The handler's view of who is asking. */
export interface RequestInfo {
  /** The client's address. */
  remoteAddr: Deno.NetAddr;
}

const READ_SIZE = 64 * 1024;
/** Descriptors a server leaves free for the rest of the process (files, the PTY, workers). */
export const FD_RESERVE = 64;
const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  408: "Request Timeout",
  413: "Content Too Large",
  414: "URI Too Long",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  501: "Not Implemented",
  503: "Service Unavailable",
  505: "HTTP Version Not Supported",
};
const encoder = new TextEncoder();

class _Timeout extends Error {}

/** One accepted connection: buffered reads with deadlines, writes. */
class _Conn {
  buf: Uint8Array = new Uint8Array(0);
  closed = false;
  constructor(readonly conn: Deno.Conn, readonly onClosed: () => void) {}

  /** Reads more bytes into `buf`; false at the end. Rejects with _Timeout after `ms`. */
  async fill(ms: number): Promise<boolean> {
    const chunk = new Uint8Array(READ_SIZE);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new _Timeout()), ms);
    });
    try {
      const n = await Promise.race([this.conn.read(chunk), deadline]);
      if (n === null) return false;
      if (this.buf.length === 0) {
        // Nothing left over (the usual case in a long body): no copy.
        this.buf = chunk.subarray(0, n);
        return true;
      }
      const next = new Uint8Array(this.buf.length + n);
      next.set(this.buf);
      next.set(chunk.subarray(0, n), this.buf.length);
      this.buf = next;
      return true;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Takes `n` bytes (or what is there) from the buffer. */
  take(n: number): Uint8Array {
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(out.length);
    return out;
  }

  write(bytes: Uint8Array): Promise<void> {
    return writeAll(this.conn, bytes);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.conn.close();
    } catch {
      // Already closed.
    }
    this.onClosed();
  }
}

/**
 * Starts a server and returns once it listens.
 *
 * @example
 * ```ts
 * import { serveHttp } from "./server.ts";
 * const server = await serveHttp(() => new Response("hello"), { port: 0 });
 * const text = await (await fetch(`http://127.0.0.1:${server.addr.port}/`)).text(); // "hello"
 * await server.shutdown();
 * ```
 */
export function serveHttp(
  handler: (request: Request, info: RequestInfo) => Response | Promise<Response>,
  options: HttpServerOptions = {},
): Promise<HttpServer> {
  const hostname = options.hostname ?? "127.0.0.1";
  const fdLimit = openFileLimit();
  const maxConnections = Math.min(
    options.maxConnections ?? 512,
    fdLimit === undefined ? Infinity : Math.max(8, fdLimit - FD_RESERVE),
  );
  const headerTimeoutMs = options.headerTimeoutMs ?? 10_000;
  const idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
  const maxHeaderBytes = options.maxHeaderBytes ?? 16 * 1024;
  const onError = options.onError ?? (() => {});
  const scheme = options.tls ? "https" : "http";
  const listener: Deno.Listener = options.tls
    ? Deno.listenTls({ hostname, port: options.port ?? 0, ...options.tls })
    : Deno.listen({ hostname, port: options.port ?? 0 });
  const open = new Set<_Conn>();
  let stopping = false;

  const serveConnection = async (c: _Conn): Promise<"upgraded" | undefined> => {
    const remoteAddr = c.conn.remoteAddr as Deno.NetAddr;
    let first = true;
    try {
      for (;;) {
        // Wait for a request: the whole head within the header timeout, counted from the
        // connect for the first request, else from its first byte after an idle wait.
        let end = headEnd(c.buf);
        if (end === -1) {
          if (!first && c.buf.length === 0) {
            try {
              if (!await c.fill(idleTimeoutMs)) return undefined;
            } catch (error) {
              if (error instanceof _Timeout) return undefined;
              throw error;
            }
          }
          const deadline = performance.now() + headerTimeoutMs;
          while ((end = headEnd(c.buf)) === -1) {
            if (c.buf.length > maxHeaderBytes) throw new HttpError(431, "request head too large");
            const left = deadline - performance.now();
            if (left <= 0) throw new HttpError(408, "request head timed out");
            try {
              if (!await c.fill(left)) return undefined;
            } catch (error) {
              if (error instanceof _Timeout) throw new HttpError(408, "request head timed out");
              throw error;
            }
          }
        }
        if (end > maxHeaderBytes) throw new HttpError(431, "request head too large");
        first = false;
        const head = parseRequestHead(c.take(end));
        const url = requestUrl(head, scheme);
        const { body, complete } = requestBody(c, head, idleTimeoutMs);
        let request: Request;
        try {
          request = new Request(url, {
            method: head.method,
            headers: head.headers,
            body,
            // @ts-ignore: Deno needs duplex for a streamed body.
            duplex: "half",
          });
        } catch {
          throw new HttpError(400, "malformed request");
        }
        let response: Response;
        try {
          response = await handler(request, { remoteAddr });
        } catch (error) {
          onError(error);
          response = new Response("500", { status: 500 });
        }
        const upgrade = upgradeOf(response);
        if (upgrade) {
          const accept = await upgrade.accept;
          const protocol = upgrade.socket.protocol;
          await c.write(encoder.encode(
            "HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\n" +
              `sec-websocket-accept: ${accept}\r\n` +
              (protocol ? `sec-websocket-protocol: ${protocol}\r\n` : "") + "\r\n",
          ));
          const leftover = c.take(c.buf.length);
          upgrade.socket.start(connTransport(c.conn, () => c.close()), leftover);
          return "upgraded";
        }
        const keepAlive = head.version === "HTTP/1.1" &&
          !/(^|,)\s*close\s*(,|$)/i.test(singleField(head, "connection") ?? "") && !stopping;
        const bodyDone = await writeResponse(c, head, response, keepAlive, complete);
        if (!keepAlive || !bodyDone) return undefined;
      }
    } catch (error) {
      if (error instanceof HttpError && !c.closed) {
        const text = STATUS_TEXT[error.status] ?? "Error";
        await c.write(encoder.encode(
          `HTTP/1.1 ${error.status} ${text}\r\ncontent-type: text/plain; charset=utf-8\r\n` +
            `content-length: ${error.message.length + 1}\r\nconnection: close\r\n\r\n` +
            `${error.message}\n`,
        )).catch(() => {});
      }
      // Other errors: the connection went away. Nothing to print.
    }
    return undefined;
  };

  const handle = (conn: Deno.Conn) => {
    const c = new _Conn(conn, () => open.delete(c));
    open.add(c);
    // An upgraded connection stays open (and counted) until its socket closes it.
    serveConnection(c).then((result) => {
      if (result !== "upgraded") c.close();
    }, () => c.close());
  };

  const accepting = (async () => {
    let warned = false;
    for (;;) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch (error) {
        if (stopping || error instanceof Deno.errors.BadResource) return;
        // Out of file descriptors, or a client that reset before accept: wait, go on.
        if (!warned) {
          warned = true;
          onError(error);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      warned = false;
      if (open.size >= maxConnections) {
        try {
          conn.close();
        } catch {
          // Gone already.
        }
        continue;
      }
      // Small writes (a keystroke's echo to a viewer) go at once, not after the peer's
      // delayed ACK (Nagle). Deno's TLS connections have no such switch.
      try {
        if ("setNoDelay" in conn) (conn as Deno.TcpConn).setNoDelay(true);
      } catch {
        // A connection already gone: it ends at its first read.
      }
      handle(conn);
    }
  })();

  let finishedResolve!: () => void;
  const finished = new Promise<void>((resolve) => (finishedResolve = resolve));
  const shutdown = async () => {
    if (stopping) return finished;
    stopping = true;
    try {
      listener.close();
    } catch {
      // Closed already.
    }
    await accepting;
    for (const c of open) c.close();
    open.clear();
    finishedResolve();
    return finished;
  };
  options.signal?.addEventListener("abort", () => void shutdown(), { once: true });
  return Promise.resolve({
    addr: listener.addr as Deno.NetAddr,
    get connections() {
      return open.size;
    },
    maxConnections,
    finished,
    shutdown,
  });
}

/** The request's body as a stream (null without one), and whether it has been read whole. */
function requestBody(
  c: _Conn,
  head: RequestHead,
  idleTimeoutMs: number,
): { body: ReadableStream<Uint8Array> | null; complete: () => boolean } {
  const chunked = head.headers.some(([n, v]) =>
    n === "transfer-encoding" && v.toLowerCase().split(/\s*,\s*/).includes("chunked")
  );
  const lengthField = singleField(head, "content-length");
  if (chunked && lengthField !== undefined) {
    throw new HttpError(400, "both content-length and transfer-encoding");
  }
  if (!chunked && head.headers.some(([n]) => n === "transfer-encoding")) {
    throw new HttpError(501, "unsupported transfer-encoding");
  }
  let left = 0;
  if (lengthField !== undefined) {
    if (!/^\d{1,15}$/.test(lengthField)) throw new HttpError(400, "malformed content-length");
    left = Number(lengthField);
  }
  if (!chunked && left === 0) return { body: null, complete: () => true };
  let done = false;
  const more = async () => {
    try {
      if (!await c.fill(idleTimeoutMs)) throw new HttpError(400, "body cut off");
    } catch (error) {
      if (error instanceof _Timeout) throw new HttpError(408, "body timed out");
      throw error;
    }
  };
  let chunkLeft = 0;
  /** One step of a chunked body; true once it enqueued data or closed the stream. */
  const pullChunked = async (
    controller: ReadableStreamDefaultController<Uint8Array>,
  ): Promise<boolean> => {
    // Chunked: size line, data, CRLF; a zero size and the trailer end it.
    if (chunkLeft === 0) {
      let nl: number;
      while ((nl = c.buf.indexOf(10)) === -1) {
        if (c.buf.length > 4096) throw new HttpError(400, "malformed chunk size");
        await more();
      }
      const line = new TextDecoder().decode(c.take(nl + 1)).trim().split(";")[0]!;
      if (!/^[0-9a-fA-F]{1,12}$/.test(line)) throw new HttpError(400, "malformed chunk size");
      chunkLeft = parseInt(line, 16);
      if (chunkLeft === 0) {
        // Trailer fields (ignored), then the blank line.
        for (let fields = 0;; fields++) {
          let end: number;
          while ((end = c.buf.indexOf(10)) === -1) {
            if (c.buf.length > 4096) throw new HttpError(400, "malformed trailer");
            await more();
          }
          const field = c.take(end + 1);
          if (field.length <= 2 && (field.length === 1 || field[0] === 13)) break;
          if (fields > 100) throw new HttpError(400, "too many trailer fields");
        }
        done = true;
        controller.close();
        return true;
      }
      chunkLeft += 2; // the CRLF after the data
    }
    if (c.buf.length === 0) await more();
    const bytes = c.take(Math.min(chunkLeft, c.buf.length));
    const data = bytes.subarray(0, Math.max(0, Math.min(bytes.length, chunkLeft - 2)));
    chunkLeft -= bytes.length;
    if (data.length === 0) return false;
    controller.enqueue(data.slice());
    return true;
  };
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!chunked) {
        if (c.buf.length === 0) await more();
        const bytes = c.take(Math.min(left, c.buf.length));
        left -= bytes.length;
        controller.enqueue(bytes.slice());
        if (left === 0) {
          done = true;
          controller.close();
        }
        return;
      }
      // A pull must enqueue or close: one that returns with neither is never repeated, and
      // the reader waits for ever. Reads that bring only a chunk's CRLF or size line go on.
      while (!(await pullChunked(controller)));
    },
  }, { highWaterMark: 0 });
  return { body, complete: () => done };
}

/**
 * Writes a response; resolves with whether the connection may serve another request (the
 * body was sent whole and the request body read whole).
 */
async function writeResponse(
  c: _Conn,
  head: RequestHead,
  response: Response,
  keepAlive: boolean,
  requestComplete: () => boolean,
): Promise<boolean> {
  const headOnly = head.method === "HEAD" || response.status === 204 ||
    response.status === 304;
  const lines = [`HTTP/1.1 ${response.status} ${response.statusText || "OK"}`];
  let length: string | null = null;
  for (const [name, value] of response.headers) {
    if (name === "connection" || name === "transfer-encoding" || name === "keep-alive") continue;
    if (name === "content-length") length = value;
    lines.push(`${name}: ${value}`);
  }
  const body = headOnly ? null : response.body;
  await (headOnly ? response.body?.cancel() : undefined);
  // A body of unknown length that ends at once (a string, a small file) is sent with a
  // length; one that keeps coming (a stream) is sent chunked, as it comes.
  const reader = body?.getReader();
  const first: Uint8Array[] = [];
  let ended = body === null;
  let pending: Promise<ReadableStreamReadResult<Uint8Array>> | undefined;
  if (reader && length === null) {
    let size = 0;
    while (size < 256 * 1024) {
      const next = reader.read();
      const result = first.length === 0 ? await next.catch(() => undefined) : await Promise.race([
        next.catch(() => undefined),
        new Promise<"slow">((resolve) => setTimeout(() => resolve("slow"), 5)),
      ]);
      if (result === "slow") {
        pending = next;
        break;
      }
      if (result === undefined || result.done) {
        ended = true;
        break;
      }
      first.push(result.value);
      size += result.value.length;
    }
    if (ended) {
      length = String(size);
      lines.push(`content-length: ${length}`);
    }
  }
  const chunked = !headOnly && !ended && length === null;
  if (body === null && length === null && !headOnly) lines.push("content-length: 0");
  if (chunked) lines.push("transfer-encoding: chunked");
  const reuse = keepAlive && requestComplete();
  if (!reuse) lines.push("connection: close");
  await c.write(encoder.encode(lines.join("\r\n") + "\r\n\r\n"));
  const send = async (value: Uint8Array) => {
    if (value.length === 0) return;
    if (chunked) {
      await c.write(encoder.encode(`${value.length.toString(16)}\r\n`));
      await c.write(value);
      await c.write(encoder.encode("\r\n"));
    } else {
      await c.write(value);
    }
  };
  try {
    for (const value of first) await send(value);
    if (reader && !ended) {
      for (;;) {
        const { done, value } = await (pending ?? reader.read());
        pending = undefined;
        if (done) break;
        await send(value);
      }
    }
    if (chunked) await c.write(encoder.encode("0\r\n\r\n"));
  } catch {
    await reader?.cancel().catch(() => {});
    return false;
  }
  return reuse && requestComplete();
}
