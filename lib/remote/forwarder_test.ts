import { assert, assertEquals } from "../../tests/_assert.ts";
import { tcpNoDelay } from "../../tests/_tcp_nodelay.ts";
import { waitUntil } from "../../tests/_wait_until.ts";
import { decodeAlisMessage } from "../alis/decoder.ts";
import { alisMagic } from "../alis/message.ts";
import { serveHttp } from "../http/server.ts";
import { acceptKey, upgradeWebSocket } from "../http/websocket.ts";
import { TextTerminal } from "../stream/_text_terminal.ts";
import { LiveState } from "../stream/live_state.ts";
import { USER_AGENT } from "./api_client.ts";
import { RemoteForwarder } from "./forwarder.ts";

Deno.test("the forwarder connects as asciirec, offers v1.alis, and sends each message at once (TCP_NODELAY)", async () => {
  const heard: { agent: string | null; messages: Uint8Array[] } = { agent: null, messages: [] };
  const server = await serveHttp((request) => {
    heard.agent = request.headers.get("user-agent");
    const { socket, response } = upgradeWebSocket(request, { protocol: "v1.alis" });
    socket.onmessage = (e) => heard.messages.push(new Uint8Array(e.data as ArrayBuffer));
    return response;
  }, { port: 0 });
  const live = new LiveState({ createTerminal: (cols, rows) => new TextTerminal(cols, rows) });
  const forwarder = new RemoteForwarder(
    { wsUrl: `ws://127.0.0.1:${server.addr.port}/ws/S/token` },
    live,
    { closeTimeoutMs: 1000 },
  );
  live.begin({ cols: 80, rows: 24 });
  live.write({ time: 0, code: "o", data: "hello\r\n" });
  await waitUntil(() => heard.messages.length >= 2, "the magic and the Init");
  assertEquals(heard.agent, USER_AGENT);
  assertEquals(tcpNoDelay({ remotePort: server.addr.port }), 1);
  await live.close();
  await forwarder.finished;
  await server.shutdown();
  const types = heard.messages.slice(1).map((bytes) => decodeAlisMessage(bytes).type);
  assertEquals([...heard.messages[0]!], [...alisMagic()]);
  assertEquals(types.at(0), "init");
  assertEquals(types.at(-1), "eot");
});

Deno.test("the forwarder pings a silent server and, when no answer comes, connects again", async () => {
  // A server that accepts the upgrade, then reads and never answers anything, pings included.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const heard = { connections: 0, pings: 0 };
  const conns: Deno.Conn[] = [];
  const serving = (async () => {
    for await (const conn of listener) {
      conns.push(conn);
      heard.connections++;
      void (async () => {
        const buf = new Uint8Array(65536);
        let upgraded = false;
        try {
          for (let n; (n = await conn.read(buf)) !== null;) {
            const bytes = buf.subarray(0, n);
            if (!upgraded) {
              const key = /sec-websocket-key: *(\S+)/i.exec(new TextDecoder().decode(bytes))![1]!;
              await conn.write(new TextEncoder().encode(
                "HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\n" +
                  `sec-websocket-accept: ${await acceptKey(key)}\r\n` +
                  "sec-websocket-protocol: v1.alis\r\n\r\n",
              ));
              upgraded = true;
            } else if (bytes[0] === 0x89) heard.pings++; // a ping frame (after silence: a read of its own)
          }
        } catch {
          // dropped by the forwarder
        }
      })();
    }
  })();
  const live = new LiveState({ createTerminal: (cols, rows) => new TextTerminal(cols, rows) });
  const forwarder = new RemoteForwarder({ wsUrl: `ws://127.0.0.1:${port}/ws/S/token` }, live, {
    idleTimeoutMs: 100,
    minBackoffMs: 10,
    maxBackoffMs: 20,
    closeTimeoutMs: 200,
  });
  live.begin({ cols: 80, rows: 24 });
  await waitUntil(() => heard.connections >= 2, "a new connection after the silence", 5000);
  assert(heard.pings >= 1, "the silent server was pinged first");
  await live.close();
  await forwarder.finished;
  listener.close();
  await serving.catch(() => {});
  for (const conn of conns) {
    try {
      conn.close();
    } catch {
      // closed
    }
  }
});
