import { assert, assertEquals } from "../../tests/_assert.ts";
import { tcpNoDelay } from "../../tests/_tcp_nodelay.ts";
import { waitUntil } from "../../tests/_wait_until.ts";
import { selfSignedCertificate } from "./self_signed.ts";
import { serveHttp } from "./server.ts";
import { acceptKey, upgradeWebSocket, type WebSocketConnection } from "./websocket.ts";
import { connectWebSocket } from "./websocket_client.ts";

/** What a client socket went through. */
function watch(socket: WebSocketConnection) {
  const seen = { opened: false, errors: 0, messages: [] as (string | number[])[], close: 0 };
  socket.onopen = () => (seen.opened = true);
  socket.onerror = () => seen.errors++;
  socket.onmessage = (e) =>
    seen.messages.push(typeof e.data === "string" ? e.data : [...new Uint8Array(e.data)]);
  socket.onclose = (e) => (seen.close = e.code);
  return seen;
}

/** An echo server (on our own server, which refuses unmasked client frames). */
async function echoServer(options: Parameters<typeof serveHttp>[1] = {}) {
  const server = await serveHttp((request) => {
    const url = new URL(request.url);
    if (url.pathname === "/refuse") return new Response("no", { status: 400 });
    const { socket, response } = upgradeWebSocket(request, {
      protocol: url.pathname === "/plain" ? undefined : "v1.alis",
      idleTimeout: url.pathname === "/pinging" ? 0.05 : 0,
    });
    socket.onmessage = (e) => socket.send(e.data);
    return response;
  }, { port: 0, ...options });
  return Object.assign(server, { [Symbol.asyncDispose]: () => server.shutdown() });
}

Deno.test("a client socket opens with the protocol the server chose, its frames masked, and sends without Nagle's delay", async () => {
  await using server = await echoServer();
  const port = server.addr.port;
  const socket = connectWebSocket(`ws://127.0.0.1:${port}/echo?x=1`, {
    protocols: ["v1.alis"],
    headers: { "User-Agent": "test" },
  });
  const seen = watch(socket);
  await waitUntil(() => seen.opened, "open");
  assertEquals(socket.protocol, "v1.alis");
  assertEquals(tcpNoDelay({ remotePort: port }), 1);
  socket.send("héllo");
  socket.send(new Uint8Array([0, 1, 2, 255]));
  socket.send(new Uint8Array(70_000).fill(7)); // a 64-bit length
  await waitUntil(() => seen.messages.length === 3, "the echoes");
  assertEquals(seen.messages.slice(0, 2), ["héllo", [0, 1, 2, 255]]);
  assertEquals((seen.messages[2] as number[]).length, 70_000);
  socket.close(1000, "bye");
  await waitUntil(() => seen.close !== 0, "the close");
  assertEquals([seen.close, seen.errors], [1000, 0]);
});

Deno.test("a client socket answers the server's pings, so an idle connection stays open", async () => {
  await using server = await echoServer();
  const socket = connectWebSocket(`ws://127.0.0.1:${server.addr.port}/pinging`, {
    protocols: ["v1.alis"],
  });
  const seen = watch(socket);
  await waitUntil(() => seen.opened, "open");
  // The server pings after 50 ms of silence and closes after 100 ms without an answer.
  await new Promise((resolve) => setTimeout(resolve, 400));
  assertEquals([seen.close, socket.readyState], [0, 1]);
  socket.close();
  await waitUntil(() => seen.close !== 0, "the close");
});

Deno.test("a refused upgrade, an unreachable server or a close while connecting: error, then close 1006, never open", async () => {
  await using server = await echoServer();
  const refused = connectWebSocket(`ws://127.0.0.1:${server.addr.port}/refuse`);
  const unreachable = connectWebSocket("ws://127.0.0.1:1/");
  const abandoned = connectWebSocket(`ws://127.0.0.1:${server.addr.port}/echo`);
  const seen = [refused, unreachable, abandoned].map(watch);
  abandoned.close();
  await waitUntil(() => seen.every((s) => s.close !== 0), "the closes");
  for (const s of seen) assertEquals([s.opened, s.errors, s.close], [false, 1, 1006]);
  await new Promise((resolve) => setTimeout(resolve, 50)); // the abandoned one's handshake
  assertEquals(seen[2]!.opened, false);
});

Deno.test("a server that chooses no protocol opens a socket whose protocol is empty", async () => {
  await using server = await echoServer();
  const socket = connectWebSocket(`ws://127.0.0.1:${server.addr.port}/plain`, {
    protocols: ["v1.alis"],
  });
  const seen = watch(socket);
  await waitUntil(() => seen.opened, "open");
  assertEquals(socket.protocol, "");
  socket.close();
  await waitUntil(() => seen.close !== 0, "the close");
});

Deno.test("wss: the client checks the server's certificate against the CAs it trusts", async () => {
  const tls = await selfSignedCertificate({ ipAddresses: ["127.0.0.1"] });
  await using server = await echoServer({ tls });
  const url = `wss://127.0.0.1:${server.addr.port}/echo`;
  const trusted = connectWebSocket(url, { protocols: ["v1.alis"], caCerts: [tls.cert] });
  const seen = watch(trusted);
  await waitUntil(() => seen.opened, "open over TLS");
  trusted.send("over tls");
  await waitUntil(() => seen.messages.length === 1, "the echo");
  assertEquals(seen.messages, ["over tls"]);
  trusted.close();
  const untrusted = watch(connectWebSocket(url, { protocols: ["v1.alis"] }));
  await waitUntil(() => untrusted.close !== 0 && seen.close !== 0, "the closes");
  assertEquals([untrusted.opened, untrusted.close], [false, 1006]);
  assert(seen.errors === 0);
});

Deno.test("only ws:// and wss:// URLs are taken", () => {
  let error: unknown;
  try {
    connectWebSocket("http://127.0.0.1/");
  } catch (e) {
    error = e;
  }
  assert(error instanceof SyntaxError, String(error));
});

Deno.test("a socket that holds its reads hands on nothing more until the hold ends, then all, in order", async () => {
  const got: string[] = [];
  let release!: () => void;
  const hold = new Promise<void>((resolve) => (release = resolve));
  const server = await serveHttp((request) => {
    const { socket, response } = upgradeWebSocket(request, { idleTimeout: 0.05 });
    socket.onmessage = (e) => {
      got.push(e.data as string);
      if (got.length === 1) socket.holdReads(hold);
    };
    return response;
  }, { port: 0 });
  try {
    const client = connectWebSocket(`ws://127.0.0.1:${server.addr.port}/`);
    const seen = watch(client);
    await waitUntil(() => seen.opened, "open");
    for (const text of ["one", "two", "three"]) client.send(text);
    await waitUntil(() => got.length === 1, "the first message");
    // Held for 300 ms, longer than twice the idle time: the server neither reads nor pings.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assertEquals(got, ["one"]);
    release();
    await waitUntil(() => got.length === 3, "the rest");
    assertEquals([got, seen.close], [["one", "two", "three"], 0]);
    client.close();
    await waitUntil(() => seen.close !== 0, "the close");
  } finally {
    await server.shutdown();
  }
});

/** A raw server that answers each upgrade with `answer(key)`, written in the given pieces. */
function rawServer(answer: (accept: string) => string[]) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  void (async () => {
    for await (const conn of listener) {
      conns.push(conn);
      const buf = new Uint8Array(4096);
      const n = await conn.read(buf);
      const text = new TextDecoder().decode(buf.subarray(0, n ?? 0));
      const key = /sec-websocket-key: *(\S+)/i.exec(text)?.[1] ?? "";
      for (const piece of answer(await acceptKey(key))) {
        await conn.write(new TextEncoder().encode(piece));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  })().catch(() => {});
  return {
    url: `ws://127.0.0.1:${listener.addr.port}/`,
    close() {
      listener.close();
      for (const conn of conns) {
        try {
          conn.close();
        } catch {
          // closed
        }
      }
    },
  };
}

Deno.test("the answer's head is read across reads; a malformed or endless one fails the connection", async () => {
  const head = (accept: string) =>
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Accept: ${accept}\r\n\r\n`;
  // The blank line split between two writes: "\r\n\r" then "\n".
  const split = rawServer((accept) => [head(accept).slice(0, -1), "\n"]);
  const malformed = rawServer((accept) => [head(accept).replace("Connection:", "Connection")]);
  // A head that never ends: given up past 16 KiB, not read forever.
  const endless = rawServer(() =>
    Array.from({ length: 40 }, () => `X-Filler: ${"f".repeat(1000)}\r\n`)
  );
  try {
    const ok = watch(connectWebSocket(split.url));
    const bad = watch(connectWebSocket(malformed.url));
    const long = watch(connectWebSocket(endless.url));
    await waitUntil(
      () => ok.opened && bad.close !== 0 && long.close !== 0,
      "the open and the failures",
    );
    assertEquals([bad.opened, bad.errors, bad.close], [false, 1, 1006]);
    assertEquals([long.opened, long.errors, long.close], [false, 1, 1006]);
  } finally {
    split.close();
    malformed.close();
    endless.close();
  }
});
