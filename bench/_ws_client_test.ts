import { assertEquals, assertThrows } from "../tests/_assert.ts";
import { handshakeEnd, readServerFrames, upgradeRequest } from "./_ws_client.ts";

function frame(opcode: number, payload: number[]): number[] {
  const n = payload.length;
  const length = n < 126
    ? [n]
    : n < 65536
    ? [126, n >> 8, n & 0xff]
    : [127, 0, 0, 0, 0, 0, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return [0x80 | opcode, ...length, ...payload];
}

Deno.test("server frames: messages of each length form, pings skipped, an incomplete frame left", () => {
  const big = Array.from({ length: 300 }, (_, i) => i & 0xff);
  const huge = Array.from({ length: 70_000 }, (_, i) => i % 7);
  const bytes = new Uint8Array([
    ...frame(2, [1, 2]),
    ...frame(9, []),
    ...frame(1, big),
    ...frame(2, huge),
    ...frame(2, [5, 6, 7]).slice(0, 3),
  ]);
  const got: number[][] = [];
  const read = readServerFrames(bytes, 0, bytes.length, (m) => got.push([...m]));
  assertEquals(got, [[1, 2], big, huge]);
  assertEquals(read, { at: bytes.length - 3, closed: false, pending: 5 });
  // A header cut short: nothing known of the frame's size yet.
  assertEquals(readServerFrames(bytes, bytes.length - 1, bytes.length, () => {}).pending, 0);
});

Deno.test("server frames: a close frame ends the reading", () => {
  const bytes = new Uint8Array([...frame(2, [1]), ...frame(8, [0x03, 0xe8]), ...frame(2, [2])]);
  const got: number[][] = [];
  assertEquals(readServerFrames(bytes, 0, bytes.length, (m) => got.push([...m])), {
    at: 7,
    closed: true,
    pending: 0,
  });
  assertEquals(got, [[1]]);
});

Deno.test("the upgrade request asks for the path and protocol; the head ends before the frames", () => {
  const request = new TextDecoder().decode(upgradeRequest("127.0.0.1:80", "/ws/s/x", "v1.alis"));
  assertEquals(request.split("\r\n")[0], "GET /ws/s/x HTTP/1.1");
  assertEquals(request.includes("\r\nHost: 127.0.0.1:80\r\n"), true);
  assertEquals(request.includes("\r\nSec-WebSocket-Protocol: v1.alis\r\n"), true);
  assertEquals(request.endsWith("\r\n\r\n"), true);
  const head = "HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\n\r\n";
  const bytes = new Uint8Array([...new TextEncoder().encode(head), 0x82, 0x01, 0xff]);
  assertEquals(handshakeEnd(bytes, head.length - 1), -1);
  assertEquals(handshakeEnd(bytes, bytes.length), head.length);
  const refused = new TextEncoder().encode("HTTP/1.1 404 Not Found\r\n\r\n");
  assertThrows(() => handshakeEnd(refused, refused.length), Error, "HTTP/1.1 404 Not Found");
});
