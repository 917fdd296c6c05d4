/**
 * The relay's producer and viewer WebSockets in process: hand-written producers in every
 * protocol relayed to ALiS viewers, bad producers closed with the reference's codes while
 * other streams carry on, reconnects within the grace period, the end of a stream.
 */
import { assert, assertEquals, assertStringIncludes } from "./_assert.ts";
import { encodeAlisMessage } from "../lib/alis/encoder.ts";
import { alisMagic, type AlisMessage } from "../lib/alis/message.ts";
import { openRecording } from "../lib/asciicast/reader.ts";
import {
  api,
  closed,
  createLiveStream,
  newInstallId,
  opened,
  startTestRelay,
  type TestStream,
  TestViewer,
  waitUntil,
} from "./_relay.ts";

function viewerUrl(stream: TestStream): string {
  const u = new URL(stream.url);
  return `ws://${u.host}/ws/s/${u.pathname.split("/").pop()}`;
}

async function alisProducer(
  stream: TestStream,
  init: Partial<AlisMessage & { type: "init" }> = {},
) {
  const ws = new WebSocket(stream.ws_producer_url, ["v1.alis"]);
  ws.binaryType = "arraybuffer";
  await opened(ws);
  assertEquals(ws.protocol, "v1.alis");
  ws.send(alisMagic());
  ws.send(
    encodeAlisMessage({
      type: "init",
      lastId: 0,
      time: 0,
      cols: 80,
      rows: 24,
      initData: "",
      ...init,
    }),
  );
  return ws;
}

function send(ws: WebSocket, message: AlisMessage): void {
  ws.send(encodeAlisMessage(message));
}

Deno.test("an ALiS producer is relayed to viewers: late joiners get the screen in their Init", async () => {
  await using r = await startTestRelay();
  const stream = await createLiveStream(r.url, newInstallId());
  const early = new TestViewer(viewerUrl(stream));
  await opened(early.socket);
  assertEquals(early.socket.protocol, "v1.alis");
  const producer = await alisProducer(stream, { cols: 100, rows: 30 });
  send(producer, { type: "output", id: 1, relTime: 1000, data: "hello from alis\r\n" });
  await early.waitForText("hello from alis");
  const init = early.messages.find((m) => m.type === "init");
  assertEquals(init && [init.type === "init" && init.cols, init.type === "init" && init.rows], [
    100,
    30,
  ]);
  const late = new TestViewer(viewerUrl(stream));
  await waitUntil(() => late.inits === 1, "late viewer's Init");
  assertStringIncludes(late.screenText, "hello from alis");
  send(producer, { type: "output", id: 2, relTime: 1000, data: "more" });
  await late.waitForText("more");
  producer.close();
  await Promise.all([early.close(), late.close(), closed(producer)]);
  assertEquals(early.error, undefined);
});

Deno.test("an asciicast v3 producer sending text lines is relayed as ALiS", async (t) => {
  await using r = await startTestRelay();
  for (const protocols of [["v3.asciicast"], []]) {
    await t.step(protocols.length ? "with v3.asciicast offered" : "auto-detected", async () => {
      const stream = await createLiveStream(r.url, newInstallId());
      const viewer = new TestViewer(viewerUrl(stream));
      await opened(viewer.socket);
      const ws = new WebSocket(stream.ws_producer_url, protocols);
      await opened(ws);
      assertEquals(ws.protocol, protocols[0] ?? "");
      ws.send('{"version": 3, "term": {"cols": 90, "rows": 20}}');
      ws.send('[0.1, "o", "v3 says hi\\r\\n"]');
      ws.send("\n");
      ws.send('[0.2, "r", "100x25"]');
      await viewer.waitForText("v3 says hi");
      await waitUntil(() => viewer.messages.some((m) => m.type === "resize"), "resize");
      const init = viewer.messages.find((m) => m.type === "init");
      assert(init?.type === "init");
      assertEquals([init.cols, init.rows], [90, 20]);
      // Any close ends a non-ALiS stream at once: the viewer gets EOT and a normal close.
      ws.close();
      assertEquals((await viewer.closed).code, 1000);
      assert(viewer.messages.some((m) => m.type === "eot"));
    });
  }
});

Deno.test("a raw producer with a size hint is relayed as ALiS", async () => {
  await using r = await startTestRelay();
  const stream = await createLiveStream(r.url, newInstallId());
  const viewer = new TestViewer(viewerUrl(stream));
  await opened(viewer.socket);
  const ws = new WebSocket(stream.ws_producer_url, ["raw"]);
  await opened(ws);
  ws.send(new TextEncoder().encode("\x1b[8;33;120traw start\r\n"));
  ws.send(new TextEncoder().encode("raw bytes ✓"));
  await viewer.waitForText("raw bytes ✓");
  const init = viewer.messages.find((m) => m.type === "init");
  assert(init?.type === "init");
  assertEquals([init.cols, init.rows], [120, 33]);
  ws.close();
  await viewer.closed;
});

Deno.test("bad producers get the documented close code and other streams carry on", async (t) => {
  await using r = await startTestRelay({
    bandwidth: { capacity: 2000, refillAmount: 10, refillIntervalMs: 100 },
    headerTimeoutMs: 200,
  });
  const me = newInstallId();
  const good = await createLiveStream(r.url, me);
  const viewer = new TestViewer(viewerUrl(good));
  const producer = await alisProducer(good);
  let id = 1;
  const tick = async (text: string) => {
    send(producer, { type: "output", id: id++, relTime: 1000, data: text });
    await viewer.waitForText(text);
  };
  await tick("before\r\n");
  const cases: [string, (s: TestStream) => Promise<WebSocket>, number, string][] = [
    [
      "malformed ALiS → 4005",
      async (s) => {
        const ws = await alisProducer(s);
        ws.send(new Uint8Array([0x6f, 0x01, 0x00, 0x7f, 0x41]));
        return ws;
      },
      4005,
      "message parsing error",
    ],
    [
      "bad magic → 4005",
      async (s) => {
        const ws = new WebSocket(s.ws_producer_url, ["v1.alis"]);
        await opened(ws);
        ws.send(new Uint8Array([0x41, 0x4c, 0x69, 0x53, 0x02]));
        return ws;
      },
      4005,
      "message parsing error",
    ],
    [
      "text frame on ALiS → 4005",
      async (s) => {
        const ws = await alisProducer(s);
        ws.send("hello");
        return ws;
      },
      4005,
      "message parsing error",
    ],
    [
      "oversized terminal → 4003",
      (s) => alisProducer(s, { cols: 721, rows: 24 }),
      4003,
      "invalid terminal size (721x24)",
    ],
    [
      "bandwidth over the bucket → 4004",
      async (s) => {
        const ws = await alisProducer(s);
        send(ws, { type: "output", id: 1, relTime: 0, data: "x".repeat(3000) });
        return ws;
      },
      4004,
      "bandwidth exceeded",
    ],
    [
      "no protocol and no first message → 4101",
      async (s) => {
        const ws = new WebSocket(s.ws_producer_url);
        await opened(ws);
        return ws;
      },
      4101,
      "header timeout",
    ],
  ];
  for (const [name, connect, code, reason] of cases) {
    await t.step(name, async () => {
      const s = await createLiveStream(r.url, me);
      const ws = await connect(s);
      assertEquals(await closed(ws), { code, reason });
      await tick(`after ${code}\r\n`);
    });
  }
  await t.step("wrong token → 4040 after the delay", async () => {
    const ws = new WebSocket(good.ws_producer_url.replace(/S\/.*/, "S/nope"), ["v1.alis"]);
    assertEquals(await closed(ws), { code: 4040, reason: "stream not found" });
    await tick("after wrong token\r\n");
  });
  await t.step("a stream that is not live → 4040", async () => {
    const { json } = await api(r.url, "POST", "/api/v1/streams", me, {});
    const ws = new WebSocket((json as TestStream).ws_producer_url, ["v1.alis"]);
    assertEquals((await closed(ws)).code, 4040);
  });
  await t.step("only unsupported protocols offered → HTTP 400, no upgrade", async () => {
    const response = await fetch(good.ws_producer_url.replace(/^ws/, "http"), {
      headers: {
        upgrade: "websocket",
        connection: "Upgrade",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
        "sec-websocket-version": "13",
        "sec-websocket-protocol": "v9.nope",
      },
    });
    assertEquals(response.status, 400);
    await response.body?.cancel();
  });
  await t.step("a viewer without v1.alis → 1002; an unknown stream → 4040", async () => {
    const plain = new WebSocket(viewerUrl(good), ["v2.asciicast"]);
    assertEquals(await closed(plain), { code: 1002, reason: "protocol negotiation failed" });
    const unknown = new WebSocket(viewerUrl(good).replace(/s\/[^/]+$/, "s/AAAAAAAAAAAAAAAA"), [
      "v1.alis",
    ]);
    assertEquals((await closed(unknown)).code, 4040);
  });
  await tick("still fine\r\n");
  assertEquals(viewer.inits, 1);
  producer.close();
  await viewer.close();
});

Deno.test("a second producer connection takes the stream over: the first gets 4002", async () => {
  await using r = await startTestRelay();
  const stream = await createLiveStream(r.url, newInstallId());
  const viewer = new TestViewer(viewerUrl(stream));
  const first = await alisProducer(stream);
  const firstClosed = closed(first);
  send(first, { type: "output", id: 1, relTime: 0, data: "first\r\n" });
  await viewer.waitForText("first");
  const second = await alisProducer(stream, { lastId: 1, initData: "second screen\r\n" });
  assertEquals(await firstClosed, { code: 4002, reason: "ownership lost" });
  await viewer.waitForText("second screen");
  send(second, { type: "exit", id: 2, relTime: 0, status: 0 });
  second.close(1000, "ended");
  await viewer.closed;
});

Deno.test("a producer that reconnects within the grace period continues the stream for viewers", async () => {
  await using r = await startTestRelay({ graceMs: 5000 });
  const me = newInstallId();
  const stream = await createLiveStream(r.url, me);
  const viewer = new TestViewer(viewerUrl(stream));
  const first = await alisProducer(stream);
  send(first, { type: "output", id: 1, relTime: 0, data: "one\r\n" });
  await viewer.waitForText("one");
  first.close(); // no Exit, no EOT: the stream stays live for the grace period
  await closed(first);
  const { json } = await api(r.url, "GET", `/api/v1/streams/${stream.id}`, me);
  assertEquals((json as { live: boolean }).live, true);
  const second = await alisProducer(stream, { lastId: 1, time: 5000, initData: "one\r\n" });
  await waitUntil(() => viewer.inits === 2, "a fresh Init after the reconnect");
  send(second, { type: "output", id: 2, relTime: 0, data: "two\r\n" });
  await viewer.waitForText("two");
  assertStringIncludes(viewer.screenText, "one");
  // Exit then a close ends the stream at once: EOT, close 1000, not live.
  send(second, { type: "exit", id: 3, relTime: 0, status: 0 });
  second.close(1000, "ended");
  assertEquals((await viewer.closed).code, 1000);
  assertEquals(viewer.messages.at(-1)?.type, "eot");
  const after = await api(r.url, "GET", `/api/v1/streams/${stream.id}`, me);
  assertEquals((after.json as { live: boolean }).live, false);
});

Deno.test("the grace period runs out: the stream goes offline and viewers get EOT", async () => {
  await using r = await startTestRelay({ graceMs: 150 });
  const me = newInstallId();
  const stream = await createLiveStream(r.url, me);
  const viewer = new TestViewer(viewerUrl(stream));
  const producer = await alisProducer(stream);
  send(producer, { type: "output", id: 1, relTime: 0, data: "bye\r\n" });
  await viewer.waitForText("bye");
  producer.close();
  assertEquals((await viewer.closed).code, 1000);
  assert(viewer.messages.some((m) => m.type === "eot"));
  const { json } = await api(r.url, "GET", `/api/v1/streams/${stream.id}`, me);
  assertEquals((json as { live: boolean }).live, false);
});

Deno.test("with recordStreams, an ended live stream is saved as a v3 recording", async () => {
  await using r = await startTestRelay({ recordStreams: true });
  const stream = await createLiveStream(r.url, newInstallId());
  const producer = await alisProducer(stream, { initData: "start\r\n" });
  send(producer, { type: "output", id: 1, relTime: 250_000, data: "recorded\r\n" });
  send(producer, { type: "eot", id: 2, relTime: 0 });
  producer.close();
  await closed(producer);
  let files: string[] = [];
  await waitUntil(() => {
    files = [...Deno.readDirSync(`${r.dataDir}/recordings`)].map((e) => e.name);
    return files.some((f) => f.endsWith(".cast"));
  }, "the stream's recording");
  const name = files.find((f) => f.endsWith(".cast"))!;
  let response = await fetch(`${r.url}/a/${name}`);
  for (let i = 0; i < 200 && response.status === 404; i++) {
    await response.body?.cancel();
    await new Promise((resolve) => setTimeout(resolve, 20));
    response = await fetch(`${r.url}/a/${name}`);
  }
  assertEquals(response.headers.get("content-type"), "application/x-asciicast");
  const text = await response.text();
  const path = await Deno.makeTempFile({ suffix: ".cast" });
  await Deno.writeTextFile(path, text);
  const recording = await openRecording(path);
  const events = [];
  for await (const e of recording.events) events.push(e);
  await Deno.remove(path);
  assertEquals(recording.header.cols, 80);
  assertEquals(events.map((e) => [e.time, e.code, e.data]), [[0, "o", "start\r\n"], [
    250_000,
    "o",
    "recorded\r\n",
  ]]);
});

Deno.test("a paced stream reaches each viewer in a few merged messages, whole and in order", async () => {
  // The pace a stream of thousands of viewers gets (relayPaceMs), here for three.
  await using r = await startTestRelay({ paceMs: (subscribers) => subscribers >= 3 ? 100 : 0 });
  const stream = await createLiveStream(r.url, newInstallId());
  const viewers = [0, 1, 2].map(() => new TestViewer(viewerUrl(stream)));
  await Promise.all(viewers.map((v) => opened(v.socket)));
  const producer = await alisProducer(stream);
  await Promise.all(viewers.map((v) => waitUntil(() => v.inits === 1, "an Init")));
  const lines = Array.from({ length: 50 }, (_, i) => `line ${i + 1}\r\n`);
  lines.forEach((data, i) => send(producer, { type: "output", id: i + 1, relTime: 1000, data }));
  for (const viewer of viewers) {
    await viewer.waitForText("line 50\r\n");
    const outputs = viewer.messages.filter((m) => m.type === "output");
    assertEquals(outputs.map((m) => m.type === "output" && m.data).join(""), lines.join(""));
    assert(outputs.length <= 5, `${outputs.length} messages for 50 events`);
    const last = outputs.at(-1)!;
    assertEquals(last.type === "output" && last.id, 50);
  }
  producer.close();
  await Promise.all([...viewers.map((v) => v.close()), closed(producer)]);
});
