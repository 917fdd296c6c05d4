/**
 * The local streaming server over real sockets on 127.0.0.1: many viewers, a viewer that
 * never reads, the token, protocol negotiation and the end of a stream.
 */
import { assert, assertEquals } from "./_assert.ts";
import { waitUntil } from "./_wait_until.ts";
import { decodeAlisMessage } from "../lib/alis/decoder.ts";
import type { AlisMessage } from "../lib/alis/message.ts";
import { LiveHub } from "../lib/stream/live_hub.ts";
import { type LocalServer, startLocalServer } from "../lib/stream/local_server.ts";

const MAGIC = "65,76,105,83,1";

function newHub(options: Partial<ConstructorParameters<typeof LiveHub>[0]> = {}): LiveHub {
  return new LiveHub(options);
}

/** A plain WebSocket viewer that records every message it gets. */
class Viewer {
  readonly socket: WebSocket;
  readonly raw: Uint8Array[] = [];
  readonly opened: Promise<void>;
  readonly closed: Promise<CloseEvent>;
  constructor(url: string, protocols: string[] = ["v1.alis"]) {
    this.socket = new WebSocket(url, protocols);
    this.socket.binaryType = "arraybuffer";
    this.socket.onmessage = (e) => this.raw.push(new Uint8Array(e.data as ArrayBuffer));
    this.opened = new Promise((resolve, reject) => {
      this.socket.onopen = () => resolve();
      this.socket.onerror = () => reject(new Error(`cannot connect to ${url}`));
    });
    this.closed = new Promise((resolve) => this.socket.addEventListener("close", resolve));
  }
  /** Waits for the socket to open and the stream's first two messages: magic and Init. */
  async joined(): Promise<void> {
    await this.opened;
    await waitUntil(() => this.raw.length === 2, "the Init");
  }
  messages(): AlisMessage[] {
    assertEquals(String(this.raw[0]), MAGIC);
    return this.raw.slice(1).map(decodeAlisMessage);
  }
}

function wsUrl(server: LocalServer, path = "ws"): string {
  return server.urls[0]!.replace("http:", "ws:") + path;
}

/** A client that does the WebSocket upgrade by hand, then never reads again. */
async function stuckViewer(server: LocalServer): Promise<Deno.TcpConn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
  const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
  await conn.write(
    new TextEncoder().encode(
      `GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n` +
        `Sec-WebSocket-Protocol: v1.alis\r\n\r\n`,
    ),
  );
  const buf = new Uint8Array(256);
  const n = await conn.read(buf);
  const head = new TextDecoder().decode(buf.subarray(0, n ?? 0));
  assert(head.startsWith("HTTP/1.1 101"), `upgrade failed: ${head}`);
  return conn;
}

Deno.test("50 viewers get every event in order while a viewer that never reads is cut off", async () => {
  const notices: string[] = [];
  // A stopped clock: the Init time is 0, so relative times come out exactly as written.
  // Every event its own message (no merging for viewers that lag on a loaded machine).
  const hub = newHub({ onNotice: (m) => notices.push(m), now: () => 0, mergeAfter: Infinity });
  hub.begin({ cols: 80, rows: 24 });
  const server = await startLocalServer({ hub });
  const stuck = await stuckViewer(server);
  const viewers = Array.from({ length: 50 }, () => new Viewer(wsUrl(server)));
  await Promise.all(viewers.map((v) => v.opened));
  await waitUntil(
    () => viewers.every((v) => v.raw.length === 2) && hub.viewerCount === 51,
    "every Init",
  );

  // Output in batches, as a PTY delivers it, until the viewer that never reads has filled the
  // kernel buffers, the socket high-water mark and its hub queue (a few MB), then some more.
  const line = "x".repeat(2040) + "\r\n";
  let total = 0;
  let time = 0;
  let after = 200;
  while (after > 0 && total < 20_000) {
    const id = ++total;
    hub.write({ time: time += 100, code: "o", data: `${id} ${line}` });
    if (notices.length > 0) after--;
    if (id % 25 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
  }
  assert(after === 0, "the viewer that never reads was cut off");
  await waitUntil(
    () => viewers.every((v) => v.raw.length === 2 + total),
    "every viewer to receive everything",
    60_000,
  );
  assertEquals(hub.viewerCount, 50);
  assertEquals(notices, ["a viewer fell behind"]);
  for (const viewer of viewers) {
    const ids = viewer.messages().slice(1).map((m) => m.type === "output" ? m.id : -1);
    assertEquals(ids, Array.from({ length: total }, (_, i) => i + 1));
  }
  const sample = viewers[7]!.messages();
  assertEquals(sample[1], { type: "output", id: 1, relTime: 100, data: `1 ${line}` });
  assertEquals(sample[total], {
    type: "output",
    id: total,
    relTime: 100,
    data: `${total} ${line}`,
  });

  await hub.close();
  await Promise.all(viewers.map((v) => v.closed));
  await server.shutdown();
  stuck.close();
});

Deno.test("stream end reaches a real socket as Exit, EOT, then close 1000", async () => {
  const hub = newHub();
  hub.begin({ cols: 80, rows: 24 });
  const server = await startLocalServer({ hub });
  const viewer = new Viewer(wsUrl(server));
  await viewer.joined();
  hub.write({ time: 1000, code: "o", data: "done\r\n" });
  hub.write({ time: 2000, code: "x", data: "0" });
  await hub.close();
  const close = await viewer.closed;
  assertEquals([close.code, close.reason, close.wasClean], [1000, "Stream ended", true]);
  assertEquals(viewer.messages().slice(1).map((m) => m.type), ["output", "exit", "eot"]);
  await server.shutdown();
});

Deno.test("viewers are read-only: what they send is ignored", async () => {
  const hub = newHub();
  hub.begin({ cols: 80, rows: 24 });
  const server = await startLocalServer({ hub });
  const viewer = new Viewer(wsUrl(server));
  await viewer.joined();
  viewer.socket.send("ls\r");
  viewer.socket.send(new Uint8Array([0x69, 0x01, 0x00, 0x01, 0x78]));
  hub.write({ time: 1, code: "o", data: "still streaming" });
  await waitUntil(() => viewer.raw.length === 3, "the output");
  assertEquals(hub.lastId, 1);
  const output = viewer.messages()[1]!;
  assert(output.type === "output" && output.id === 1 && output.data === "still streaming");
  await hub.close();
  await viewer.closed;
  await server.shutdown();
});

Deno.test("a client that offers no protocol the server speaks is closed with 1002", async () => {
  const hub = newHub();
  hub.begin({ cols: 80, rows: 24 });
  const server = await startLocalServer({ hub });
  const viewer = new Viewer(wsUrl(server), ["raw"]);
  const close = await viewer.closed;
  assertEquals([close.code, close.reason], [1002, "Subprotocol negotiation failed"]);
  assertEquals(viewer.raw.length, 0);
  assertEquals(hub.viewerCount, 0);
  await hub.close();
  await server.shutdown();
});

Deno.test("a token-protected server answers 404 without the token and streams with it", async () => {
  const hub = newHub();
  hub.begin({
    cols: 80,
    rows: 24,
    theme: { fg: "#ffffff", bg: "#000000", palette: Array(8).fill("#808080") },
  });
  hub.write({ time: 5, code: "o", data: "secret screen" });
  // requireToken makes 127.0.0.1 behave as a non-loopback bind would (tests bind loopback only).
  const server = await startLocalServer({ hub, requireToken: true });
  assert(server.token && server.token.length === 22);
  const base = `http://127.0.0.1:${server.addr.port}`;
  assertEquals(server.urls, [`${base}/${server.token}/`]);
  for (const path of ["/", "/index.html", "/asciinema-player.css", "/ws"]) {
    const response = await fetch(base + path);
    assertEquals([path, response.status, await response.text()], [path, 404, "404"]);
  }
  const page = await fetch(server.urls[0]!);
  assertEquals(page.status, 200);
  assert((await page.text()).includes("AsciinemaPlayer"));

  const refused = new Viewer(`ws://127.0.0.1:${server.addr.port}/ws`);
  await refused.opened.then(() => assert(false, "connected without the token"), () => {});
  await refused.closed;

  const viewer = new Viewer(wsUrl(server));
  await viewer.joined();
  const init = viewer.messages()[0]!;
  assert(init.type === "init" && init.lastId === 1 && init.initData.includes("secret screen"));
  await hub.close();
  await viewer.closed;
  await server.shutdown();
});

Deno.test("server shutdown ends a connection that never reads", async () => {
  const hub = newHub({ closeTimeoutMs: 200 });
  hub.begin({ cols: 80, rows: 24 });
  const server = await startLocalServer({ hub });
  const stuck = await stuckViewer(server);
  await waitUntil(() => hub.viewerCount === 1, "the viewer");
  await hub.close(); // the EOT cannot be confirmed; close() gives up after its timeout
  await server.shutdown();
  stuck.close();
});

Deno.test("a client that offers only v3.asciicast gets the stream as asciicast v3 text", async () => {
  const hub = newHub();
  hub.begin({ cols: 80, rows: 24 });
  hub.write({ time: 1000, code: "o", data: "hello" });
  const server = await startLocalServer({ hub });
  const socket = new WebSocket(wsUrl(server), ["v3.asciicast", "v2.asciicast"]);
  const texts: string[] = [];
  socket.onmessage = (e) => texts.push(e.data as string);
  const closed = new Promise<CloseEvent>((resolve) => (socket.onclose = resolve));
  await new Promise((resolve) => (socket.onopen = resolve));
  assertEquals(socket.protocol, "v3.asciicast");
  await waitUntil(() => texts.length === 2, "the header and the screen");
  hub.write({ time: 2000, code: "o", data: " world" });
  await hub.close();
  assertEquals((await closed).code, 1000);
  assertEquals(JSON.parse(texts[0]!), { version: 3, term: { cols: 80, rows: 24 } });
  const [, code, data] = JSON.parse(texts[1]!);
  assertEquals(code, "o");
  assert(data.includes("hello"), "the screen snapshot comes first");
  assertEquals(JSON.parse(texts[2]!).slice(1), ["o", " world"]);
  await server.shutdown();
});
