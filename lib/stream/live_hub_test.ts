import { assert, assertEquals, assertThrows } from "../../tests/_assert.ts";
import { decodeAlisMessage } from "../alis/decoder.ts";
import type { AlisMessage } from "../alis/message.ts";
import { TextTerminal } from "./_text_terminal.ts";
import { CLOSE_LAGGING, LiveHub, type ViewerFormat, type ViewerSocket } from "./live_hub.ts";

/** A socket that records what it was sent; `leave` is wired like the server does. */
class FakeSocket implements ViewerSocket {
  bufferedAmount = 0;
  readyState = 1;
  sent: (Uint8Array | string)[] = [];
  closed: { code?: number; reason?: string } | undefined;
  leave: () => void = () => {};
  failSend = false;
  send(data: Uint8Array | string): void {
    if (this.failSend) throw new TypeError("connection reset");
    this.sent.push(data);
  }
  close(code?: number, reason?: string): void {
    this.closed = { code, reason };
    this.readyState = 3;
    queueMicrotask(() => this.leave());
  }
  /** Everything after the magic, decoded. */
  messages(): AlisMessage[] {
    assertEquals(this.sent[0], new Uint8Array([0x41, 0x4c, 0x69, 0x53, 0x01]));
    return this.sent.slice(1).map((m) => decodeAlisMessage(m as Uint8Array));
  }
}

function joinFake(hub: LiveHub, format?: ViewerFormat): FakeSocket {
  const socket = new FakeSocket();
  socket.leave = hub.join(socket, format);
  return socket;
}

const tick = (ms = 20) => new Promise((resolve) => setTimeout(resolve, ms));

function makeHub(options: Partial<ConstructorParameters<typeof LiveHub>[0]> = {}) {
  let terminal: TextTerminal | undefined;
  let clock = 0;
  const hub = new LiveHub({
    createTerminal: (cols, rows) => (terminal = new TextTerminal(cols, rows)),
    now: () => clock,
    closeTimeoutMs: 200,
    ...options,
  });
  return {
    hub,
    terminal: () => terminal!,
    advance: (ms: number) => (clock += ms),
  };
}

Deno.test("hub sends magic at once and an Init to a viewer that joined before the start", async () => {
  const { hub } = makeHub();
  const viewer = joinFake(hub);
  assertEquals(viewer.sent.length, 1);
  const theme = { fg: "#ffffff", bg: "#000000", palette: Array(16).fill("#123456") };
  hub.begin({ cols: 100, rows: 30, theme });
  await tick();
  hub.write({ time: 12_000, code: "o", data: "$ " });
  assertEquals(viewer.messages(), [
    { type: "init", lastId: 0, time: 0, cols: 100, rows: 30, theme, initData: "" },
    { type: "output", id: 1, relTime: 12_000, data: "$ " },
  ]);
  await hub.close();
});

Deno.test("hub gives a mid-stream joiner an Init plus exactly the later events", async () => {
  const { hub, advance } = makeHub();
  hub.begin({ cols: 80, rows: 24 });
  hub.write({ time: 1_000, code: "o", data: "one " });
  hub.write({ time: 2_000, code: "o", data: "two " });
  hub.write({ time: 3_000, code: "o", data: "three " });
  advance(1); // 1 ms of wall clock since the last event
  const late = joinFake(hub);
  // Events that arrive while the snapshot is being built reach the viewer after the Init.
  hub.write({ time: 10_000, code: "o", data: "four " });
  hub.write({ time: 11_000, code: "m", data: "mark" });
  await tick();
  hub.write({ time: 12_000, code: "o", data: "five" });
  const messages = late.messages();
  assertEquals(messages, [
    { type: "init", lastId: 3, time: 4_000, cols: 80, rows: 24, initData: "one two three " },
    { type: "output", id: 4, relTime: 6_000, data: "four " },
    { type: "marker", id: 5, relTime: 1_000, label: "mark" },
    { type: "output", id: 6, relTime: 1_000, data: "five" },
  ]);
  await hub.close();
});

Deno.test("hub clamps relative times at 0 when the Init time is ahead of events", async () => {
  const { hub, advance } = makeHub();
  hub.begin({ cols: 80, rows: 24 });
  hub.write({ time: 5_000_000, code: "o", data: "a" });
  advance(2_000); // the session was paused for 2 s: Init time is extrapolated past it
  const viewer = joinFake(hub);
  await tick();
  hub.write({ time: 5_500_000, code: "o", data: "b" });
  hub.write({ time: 7_500_000, code: "o", data: "c" });
  hub.write({ time: 7_600_000, code: "o", data: "d" });
  assertEquals(viewer.messages().map((m) => "relTime" in m ? m.relTime : m.type), [
    "init",
    0,
    500_000,
    100_000,
  ]);
  assertEquals((viewer.messages()[0] as { time: number }).time, 7_000_000);
  await hub.close();
});

Deno.test("hub streams every event type and applies resizes to its terminal", async () => {
  const { hub, terminal } = makeHub();
  hub.begin({ cols: 80, rows: 24 });
  const viewer = joinFake(hub);
  await tick();
  hub.write({ time: 1, code: "i", data: "l" });
  hub.write({ time: 2, code: "r", data: "100x30" });
  hub.write({ time: 3, code: "z", data: "unknown codes are not streamed" });
  hub.write({ time: 4, code: "r", data: "bogus" });
  hub.write({ time: 5, code: "m", data: "" });
  hub.write({ time: 6, code: "x", data: "130" });
  hub.write({ time: 7, code: "x", data: "-1" });
  assertEquals(viewer.messages().slice(1), [
    { type: "input", id: 1, relTime: 1, data: "l" },
    { type: "resize", id: 2, relTime: 1, cols: 100, rows: 30 },
    { type: "marker", id: 3, relTime: 3, label: "" },
    { type: "exit", id: 4, relTime: 1, status: 130 },
    { type: "exit", id: 5, relTime: 1, status: 0 },
  ]);
  assertEquals([terminal().cols, terminal().rows], [100, 30]);
  const late = joinFake(hub);
  await tick();
  const init = late.messages()[0]!;
  assertEquals(init.type === "init" && [init.lastId, init.cols, init.rows], [5, 100, 30]);
  await hub.close();
});

Deno.test("hub disconnects a lagging viewer without holding back the others", async () => {
  const { hub } = makeHub({ maxQueueEvents: 10, highWaterBytes: 1000 });
  hub.begin({ cols: 80, rows: 24 });
  const stuck = joinFake(hub);
  const fine = joinFake(hub);
  await tick();
  stuck.bufferedAmount = 1_000_000; // its network buffer is full and never drains
  for (let i = 1; i <= 50; i++) hub.write({ time: i * 1000, code: "o", data: `${i} ` });
  assertEquals(stuck.closed, { code: CLOSE_LAGGING, reason: "viewer fell behind" });
  assertEquals(stuck.messages().length, 1); // the Init only
  // The other viewer got every event synchronously, in order.
  assertEquals(
    fine.messages().slice(1).map((m) => m.type === "output" && m.id),
    [
      ...Array(50).keys(),
    ].map((i) => i + 1),
  );
  await tick();
  assertEquals(hub.viewerCount, 1);
  await hub.close();
});

Deno.test("hub queues for a briefly slow viewer and delivers everything in order", async () => {
  const { hub } = makeHub({ highWaterBytes: 1000 });
  hub.begin({ cols: 80, rows: 24 });
  const slow = joinFake(hub);
  await tick();
  slow.bufferedAmount = 5000;
  for (let i = 1; i <= 100; i++) hub.write({ time: i, code: "o", data: `${i} ` });
  assertEquals(slow.messages().length, 1);
  slow.bufferedAmount = 0;
  await tick();
  assertEquals(
    slow.messages().slice(1).map((m) => m.type === "output" && m.data).join(""),
    [
      ...Array(100).keys(),
    ].map((i) => `${i + 1} `).join(""),
  );
  assertEquals(slow.closed, undefined);
  await hub.close();
});

Deno.test("hub drops a viewer whose send fails and a viewer whose socket closed", async () => {
  const { hub } = makeHub();
  hub.begin({ cols: 80, rows: 24 });
  const failing = joinFake(hub);
  const gone = joinFake(hub);
  const fine = joinFake(hub);
  await tick();
  failing.failSend = true;
  gone.readyState = 3;
  hub.write({ time: 1, code: "o", data: "x" });
  await tick();
  assertEquals(hub.viewerCount, 1);
  assertEquals(fine.messages().length, 2);
  await hub.close();
});

Deno.test("hub ends with Exit, EOT and close 1000, and waits for viewers to leave", async () => {
  const { hub, terminal, advance } = makeHub();
  hub.begin({ cols: 80, rows: 24 });
  const viewer = joinFake(hub);
  await tick();
  hub.write({ time: 1_000, code: "o", data: "bye" });
  hub.write({ time: 2_000, code: "x", data: "0" });
  const pending = joinFake(hub); // still waiting for its snapshot when the session ends
  advance(3);
  await hub.close();
  assertEquals(viewer.messages().slice(1), [
    { type: "output", id: 1, relTime: 1_000, data: "bye" },
    { type: "exit", id: 2, relTime: 1_000, status: 0 },
    { type: "eot", relTime: 3_000 },
  ]);
  assertEquals(viewer.closed, { code: 1000, reason: "Stream ended" });
  assertEquals(pending.messages(), [
    { type: "init", lastId: 2, time: 2_000, cols: 80, rows: 24, initData: "bye" },
    { type: "eot", relTime: 3_000 },
  ]);
  assertEquals(pending.closed?.code, 1000);
  assertEquals(hub.viewerCount, 0);
  assert(terminal().disposed);
  hub.write({ time: 3_000, code: "o", data: "ignored after the end" });
});

Deno.test("hub shows the final screen and the end to a viewer joining after the end", async () => {
  const { hub } = makeHub();
  hub.begin({ cols: 80, rows: 24 });
  hub.write({ time: 1_000, code: "o", data: "final" });
  await hub.close();
  const viewer = joinFake(hub);
  await tick();
  assertEquals(viewer.messages(), [
    { type: "init", lastId: 1, time: 1_000, cols: 80, rows: 24, initData: "final" },
    { type: "eot", relTime: 0 },
  ]);
  assertEquals(viewer.closed?.code, 1000);
});

Deno.test("hub close gives up on viewers that never leave after the timeout", async () => {
  const { hub } = makeHub({ closeTimeoutMs: 30 });
  hub.begin({ cols: 80, rows: 24 });
  const viewer = joinFake(hub);
  viewer.leave = () => {}; // its close handshake never completes
  await tick();
  await hub.close();
  assertEquals(hub.viewerCount, 0);
});

Deno.test("hub refuses events before begin and a second begin", async () => {
  const { hub } = makeHub();
  assertThrows(() => hub.write({ time: 0, code: "o", data: "" }), Error, "before begin");
  hub.begin({ cols: 80, rows: 24 });
  assertThrows(() => hub.begin({ cols: 80, rows: 24 }), Error, "twice");
  await hub.close();
});

Deno.test("hub streams asciicast v3 text to a v3 viewer, with the screen as its first output", async () => {
  const { hub, advance } = makeHub();
  const theme = { fg: "#ffffff", bg: "#000000", palette: Array(8).fill("#808080") };
  hub.begin({ cols: 80, rows: 24, theme });
  hub.write({ time: 1_000_000, code: "o", data: "before" });
  advance(500);
  const viewer = joinFake(hub, "v3");
  hub.write({ time: 1_600_000, code: "o", data: "after" });
  await tick();
  hub.write({ time: 1_600_001, code: "r", data: "100x30" });
  hub.write({ time: 1_700_000, code: "x", data: "2" });
  await hub.close();
  assertEquals(viewer.sent, [
    JSON.stringify({
      version: 3,
      term: { cols: 80, rows: 24, theme: { ...theme, palette: theme.palette.join(":") } },
    }),
    '[0,"o","before"]',
    '[0.1,"o","after"]',
    '[0.000001,"r","100x30"]',
    '[0.099999,"x","2"]',
  ]);
  assertEquals(viewer.closed, { code: 1000, reason: "Stream ended" });
});

Deno.test("hub streams asciicast v2 text with times from the viewer's start", async () => {
  const { hub, advance } = makeHub();
  hub.begin({ cols: 80, rows: 24 });
  advance(2_000);
  const viewer = joinFake(hub, "v2");
  await tick();
  hub.write({ time: 2_500_000, code: "o", data: "a" });
  hub.write({ time: 3_000_000, code: "m", data: "m1" });
  await hub.close();
  assertEquals(viewer.sent, [
    '{"version":2,"width":80,"height":24}',
    '[0.5,"o","a"]',
    '[1,"m","m1"]',
  ]);
});
