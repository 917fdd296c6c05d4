import { assertEquals } from "../../tests/_assert.ts";
import { tcpNoDelay } from "../../tests/_tcp_nodelay.ts";
import { waitUntil } from "../../tests/_wait_until.ts";
import { decodeAlisMessage } from "../alis/decoder.ts";
import { alisMagic } from "../alis/message.ts";
import { serveHttp } from "../http/server.ts";
import { upgradeWebSocket } from "../http/websocket.ts";
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
