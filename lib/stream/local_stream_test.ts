import { assertEquals, assertMatch } from "../../tests/_assert.ts";
import { decodeAlisMessage } from "../alis/decoder.ts";
import { LiveHub } from "./live_hub.ts";
import { startLocalStream } from "./local_stream.ts";

Deno.test("local stream serves the session it is plugged into and ends with it", async () => {
  const live = new LiveHub();
  const stream = await startLocalStream({ live, title: "t" });
  assertEquals(stream.exposed, false);
  assertMatch(stream.urls[0]!, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  const socket = new WebSocket(stream.urls[0]!.replace("http", "ws") + "ws", "v1.alis");
  socket.binaryType = "arraybuffer";
  const received: Uint8Array[] = [];
  socket.onmessage = (e) => received.push(new Uint8Array(e.data as ArrayBuffer));
  const closed = new Promise<CloseEvent>((resolve) => (socket.onclose = resolve));
  await new Promise((resolve) => (socket.onopen = resolve));

  live.begin({ cols: 40, rows: 5 });
  const sink = live;
  sink.write({ time: 10, code: "o", data: "hi" });
  await sink.close();
  await stream.close();
  await stream.close();
  assertEquals((await closed).code, 1000);
  const types = received.slice(1).map((bytes) => decodeAlisMessage(bytes).type);
  assertEquals(types, ["init", "output", "eot"]);
});
