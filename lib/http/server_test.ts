import { assert, assertEquals } from "../../tests/_assert.ts";
import { tcpNoDelay } from "../../tests/_tcp_nodelay.ts";
import { serveHttp } from "./server.ts";
import { encodeFrame, upgradeWebSocket } from "./websocket.ts";

const encoder = new TextEncoder();

/** Sends raw bytes on a fresh connection and reads until the server closes (or `ms`). */
async function raw(port: number, bytes: string | Uint8Array, ms = 2000): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(typeof bytes === "string" ? encoder.encode(bytes) : bytes);
  return await readAll(conn, ms);
}

async function readAll(conn: Deno.Conn, ms: number): Promise<string> {
  let out = "";
  const buf = new Uint8Array(65536);
  const deadline = Date.now() + ms;
  try {
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const n = await Promise.race([
        conn.read(buf),
        new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), left))),
      ]);
      clearTimeout(timer);
      if (n === "timeout" || n === null) break;
      // One character per byte, so frames can be compared as text.
      out += String.fromCharCode(...buf.subarray(0, n));
    }
  } catch {
    // reset by the server
  } finally {
    try {
      conn.close();
    } catch { /* closed */ }
  }
  return out;
}

Deno.test("the server answers requests, keeps connections alive and streams bodies", async () => {
  const seen: string[] = [];
  await using server = await start(async (request) => {
    seen.push(`${request.method} ${new URL(request.url).pathname}`);
    if (request.method === "POST") return new Response(`got ${(await request.text()).length}`);
    if (request.url.endsWith("/stream")) {
      // A body that keeps coming, of no known length: sent chunked.
      let n = 0;
      return new Response(
        new ReadableStream({
          async pull(controller) {
            await new Promise((r) => setTimeout(r, 30));
            if (n++ < 2) controller.enqueue(encoder.encode(n === 1 ? "a" : "b"));
            else controller.close();
          },
        }),
      );
    }
    return new Response("hello"); // a length found at once
  });
  const port = server.addr.port;
  const two = await raw(
    port,
    "GET /one HTTP/1.1\r\nHost: x\r\n\r\nGET /stream HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
  );
  assert(/^HTTP\/1\.1 200 OK\r\n/.test(two), two);
  assert(two.includes("\r\n\r\nhello"), two);
  assert(two.includes("transfer-encoding: chunked"), two);
  assert(/\r\n\r\n(1\r\na\r\n1\r\nb|2\r\nab)\r\n0\r\n\r\n$/.test(two), JSON.stringify(two));
  const head = await raw(port, "HEAD /one HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  assert(head.endsWith("\r\n\r\n"), head);
  const posted = await raw(
    port,
    "POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\nConnection: close\r\n\r\nhello world",
  );
  assert(posted.endsWith("got 11"), posted);
  const chunked = await raw(
    port,
    "POST /p HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" +
      "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n",
  );
  assert(chunked.endsWith("got 11"), chunked);
  const fetched = await fetch(`http://127.0.0.1:${port}/x`);
  assertEquals(await fetched.text(), "hello");
  assertEquals(seen, ["GET /one", "GET /stream", "HEAD /one", "POST /p", "POST /p", "GET /x"]);
});

Deno.test("a chunked body arriving in any pieces is read whole (a CRLF alone in a read too)", async (t) => {
  await using server = await start(async (request) => new Response(`got ${await request.text()}`));
  const body = "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n";
  // Each CRLF (and each half of one) alone in a read, between the bytes before and after it.
  const pieces: [number, number][] = [];
  for (let at = body.indexOf("\r\n"); at !== -1; at = body.indexOf("\r\n", at + 1)) {
    pieces.push([at, at + 2], [at, at + 1], [at + 1, at + 2]);
  }
  for (const [from, to] of pieces) {
    await t.step(`alone: ${JSON.stringify(body.slice(from, to))} at ${from}`, async () => {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
      const head =
        "POST /p HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
      for (const piece of [head + body.slice(0, from), body.slice(from, to), body.slice(to)]) {
        if (piece !== "") await conn.write(encoder.encode(piece));
        // Apart in time, so that the server reads them apart.
        await new Promise((r) => setTimeout(r, 40));
      }
      const answer = await readAll(conn, 1000);
      assert(answer.endsWith("got hello world"), JSON.stringify(answer));
    });
  }
});

Deno.test("bad requests get a 4xx and never reach the handler or print anything", async (t) => {
  let calls = 0;
  const errors: unknown[] = [];
  await using server = await start(() => {
    calls++;
    return new Response("ok");
  }, { maxHeaderBytes: 1024, onError: (e) => errors.push(e) });
  const port = server.addr.port;
  const cases: [string, string, number][] = [
    ["an invalid IDNA host", "GET / HTTP/1.1\r\nHost: xn--a\r\n\r\n", 400],
    ["no host", "GET / HTTP/1.1\r\n\r\n", 400],
    ["two different hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400],
    ["a garbled request line", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400],
    ["HTTP/2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505],
    ["a control character in a field", "GET / HTTP/1.1\r\nHost: a\r\nX: \x01\r\n\r\n", 400],
    ["a huge head", `GET / HTTP/1.1\r\nHost: a\r\nX: ${"y".repeat(2000)}\r\n\r\n`, 431],
    [
      "content-length and chunked",
      "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
      400,
    ],
  ];
  for (const [name, request, status] of cases) {
    await t.step(name, async () => {
      const answer = await raw(port, request);
      assert(answer.startsWith(`HTTP/1.1 ${status} `), answer);
    });
  }
  assertEquals(calls, 0);
  assertEquals(errors, []);
});

Deno.test("a connection that sends no head in time, or idles, is closed", async () => {
  await using server = await start(() => new Response("ok"), {
    headerTimeoutMs: 200,
    idleTimeoutMs: 300,
  });
  const port = server.addr.port;
  const started = performance.now();
  const silent = await raw(port, "", 5000);
  const waited = performance.now() - started;
  assert(silent.startsWith("HTTP/1.1 408 "), silent);
  assert(waited < 2000, `closed after ${waited} ms`);
  const slow = await raw(port, "GET / HTTP/1.1\r\nHo", 5000); // a head that never ends
  assert(slow.startsWith("HTTP/1.1 408 "), slow);
  const idle = await raw(port, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", 5000); // then silence
  assert(idle.startsWith("HTTP/1.1 200 ") && idle.endsWith("ok"), idle);
  assertEquals(server.connections, 0);
});

Deno.test("connections over the cap are closed at once and the server keeps serving", async () => {
  await using server = await start(() => new Response("ok"), { maxConnections: 5 });
  const port = server.addr.port;
  const held: Deno.Conn[] = [];
  for (let i = 0; i < 5; i++) held.push(await Deno.connect({ hostname: "127.0.0.1", port }));
  await new Promise((r) => setTimeout(r, 100));
  assertEquals(server.connections, 5);
  const refused = await raw(port, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", 1000);
  assertEquals(refused, "");
  for (const conn of held) conn.close();
  await new Promise((r) => setTimeout(r, 100));
  assertEquals(await (await fetch(`http://127.0.0.1:${port}/`)).text(), "ok");
});

Deno.test("WebSockets: handshake, text and binary messages, close handshake", async () => {
  const closes: number[] = [];
  await using server = await start((request) => {
    const { socket, response } = upgradeWebSocket(request, { protocol: "v1.alis" });
    socket.onmessage = (e) => socket.send(typeof e.data === "string" ? `echo ${e.data}` : e.data);
    socket.onclose = (e) => closes.push(e.code);
    return response;
  });
  const ws = new WebSocket(`ws://127.0.0.1:${server.addr.port}/`, ["other", "v1.alis"]);
  ws.binaryType = "arraybuffer";
  const got: (string | number[])[] = [];
  const closed = new Promise<CloseEvent>((r) => (ws.onclose = r));
  await new Promise((r) => (ws.onopen = r));
  assertEquals(ws.protocol, "v1.alis");
  const twoMessages = new Promise<void>((resolve) => {
    ws.onmessage = (e) => {
      got.push(typeof e.data === "string" ? e.data : [...new Uint8Array(e.data)]);
      if (got.length === 3) resolve();
    };
  });
  ws.send("hi ✔");
  ws.send(new Uint8Array([1, 2, 3]));
  ws.send("x".repeat(70_000));
  await twoMessages;
  assertEquals(got.slice(0, 2), ["echo hi ✔", [1, 2, 3]]);
  assertEquals((got[2] as string).length, 70_005);
  ws.close(1000, "bye");
  assertEquals((await closed).code, 1000);
  await new Promise((r) => setTimeout(r, 50));
  assertEquals(closes, [1000]);
});

/** A client frame: masked, as clients must send them. */
function clientFrame(opcode: number, payload: Uint8Array, fin = true, masked = true): Uint8Array {
  const frame = encodeFrame(opcode, payload, fin);
  if (!masked) return frame;
  const header = frame.length - payload.length;
  const out = new Uint8Array(frame.length + 4);
  out.set(frame.subarray(0, header));
  out[1]! |= 0x80;
  const mask = [0x12, 0x34, 0x56, 0x78];
  out.set(mask, header);
  for (let i = 0; i < payload.length; i++) out[header + 4 + i] = payload[i]! ^ mask[i & 3]!;
  return out;
}

const HANDSHAKE = "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
  "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";

Deno.test("WebSocket protocol errors close with the RFC's codes", async (t) => {
  const messages: unknown[] = [];
  const closes: number[] = [];
  await using server = await start((request) => {
    const { socket, response } = upgradeWebSocket(request, { maxMessageBytes: 100 });
    socket.onmessage = (e) => messages.push(e.data);
    socket.onclose = (e) => closes.push(e.code);
    return response;
  });
  const port = server.addr.port;
  const cases: [string, Uint8Array, number][] = [
    ["an unmasked frame", clientFrame(1, encoder.encode("a"), true, false), 1002],
    ["invalid UTF-8 in a text message", clientFrame(1, new Uint8Array([0xff])), 1007],
    ["a message over the size bound", clientFrame(2, new Uint8Array(200)), 1009],
    ["an unknown opcode", clientFrame(3, new Uint8Array(0)), 1002],
    ["a continuation with no start", clientFrame(0, new Uint8Array(1)), 1002],
  ];
  for (const [name, frame, code] of cases) {
    await t.step(name, async () => {
      closes.length = 0;
      const bytes = new Uint8Array([...encoder.encode(HANDSHAKE), ...frame]);
      const answer = await raw(port, bytes);
      assert(answer.startsWith("HTTP/1.1 101 "), answer);
      assert(answer.includes("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), answer); // RFC 6455's example
      await new Promise((r) => setTimeout(r, 50));
      assertEquals(closes, [code]);
    });
  }
  await t.step("a fragmented message and a ping in between", async () => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(encoder.encode(HANDSHAKE));
    await conn.write(clientFrame(1, encoder.encode("frag"), false));
    await conn.write(clientFrame(9, encoder.encode("p")));
    await conn.write(clientFrame(0, encoder.encode("mented"), true));
    await conn.write(clientFrame(8, new Uint8Array([0x03, 0xe8])));
    const answer = await readAll(conn, 1000);
    assert(answer.includes("\x8a\x01p"), "a pong with the ping's payload");
    assert(answer.endsWith("\x88\x02\x03\xe8"), "the close echoed");
    assertEquals(messages.at(-1), "fragmented");
  });
  assertEquals(messages.length, 1);
});

Deno.test("an idle WebSocket is pinged, then closed when it stays silent", async () => {
  const closes: number[] = [];
  await using server = await start((request) => {
    const { socket, response } = upgradeWebSocket(request, { idleTimeout: 0.2 });
    socket.onclose = (e) => closes.push(e.code);
    return response;
  });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
  await conn.write(encoder.encode(HANDSHAKE));
  const answer = await readAll(conn, 3000);
  assert(answer.includes("\x89\x00"), "a ping was sent");
  assertEquals(closes, [1006]);
});

async function start(
  handler: (request: Request) => Response | Promise<Response>,
  options: Parameters<typeof serveHttp>[1] = {},
) {
  const server = await serveHttp(handler, { port: 0, ...options });
  return Object.assign(server, { [Symbol.asyncDispose]: () => server.shutdown() });
}

Deno.test("accepted connections send small writes at once (TCP_NODELAY: no Nagle delay for a viewer's keystroke echo)", async () => {
  await using server = await start(() => new Response("ok"));
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
  try {
    await conn.write(encoder.encode("GET / HTTP/1.1\r\nhost: x\r\n\r\n"));
    await conn.read(new Uint8Array(1024)); // accepted and answered
    assertEquals(tcpNoDelay({ localPort: server.addr.port }), 1);
  } finally {
    conn.close();
  }
});
