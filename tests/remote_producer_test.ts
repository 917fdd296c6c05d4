/**
 * The remote producer against an in-process relay: publishing, the end of a stream,
 * reconnecting across a relay restart, final close codes, overflow and the 4040 re-PATCH.
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./_assert.ts";
import { ApiError } from "../lib/remote/api_client.ts";
import {
  createRemoteProducer,
  prepareRemoteStream,
  type RemoteProducer,
} from "../lib/remote/producer.ts";
import {
  api,
  newInstallId,
  startTestRelay,
  type TestRelay,
  TestViewer,
  waitUntil,
} from "./_relay.ts";
import { restartablePort } from "./_port.ts";

const FAST = { minBackoffMs: 20, maxBackoffMs: 200, closeTimeoutMs: 500 };

function viewerUrlOf(page: string): string {
  const u = new URL(page);
  return `ws://${u.host}/ws/s/${u.pathname.split("/").pop()}`;
}

function out(producer: RemoteProducer, time: number, data: string): void {
  producer.write({ time, code: "o", data });
}

Deno.test("the producer publishes a session and ends it with EOT", async () => {
  await using r = await startTestRelay();
  const me = newInstallId();
  const endpoint = await prepareRemoteStream({
    serverUrl: r.url,
    installId: me,
    title: "mine",
    env: { SHELL: "/bin/sh" },
  });
  assert(endpoint.viewerUrl?.startsWith(`${r.url}/s/`));
  const notices: string[] = [];
  const producer = createRemoteProducer(endpoint, { ...FAST, onNotice: (m) => notices.push(m) })({
    cols: 90,
    rows: 20,
  });
  out(producer, 0, "before connect\r\n");
  const viewer = new TestViewer(viewerUrlOf(endpoint.viewerUrl!));
  await waitUntil(() => producer.connected, "the producer to connect");
  await viewer.waitForText("before connect");
  out(producer, 100_000, "after connect\r\n");
  producer.write({ time: 150_000, code: "r", data: "100x30" });
  producer.write({ time: 200_000, code: "x", data: "0" });
  await viewer.waitForText("after connect");
  await producer.close();
  assertEquals((await viewer.closed).code, 1000);
  assert(viewer.messages.some((m) => m.type === "eot"), "viewer got EOT");
  assertEquals(notices, ["Connected to the server"]);
  const { json } = await api(r.url, "GET", "/api/v1/user/streams", me);
  const [stream] = json as { live: boolean; title: string; shell: string | null; env: unknown }[];
  assertEquals([stream!.live, stream!.title, stream!.env], [false, "mine", { SHELL: "/bin/sh" }]);
});

Deno.test("the producer reconnects after a relay restart within the grace period", async () => {
  const dataDir = await Deno.makeTempDir();
  let relay: TestRelay | undefined;
  try {
    relay = await startTestRelay({ dataDir, graceMs: 30_000 }, restartablePort());
    const port = Number(new URL(relay.url).port);
    const endpoint = await prepareRemoteStream({ serverUrl: relay.url, installId: newInstallId() });
    const notices: string[] = [];
    const producer = createRemoteProducer(endpoint, { ...FAST, onNotice: (m) => notices.push(m) })({
      cols: 80,
      rows: 24,
    });
    await waitUntil(() => producer.connected, "the first connection");
    out(producer, 0, "first part\r\n");
    const viewer = new TestViewer(viewerUrlOf(endpoint.viewerUrl!));
    await viewer.waitForText("first part");
    await relay.stop();
    // Viewers see 1001 (asciinema-player reconnects), the producer retries.
    assertEquals((await viewer.closed).code, 1001);
    out(producer, 1_000_000, "while down\r\n");
    relay = await startTestRelay({ dataDir, graceMs: 30_000 }, port);
    await waitUntil(() => producer.connected, "the reconnection");
    const again = new TestViewer(viewerUrlOf(endpoint.viewerUrl!));
    await again.waitForText("while down");
    assertStringIncludes(again.screenText, "first part");
    out(producer, 2_000_000, "after restart\r\n");
    await again.waitForText("after restart");
    await producer.close();
    await again.closed;
    assertEquals(notices, [
      "Connected to the server",
      "Disconnected from the server, reconnecting...",
      "Reconnected to the server",
    ]);
  } finally {
    await relay?.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("a final close from the server stops the producer for good, writes still return", async () => {
  await using r = await startTestRelay({
    bandwidth: { capacity: 1000, refillAmount: 1, refillIntervalMs: 1000 },
  });
  const endpoint = await prepareRemoteStream({ serverUrl: r.url, installId: newInstallId() });
  const notices: string[] = [];
  const producer = createRemoteProducer(endpoint, { ...FAST, onNotice: (m) => notices.push(m) })({
    cols: 80,
    rows: 24,
  });
  await waitUntil(() => producer.connected, "the connection");
  out(producer, 0, "x".repeat(2000));
  await waitUntil(() => notices.some((n) => n.startsWith("Stream halted")), "the halt notice");
  assertEquals(notices.at(-1), "Stream halted by the server: bandwidth exceeded");
  await new Promise((resolve) => setTimeout(resolve, 300));
  assertEquals(producer.connected, false);
  for (let i = 0; i < 100; i++) out(producer, 1000 + i, "more");
  await producer.close();
});

Deno.test("a connection that falls behind is dropped and replaced with a fresh Init", async () => {
  await using r = await startTestRelay();
  const endpoint = await prepareRemoteStream({ serverUrl: r.url, installId: newInstallId() });
  const notices: string[] = [];
  // highWaterBytes 0: nothing passes the socket's buffer check, so events pile up in the queue.
  const producer = createRemoteProducer(endpoint, {
    ...FAST,
    highWaterBytes: 0,
    maxQueueEvents: 5,
    onNotice: (m) => notices.push(m),
  })({ cols: 80, rows: 24 });
  await waitUntil(() => producer.connected, "the connection");
  const viewer = new TestViewer(viewerUrlOf(endpoint.viewerUrl!));
  await waitUntil(() => viewer.inits === 1, "the viewer's Init");
  const started = performance.now();
  for (let i = 0; i < 10; i++) out(producer, i * 1000, `line ${i}\r\n`);
  assert(performance.now() - started < 100, "write() never waits for the network");
  assertStringIncludes(notices.join("\n"), "fell behind");
  await viewer.waitForText("line 9");
  assert(viewer.inits >= 2, "the viewer got a fresh Init");
  await viewer.close();
  await producer.close();
});

Deno.test("after 4040 the producer marks the stream live again once and connects", async () => {
  await using r = await startTestRelay();
  const me = newInstallId();
  const endpoint = await prepareRemoteStream({ serverUrl: r.url, installId: me });
  const id =
    ((await api(r.url, "GET", "/api/v1/user/streams", me)).json as { id: number }[])[0]!.id;
  await api(r.url, "PATCH", `/api/v1/streams/${id}`, me, { live: false });
  const notices: string[] = [];
  const producer = createRemoteProducer(endpoint, { ...FAST, onNotice: (m) => notices.push(m) })(
    { cols: 80, rows: 24 },
  );
  const viewer = new TestViewer(viewerUrlOf(endpoint.viewerUrl!));
  // The relay upgrades before it says 4040, so the first Init goes nowhere; the viewer gets
  // one only from the connection made after the re-PATCH.
  await waitUntil(() => viewer.inits === 1, "the Init after re-PATCH");
  const { json } = await api(r.url, "GET", `/api/v1/streams/${id}`, me);
  assertEquals((json as { live: boolean }).live, true);
  assertEquals(notices, ["Connected to the server"]);
  await producer.close();
  await viewer.closed;
});

Deno.test("prepareRemoteStream: ws:// targets skip the API, other schemes and 401 are errors", async () => {
  assertEquals(await prepareRemoteStream({ target: "ws://127.0.0.1:1/ws/S/x" }), {
    wsUrl: "ws://127.0.0.1:1/ws/S/x",
  });
  await assertRejects(
    () => prepareRemoteStream({ target: "http://example.com/" }),
    TypeError,
    "must be a WebSocket URL",
  );
  await using r = await startTestRelay({ allowedInstallIds: new Set([newInstallId()]) });
  await assertRejects(
    () => prepareRemoteStream({ serverUrl: r.url, installId: newInstallId() }),
    ApiError,
    'run "asciirec auth" first',
  );
});
