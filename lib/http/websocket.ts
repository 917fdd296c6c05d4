/**
 * WebSockets (RFC 6455) over a byte connection: the server's opening handshake for a
 * connection of {@linkcode serveHttp} ({@linkcode upgradeWebSocket}), frames (masking,
 * fragmentation, control frames, UTF-8 checks), the closing handshake, a bound on message
 * size, pings for idle connections, and a write queue whose size is the socket's
 * `bufferedAmount`. The socket has the shape of the web `WebSocket` that the servers' code
 * uses (`readyState`, `bufferedAmount`, `protocol`, `send`, `close`, `onopen`, `onmessage`,
 * `onclose`, `onerror`). The same socket is the client's, in the client role (it masks what
 * it sends), once `websocket_client.ts` has made the connection.
 *
 * @module
 */

/** Options for {@linkcode upgradeWebSocket}. */
export interface UpgradeOptions {
  /** The sub-protocol chosen (must be one the client offered). */
  protocol?: string;
  /**
   * Seconds without anything received after which a ping is sent; a connection that stays
   * silent as long again is closed. Default 0: never.
   */
  idleTimeout?: number;
  /**
   * A message larger than this closes the connection, as soon as its frame header says so
   * (before it is received). Default 64 MiB.
   */
  maxMessageBytes?: number;
  /** The close code and reason for a message over the bound. Default 1009 "message too big". */
  tooBig?: { code: number; reason: string };
}

/** What the HTTP server hands a socket once the handshake response is out. */
export interface SocketTransport {
  /** Reads the next bytes, `null` at the end. */
  read(): Promise<Uint8Array | null>;
  /** Writes all of `bytes`. */
  write(bytes: Uint8Array): Promise<void>;
  /** Closes the connection. */
  close(): void;
}

/** Bytes asked of the connection per read. */
const READ_SIZE = 64 * 1024;

/**
 * The transport of a socket over a connection (the server's or the client's): reads of up
 * to 64 KiB, whole writes; `close` is the owner's (it may keep count of its connections).
 */
export function connTransport(conn: Deno.Conn, close: () => void): SocketTransport {
  return {
    read: async () => {
      const chunk = new Uint8Array(READ_SIZE);
      const n = await conn.read(chunk);
      return n === null ? null : chunk.subarray(0, n);
    },
    write: (bytes) => writeAll(conn, bytes),
    close,
  };
}

import { writeAll } from "../base/write_all.ts";

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;
const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
/** Frames queued for writing are joined into writes of at most this size. */
const WRITE_CHUNK = 256 * 1024;
const CLOSE_TIMEOUT_MS = 5000;
const encoder = new TextEncoder();
const strictDecoder = new TextDecoder("utf-8", { fatal: true });

/** Server frames of one message, shared by every socket that sends the same message object. */
const _frames = new WeakMap<object, Uint8Array>();

/**
 * Builds a frame: a server's (unmasked), or with `mask` (4 bytes) a client's, its payload
 * masked with it.
 */
export function encodeFrame(
  opcode: number,
  payload: Uint8Array,
  fin = true,
  mask?: Uint8Array,
): Uint8Array {
  const n = payload.length;
  const lengthBytes = n < 126 ? 2 : n < 65536 ? 4 : 10;
  const headerLength = lengthBytes + (mask ? 4 : 0);
  // A masked payload starts 4-aligned in its buffer, so it is masked a word at a time.
  const pad = mask ? -headerLength & 3 : 0;
  const frame = new Uint8Array(new ArrayBuffer(pad + headerLength + n), pad, headerLength + n);
  frame[0] = (fin ? 0x80 : 0) | opcode;
  if (n < 126) frame[1] = n;
  else if (n < 65536) {
    frame[1] = 126;
    frame[2] = n >>> 8;
    frame[3] = n & 0xff;
  } else {
    frame[1] = 127;
    new DataView(frame.buffer, frame.byteOffset).setBigUint64(2, BigInt(n));
  }
  frame.set(payload, headerLength);
  if (mask) {
    frame[1]! |= 0x80;
    frame.set(mask, lengthBytes);
    _xorMask(frame.subarray(headerLength), mask);
  }
  return frame;
}

/** The mask as one native word: its 4 bytes viewed as a Uint32 (no allocation per frame). */
const _maskBytes = new Uint8Array(4);
const _maskWord = new Uint32Array(_maskBytes.buffer);

/** XORs `bytes` (4-aligned in their buffer) with the 4-byte `mask`, a word at a time. */
function _xorMask(bytes: Uint8Array, mask: Uint8Array): void {
  _maskBytes.set(mask);
  const key = _maskWord[0]!;
  const words = bytes.length >>> 2;
  const view = new Uint32Array(bytes.buffer, bytes.byteOffset, words);
  for (let i = 0; i < words; i++) view[i]! ^= key;
  for (let i = words << 2; i < bytes.length; i++) bytes[i]! ^= mask[i & 3]!;
}

/** Random bytes for client masks, drawn 4 at a time (one call to the CSPRNG per 1 024 frames). */
const _maskPool = new Uint8Array(4096);
let _maskAt = _maskPool.length;

function _nextMask(): Uint8Array {
  if (_maskAt === _maskPool.length) {
    crypto.getRandomValues(_maskPool);
    _maskAt = 0;
  }
  _maskAt += 4;
  return _maskPool.subarray(_maskAt - 4, _maskAt);
}

/** A WebSocket over a connection, in the server's role or (`client`) the client's. */
export class WebSocketConnection {
  /** Handlers, as on the web `WebSocket`. */
  onopen: ((event: Event) => void) | null = null;
  /** Called with each message: `data` a string or an ArrayBuffer. */
  onmessage: ((event: MessageEvent) => void) | null = null;
  /** Called once when the connection has closed. */
  onclose: ((event: CloseEvent) => void) | null = null;
  /** Called when the connection fails. */
  onerror: ((event: Event) => void) | null = null;
  /** Binary messages are delivered as ArrayBuffers (the only type supported). */
  binaryType: "arraybuffer" | "blob" = "arraybuffer";

  #protocol: string;
  readonly #client: boolean;
  readonly #idleMs: number;
  readonly #maxMessage: number;
  readonly #tooBig: { code: number; reason: string };
  #state = CONNECTING;
  #transport: SocketTransport | undefined;
  #queue: Uint8Array[] = [];
  #buffered = 0;
  #writing = false;
  #closeSent = false;
  #closeReceived: { code: number; reason: string } | undefined;
  #closeTimer: ReturnType<typeof setTimeout> | undefined;
  #idleTimer: ReturnType<typeof setInterval> | undefined;
  #lastReceived = 0;
  #pinged = false;
  #fired = false;

  /**
   * Made by {@linkcode upgradeWebSocket} (opens once the server has sent the handshake), or
   * with `client` by `connectWebSocket` (opens once the server has accepted it).
   */
  constructor(options: UpgradeOptions = {}, client = false) {
    this.#protocol = options.protocol ?? "";
    this.#client = client;
    this.#idleMs = (options.idleTimeout ?? 0) * 1000;
    this.#maxMessage = options.maxMessageBytes ?? 64 * 1024 * 1024;
    this.#tooBig = options.tooBig ?? { code: 1009, reason: "message too big" };
  }

  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  get readyState(): number {
    return this.#state;
  }

  /** Bytes handed to `send` (as frames) and not yet written to the connection. */
  get bufferedAmount(): number {
    return this.#buffered;
  }

  /** The sub-protocol chosen in the handshake ("" for none). */
  get protocol(): string {
    return this.#protocol;
  }

  /** Queues a message: text for a string, binary for bytes. Ignored unless open. */
  send(data: string | ArrayBufferView | ArrayBuffer): void {
    if (this.#state !== OPEN) {
      if (this.#state === CONNECTING) {
        throw new DOMException("the WebSocket is not open yet", "InvalidStateError");
      }
      return;
    }
    let frame: Uint8Array;
    if (typeof data === "string") {
      frame = this.#frame(1, encoder.encode(data));
    } else if (this.#client) {
      // Each client frame has a mask of its own: never shared.
      frame = this.#frame(
        2,
        ArrayBuffer.isView(data)
          ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
          : new Uint8Array(data),
      );
    } else {
      const key = ArrayBuffer.isView(data) ? data : data as object;
      const cached = _frames.get(key);
      if (cached) frame = cached;
      else {
        const bytes = ArrayBuffer.isView(data)
          ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
          : new Uint8Array(data);
        frame = encodeFrame(2, bytes);
        _frames.set(key, frame);
      }
    }
    this.#enqueue(frame);
  }

  /** Starts the closing handshake (default 1000); the connection ends when the peer answers. */
  close(code = 1000, reason = ""): void {
    if (this.#state === CLOSED || this.#state === CLOSING) return;
    if (this.#state === CONNECTING) {
      // A client that gives up before the server's answer: the connection is dropped.
      if (this.#client) return this.#abort(1006, "closed before the connection opened");
      // Closed before the handshake went out: the server sends it, then the close.
      this.#state = CLOSING;
      this.#pendingClose = { code, reason };
      return;
    }
    this.#sendClose(code, reason);
  }

  #pendingClose: { code: number; reason: string } | undefined;

  /**
   * Called once the handshake is done (by the server when its response is written; by the
   * client when the server's has been checked, with the protocol it chose).
   */
  start(transport: SocketTransport, leftover: Uint8Array, protocol?: string): void {
    if (this.#state === CLOSED) return transport.close(); // a client closed meanwhile
    if (protocol !== undefined) this.#protocol = protocol;
    this.#transport = transport;
    const pending = this.#pendingClose;
    this.#state = OPEN;
    this.#lastReceived = performance.now();
    this.onopen?.(new Event("open"));
    if (pending) this.#sendClose(pending.code, pending.reason);
    if (this.#idleMs > 0) {
      this.#idleTimer = setInterval(() => this.#checkIdle(), Math.max(50, this.#idleMs / 2));
    }
    void this.#readLoop(leftover);
  }

  /**
   * Reads nothing more from the peer (no message is handed on) until `until` settles. The
   * peer's data waits in the connection, so TCP slows the peer down: this is how a receiver
   * that must catch up (a log writing to a slow disk) pushes back on a producer. The idle
   * check sleeps meanwhile.
   */
  holdReads(until: Promise<unknown>): void {
    const hold: Promise<void> = until.then(() => {}, () => {}).then(() => {
      if (this.#readHold === hold) {
        this.#readHold = undefined;
        this.#lastReceived = performance.now();
      }
    });
    this.#readHold = hold;
  }

  #readHold: Promise<void> | undefined;

  #checkIdle(): void {
    if (this.#readHold) return; // silence is ours
    const silent = performance.now() - this.#lastReceived;
    if (silent < this.#idleMs) return;
    if (!this.#pinged) {
      this.#pinged = true;
      this.#enqueue(this.#frame(9, new Uint8Array(0)));
    } else if (silent >= this.#idleMs * 2) {
      this.#abort(1006, "no pong");
    }
  }

  #enqueue(frame: Uint8Array): void {
    this.#queue.push(frame);
    this.#buffered += frame.length;
    if (!this.#writing) void this.#writeLoop();
  }

  async #writeLoop(): Promise<void> {
    this.#writing = true;
    try {
      while (this.#queue.length > 0 && this.#transport) {
        let chunk = this.#queue.shift()!;
        if (this.#queue.length > 0 && chunk.length < WRITE_CHUNK) {
          // Several frames waiting: one write for as many as fit.
          let size = chunk.length;
          let count = 0;
          while (count < this.#queue.length && size + this.#queue[count]!.length <= WRITE_CHUNK) {
            size += this.#queue[count]!.length;
            count++;
          }
          if (count > 0) {
            const joined = new Uint8Array(size);
            joined.set(chunk);
            let at = chunk.length;
            for (const frame of this.#queue.splice(0, count)) {
              joined.set(frame, at);
              at += frame.length;
            }
            chunk = joined;
          }
        }
        await this.#transport.write(chunk);
        this.#buffered -= chunk.length;
      }
    } catch {
      this.#abort(1006, "write failed");
    } finally {
      this.#writing = false;
    }
    if (this.#state === CLOSING && this.#closeReceived && this.#queue.length === 0) {
      this.#finish(this.#closeReceived.code, this.#closeReceived.reason, true);
    }
  }

  #sendClose(code: number, reason: string): void {
    if (this.#closeSent) return;
    this.#closeSent = true;
    this.#state = CLOSING;
    const reasonBytes = encoder.encode(reason).subarray(0, 123);
    const payload = new Uint8Array(2 + reasonBytes.length);
    payload[0] = code >>> 8;
    payload[1] = code & 0xff;
    payload.set(reasonBytes, 2);
    this.#enqueue(this.#frame(8, payload));
    this.#closeTimer = setTimeout(() => {
      const failure = this.#failure;
      if (failure) this.#finish(failure.code, failure.reason, false);
      else this.#abort(1006, "close timed out");
    }, CLOSE_TIMEOUT_MS);
  }

  async #readLoop(leftover: Uint8Array): Promise<void> {
    let buf = leftover;
    let fragments: Uint8Array[] = [];
    let fragmentsSize = 0;
    let fragmentOpcode = 0;
    try {
      for (;;) {
        // Parse every complete frame in buf.
        for (;;) {
          // Held (see holdReads), unless closing: the peer's close is then read at once.
          while (this.#readHold && this.#state === OPEN) await this.#readHold;
          if (this.#state === CLOSED) return;
          if (buf.length < 2) break;
          const b0 = buf[0]!;
          const b1 = buf[1]!;
          const fin = (b0 & 0x80) !== 0;
          const opcode = b0 & 0x0f;
          if ((b0 & 0x70) !== 0) return this.#fail(1002, "reserved bits set");
          const masked = (b1 & 0x80) !== 0;
          if (masked === this.#client) {
            return this.#fail(
              1002,
              this.#client ? "server frames must not be masked" : "client frames must be masked",
            );
          }
          const maskBytes = masked ? 4 : 0;
          let length = b1 & 0x7f;
          let at = 2;
          if (length === 126) {
            if (buf.length < 4) break;
            length = (buf[2]! << 8) | buf[3]!;
            at = 4;
          } else if (length === 127) {
            if (buf.length < 10) break;
            const big = new DataView(buf.buffer, buf.byteOffset + 2, 8).getBigUint64(0);
            if (big > BigInt(this.#maxMessage)) {
              return this.#fail(this.#tooBig.code, this.#tooBig.reason);
            }
            length = Number(big);
            at = 10;
          }
          if (opcode >= 8 && (length > 125 || !fin)) {
            return this.#fail(1002, "bad control frame");
          }
          if (opcode < 8 && fragmentsSize + length > this.#maxMessage) {
            return this.#fail(this.#tooBig.code, this.#tooBig.reason);
          }
          if (buf.length < at + maskBytes + length) break;
          const payload = buf.slice(at + maskBytes, at + maskBytes + length);
          if (masked) _xorMask(payload, buf.subarray(at, at + 4)); // a copy: at offset 0
          buf = buf.subarray(at + maskBytes + length);
          this.#lastReceived = performance.now();
          this.#pinged = false;
          if (opcode === 8) {
            const code = payload.length >= 2 ? (payload[0]! << 8) | payload[1]! : 1005;
            let reason = "";
            try {
              reason = strictDecoder.decode(payload.subarray(2));
            } catch {
              return this.#fail(1007, "invalid UTF-8 in close reason");
            }
            this.#closeReceived = { code, reason };
            if (!this.#closeSent) this.#sendClose(code === 1005 ? 1000 : code, "");
            if (!this.#writing && this.#queue.length === 0) this.#finish(code, reason, true);
            return;
          }
          if (opcode === 9) {
            if (this.#state === OPEN) this.#enqueue(this.#frame(10, payload));
            continue;
          }
          if (opcode === 10) continue;
          if (opcode === 0) {
            if (fragmentOpcode === 0) return this.#fail(1002, "continuation without a start");
          } else if (opcode === 1 || opcode === 2) {
            if (fragmentOpcode !== 0) {
              return this.#fail(1002, "new message inside a fragmented one");
            }
            fragmentOpcode = opcode;
          } else {
            return this.#fail(1002, `unknown opcode ${opcode}`);
          }
          fragments.push(payload);
          fragmentsSize += payload.length;
          if (!fin) continue;
          const whole = fragments.length === 1 ? fragments[0]! : _concat(fragments, fragmentsSize);
          const type = fragmentOpcode;
          fragments = [];
          fragmentsSize = 0;
          fragmentOpcode = 0;
          let data: string | ArrayBuffer;
          if (type === 1) {
            try {
              data = strictDecoder.decode(whole);
            } catch {
              return this.#fail(1007, "invalid UTF-8 in a text message");
            }
          } else {
            data = whole.buffer.byteLength === whole.length
              ? whole.buffer as ArrayBuffer
              : whole.slice().buffer as ArrayBuffer;
          }
          if (this.#state === OPEN) this.onmessage?.(new MessageEvent("message", { data }));
        }
        const chunk = await this.#transport!.read();
        if (chunk === null) {
          this.#abort(1006, "connection closed");
          return;
        }
        buf = buf.length === 0 ? chunk : _concat([buf, chunk], buf.length + chunk.length);
      }
    } catch {
      this.#abort(1006, "connection failed");
    }
  }

  /**
   * A protocol error from the peer: sends a close with `code`, then reads and drops whatever
   * else the peer sends (the rest of an oversized frame) until it closes, so that it gets
   * the close frame instead of a reset.
   */
  #fail(code: number, reason: string): void {
    this.#failure = { code, reason };
    this.#sendClose(code, reason);
    void (async () => {
      try {
        while (await this.#transport!.read() !== null) {
          // dropped
        }
      } catch {
        // gone
      }
      this.#finish(code, reason, false);
    })();
  }

  #failure: { code: number; reason: string } | undefined;

  /** A frame as this side sends it: a client's masked with a fresh random key. */
  #frame(opcode: number, payload: Uint8Array): Uint8Array {
    return encodeFrame(
      opcode,
      payload,
      true,
      this.#client ? _nextMask() : undefined,
    );
  }

  /** The client's connection or handshake failed: error, then close 1006 with `reason`. */
  connectFailed(reason: string): void {
    this.#abort(1006, reason);
  }

  #abort(code: number, reason: string): void {
    if (this.#state === CLOSED) return;
    if (code === 1006) this.onerror?.(new Event("error"));
    this.#finish(code, reason, false);
  }

  #finish(code: number, reason: string, wasClean: boolean): void {
    if (this.#fired) return;
    this.#fired = true;
    this.#state = CLOSED;
    clearTimeout(this.#closeTimer);
    clearInterval(this.#idleTimer);
    this.#queue = [];
    this.#buffered = 0;
    this.#transport?.close();
    this.onclose?.(new CloseEvent("close", { code, reason, wasClean }));
  }
}

function _concat(parts: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Responses that stand for an upgrade: the server completes the handshake for them. */
const _upgrades = new WeakMap<Response, { socket: WebSocketConnection; accept: Promise<string> }>();

/**
 * The upgrade a handler's response asks for, if it is one of {@linkcode upgradeWebSocket}'s.
 */
export function upgradeOf(
  response: Response,
): { socket: WebSocketConnection; accept: Promise<string> } | undefined {
  return _upgrades.get(response);
}

/** The `Sec-WebSocket-Accept` value for a `Sec-WebSocket-Key`. */
export async function acceptKey(key: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-1", encoder.encode(key + GUID));
  return btoa(String.fromCharCode(...new Uint8Array(digest)));
}

/**
 * Accepts a WebSocket request: the same contract as `Deno.upgradeWebSocket`, for requests
 * served by {@linkcode serveHttp}. Return `response` from the handler; the socket opens once
 * the server has sent the handshake.
 *
 * @throws {TypeError} when the request is not a valid WebSocket upgrade (answer 400).
 * @example
 * ```ts
 * import { upgradeWebSocket } from "./websocket.ts";
 * const handler = (request: Request) => {
 *   const { socket, response } = upgradeWebSocket(request);
 *   socket.onmessage = (e) => socket.send(e.data);
 *   return response;
 * };
 * ```
 */
export function upgradeWebSocket(
  request: Request,
  options: UpgradeOptions = {},
): { socket: WebSocketConnection; response: Response } {
  const headers = request.headers;
  const connection = (headers.get("connection") ?? "").toLowerCase().split(/\s*,\s*/);
  if (
    request.method !== "GET" || headers.get("upgrade")?.toLowerCase() !== "websocket" ||
    !connection.includes("upgrade")
  ) {
    throw new TypeError("Invalid Header: 'upgrade' and 'connection' must ask for websocket");
  }
  if (headers.get("sec-websocket-version") !== "13") {
    throw new TypeError("Invalid Header: 'sec-websocket-version' must be 13");
  }
  const key = headers.get("sec-websocket-key") ?? "";
  if (!/^[A-Za-z0-9+/]{22}==$/.test(key)) {
    throw new TypeError("Invalid Header: 'sec-websocket-key' is not a 16-byte base64 nonce");
  }
  if (options.protocol) {
    const offered = (headers.get("sec-websocket-protocol") ?? "").split(",").map((p) => p.trim());
    if (!offered.includes(options.protocol)) {
      throw new TypeError(`Protocol '${options.protocol}' not in the request's protocol list`);
    }
  }
  const socket = new WebSocketConnection(options);
  const response = new Response(null, { status: 200 });
  _upgrades.set(response, { socket, accept: acceptKey(key) });
  return { socket, response };
}
