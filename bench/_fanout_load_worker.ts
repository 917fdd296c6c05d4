/**
 * The thread of a {@linkcode FanOutLoad}: connects the producer and the viewers with blocking
 * sockets, then runs one loop until told to stop: the producer sends a stamped event every
 * tick, and one `epoll` reads every viewer, timing each event as it arrives. See
 * `_fanout_load.ts`.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { encodeAlisMessage } from "../lib/alis/encoder.ts";
import { now, stampedData, stampsOf } from "./_stamps.ts";
import { handshakeEnd, readServerFrames, upgradeRequest } from "./_ws_client.ts";
import { CONTROL, type Endpoint, type LoadRequest, type LoadResult } from "./_fanout_load.ts";

const libc = Deno.dlopen("libc.so.6", {
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  connect: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  send: { parameters: ["i32", "buffer", "usize", "i32"], result: "isize" },
  recv: { parameters: ["i32", "buffer", "usize", "i32"], result: "isize" },
  close: { parameters: ["i32"], result: "i32" },
  setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
  epoll_create1: { parameters: ["i32"], result: "i32" },
  epoll_ctl: { parameters: ["i32", "i32", "i32", "buffer"], result: "i32" },
  epoll_wait: { parameters: ["i32", "buffer", "i32", "i32"], result: "i32" },
}).symbols;

const AF_INET = 2;
const SOCK_STREAM = 1;
const IPPROTO_TCP = 6;
const TCP_NODELAY = 1;
const MSG_DONTWAIT = 0x40;
const MSG_NOSIGNAL = 0x4000;
const EPOLL_CTL_ADD = 1;
const EPOLLIN = 0x1;
const EPOLLERR = 0x8;
const EPOLLHUP = 0x10;
/** `struct epoll_event` is packed on x86-64: u32 events, u64 data. */
const EVENT_SIZE = 12;
const MAX_EVENTS = 256;

/** A WebSocket client connection and its unparsed input. */
interface Connection {
  fd: number;
  buf: Uint8Array;
  used: number;
  gotInit: boolean;
  open: boolean;
  /** Takes each message (a viewer's times the events; the producer's drops what it hears). */
  onMessage: (payload: Uint8Array) => void;
}

function fail(what: string): never {
  throw new Error(`${what} failed`);
}

function sendAll(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length;) {
    const n = Number(
      libc.send(fd, bytes.subarray(done), BigInt(bytes.length - done), MSG_NOSIGNAL),
    );
    if (n <= 0) fail("send");
    done += n;
  }
}

/** A client frame, masked with a zero key (the protocol requires a mask, not a secret one). */
function clientFrame(opcode: number, payload: Uint8Array): Uint8Array {
  const n = payload.length;
  const header = n < 126 ? 6 : n < 65536 ? 8 : 14;
  const frame = new Uint8Array(header + n);
  frame[0] = 0x80 | opcode;
  if (n < 126) frame[1] = 0x80 | n;
  else if (n < 65536) {
    frame[1] = 0x80 | 126;
    frame[2] = n >> 8;
    frame[3] = n & 0xff;
  } else {
    frame[1] = 0x80 | 127;
    new DataView(frame.buffer).setBigUint64(2, BigInt(n));
  }
  frame.set(payload, header);
  return frame;
}

/** Connects to `endpoint` on 127.0.0.1 and completes the WebSocket handshake (blocking). */
function connect(endpoint: Endpoint): Connection {
  const fd = libc.socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) fail("socket");
  const address = new Uint8Array(16);
  address.set([AF_INET, 0, endpoint.port >> 8, endpoint.port & 0xff, 127, 0, 0, 1]);
  if (libc.connect(fd, address, 16) !== 0) fail(`connect to port ${endpoint.port}`);
  // As every WebSocket client does: each frame goes at once (no Nagle delay).
  if (libc.setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, new Int32Array([1]), 4) !== 0) {
    fail("setsockopt(TCP_NODELAY)");
  }
  sendAll(fd, upgradeRequest(`127.0.0.1:${endpoint.port}`, endpoint.path, "v1.alis"));
  const c: Connection = {
    fd,
    buf: new Uint8Array(16 * 1024),
    used: 0,
    gotInit: false,
    open: true,
    onMessage: () => {},
  };
  for (;;) {
    const n = Number(libc.recv(fd, c.buf.subarray(c.used), BigInt(c.buf.length - c.used), 0));
    if (n <= 0) fail(`the handshake with ${endpoint.path}`);
    c.used += n;
    let end: number;
    try {
      end = handshakeEnd(c.buf, c.used);
    } catch (error) {
      throw new Error(`${endpoint.path}: ${(error as Error).message}`);
    }
    if (end === -1) continue;
    // What follows the head is frames.
    c.buf.copyWithin(0, end, c.used);
    c.used -= end;
    return c;
  }
}

/** Hands out the complete frames' messages; false once a close frame came. */
function frames(c: Connection): boolean {
  const read = readServerFrames(c.buf, 0, c.used, c.onMessage);
  if (read.pending > c.buf.length) {
    // A message larger than the buffer: a larger one, holding its start.
    const bigger = new Uint8Array(read.pending);
    bigger.set(c.buf.subarray(read.at, c.used));
    c.buf = bigger;
  } else c.buf.copyWithin(0, read.at, c.used);
  c.used -= read.at;
  return !read.closed;
}

function run(request: LoadRequest): LoadResult {
  const control = new Int32Array(request.control);
  const latencies: number[] = [];
  let windowStart = Infinity;
  let windowEnd = Infinity;
  let sent = 0;
  let dropped = 0;

  const producer = connect(request.producer);
  for (const message of request.preamble) sendAll(producer.fd, clientFrame(2, message));
  let id = 1;
  const produce = () => {
    const { data, stamp } = stampedData(request.eventBytes);
    const relTime = request.tickMs * 1000;
    sendAll(
      producer.fd,
      clientFrame(2, encodeAlisMessage({ type: "output", id: id++, relTime, data })),
    );
    if (stamp >= windowStart && stamp <= windowEnd) sent++;
  };

  const viewers: Connection[] = [];
  const timer = (viewer: Connection) => (payload: Uint8Array) => {
    if (!viewer.gotInit) {
      if (payload[0] === 0x01) {
        viewer.gotInit = true;
        Atomics.add(control, CONTROL.ready, 1);
      }
      return;
    }
    const at = now();
    // Events sent inside the window count, whenever they arrive.
    for (const stamp of stampsOf(payload)) {
      if (stamp >= windowStart && stamp <= windowEnd) latencies.push(at - stamp);
    }
  };
  const epoll = libc.epoll_create1(0);
  if (epoll < 0) fail("epoll_create1");
  const event = new DataView(new ArrayBuffer(EVENT_SIZE));
  const watch = (fd: number, index: number) => {
    event.setUint32(0, EPOLLIN, true);
    event.setBigUint64(4, BigInt(index), true);
    if (libc.epoll_ctl(epoll, EPOLL_CTL_ADD, fd, new Uint8Array(event.buffer)) !== 0) {
      fail("epoll_ctl");
    }
  };
  // Index -1 (all ones) is the producer: what the server says to it is read and dropped.
  watch(producer.fd, -1);
  for (let i = 0; i < request.viewers; i++) {
    const viewer = connect(request.viewer);
    viewer.onMessage = timer(viewer);
    viewers.push(viewer);
    frames(viewer);
    watch(viewer.fd, i);
  }

  const events = new Uint8Array(EVENT_SIZE * MAX_EVENTS);
  const eventsView = new DataView(events.buffer);
  let nextTick = now();
  let measuring = false;
  while (Atomics.load(control, CONTROL.stop) === 0) {
    const open = Atomics.load(control, CONTROL.measuring) === 1;
    if (open && !measuring) windowStart = now();
    if (!open && measuring) windowEnd = now();
    measuring = open;
    let timeout = 20;
    if (Atomics.load(control, CONTROL.producing) === 1) {
      const t = now();
      if (t >= nextTick) {
        produce();
        // On schedule, unless this thread fell a whole tick behind.
        nextTick = Math.max(nextTick + request.tickMs, t);
      }
      timeout = Math.max(0, Math.ceil(nextTick - now()));
    } else nextTick = now();
    const n = libc.epoll_wait(epoll, events, MAX_EVENTS, timeout);
    for (let k = 0; k < n; k++) {
      const flags = eventsView.getUint32(k * EVENT_SIZE, true);
      const index = eventsView.getInt32(k * EVENT_SIZE + 4, true);
      const c = index === -1 ? producer : viewers[index]!;
      if (!c.open) continue;
      // Level-triggered: what one read leaves is reported by the next wait.
      const free = c.buf.length - c.used;
      const got = Number(libc.recv(c.fd, c.buf.subarray(c.used), BigInt(free), MSG_DONTWAIT));
      let alive = got !== 0 && !(got < 0 && (flags & (EPOLLERR | EPOLLHUP)));
      if (got > 0) {
        c.used += got;
        alive = frames(c);
      }
      if (alive) continue;
      if (index === -1) throw new Error("the server closed the producer's connection");
      c.open = false;
      libc.close(c.fd);
      if (measuring) dropped++;
    }
  }
  sendAll(producer.fd, clientFrame(8, new Uint8Array([0x03, 0xe8])));
  for (const c of [producer, ...viewers]) if (c.open) libc.close(c.fd);
  libc.close(epoll);
  return { latencies, sent, dropped };
}

self.onmessage = (e: MessageEvent<LoadRequest>) => {
  try {
    self.postMessage(run(e.data));
  } catch (error) {
    self.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
};
