/**
 * The relay under hostile producers and clients: escape-sequence bombs and floods on one
 * stream leave the others and the HTTP server responsive, an oversized frame is refused
 * before it is processed, absurd times never reach a recording, a producer's second Init
 * reaches viewers as one new Init, NUL in fields is refused, `/connect` explains itself, and
 * a second relay on the same data directory refuses to start.
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
import { runCli } from "./_cli.ts";
import { LiveCli } from "./_live_cli.ts";

function viewerUrl(stream: TestStream): string {
  const u = new URL(stream.url);
  return `ws://${u.host}/ws/s/${u.pathname.split("/").pop()}`;
}

async function alisProducer(stream: TestStream, lastId = 0, initData = ""): Promise<WebSocket> {
  const ws = new WebSocket(stream.ws_producer_url, ["v1.alis"]);
  ws.binaryType = "arraybuffer";
  await opened(ws);
  ws.send(alisMagic());
  send(ws, { type: "init", lastId, time: 0, cols: 80, rows: 24, initData });
  return ws;
}

function send(ws: WebSocket, message: AlisMessage): void {
  ws.send(encodeAlisMessage(message));
}

const BOMBS = ["S", "T", "L", "M", "@", "P", "X", "Z", "b"]
  .map((f) => `ab\x1b[999999999${f}`).join("");

Deno.test("a bomb or a flood on one stream leaves other streams and the HTTP server responsive", async () => {
  await using r = await startTestRelay();
  const me = newInstallId();
  const quiet = await createLiveStream(r.url, me);
  const viewer = new TestViewer(viewerUrl(quiet));
  const good = await alisProducer(quiet);
  send(good, { type: "output", id: 1, relTime: 0, data: "steady 0\r\n" });
  await viewer.waitForText("steady 0");

  const loud = await createLiveStream(r.url, me);
  const bomber = await alisProducer(loud);
  const started = performance.now();
  send(bomber, { type: "output", id: 1, relTime: 0, data: BOMBS.repeat(20) });
  // A flood within the burst: 8 MB in 64 KB messages.
  const chunk = "y".repeat(64 * 1024);
  for (let i = 0; i < 128; i++) {
    send(bomber, { type: "output", id: i + 2, relTime: 0, data: chunk });
  }
  // Meanwhile the quiet stream and the API answer promptly.
  send(good, { type: "output", id: 2, relTime: 0, data: "steady 1\r\n" });
  await viewer.waitForText("steady 1");
  const { status } = await api(r.url, "GET", "/api/v1/user/streams", me);
  assertEquals(status, 200);
  const took = performance.now() - started;
  assert(took < 10_000, `the quiet stream waited ${Math.round(took)} ms`);
  // A late joiner of the loud stream gets its Init (the terminal kept up).
  const late = new TestViewer(viewerUrl(loud));
  await waitUntil(() => late.inits === 1, "the loud stream's late joiner's Init");
  bomber.close();
  good.close();
  await Promise.all([late.close(), viewer.close(), closed(bomber), closed(good)]);
});

Deno.test("a frame larger than the burst is refused with 4004 before it is processed", async () => {
  await using r = await startTestRelay({
    bandwidth: { capacity: 1_000_000, refillAmount: 10_000, refillIntervalMs: 100 },
  });
  const stream = await createLiveStream(r.url, newInstallId());
  const producer = await alisProducer(stream);
  const started = performance.now();
  send(producer, { type: "output", id: 1, relTime: 0, data: "z".repeat(20_000_000) });
  const { code, reason } = await closed(producer);
  assertEquals([code, reason], [4004, "bandwidth exceeded"]);
  // Processing 20 MB took 7.7 s before; refusing it at its header takes its reception only.
  assert(performance.now() - started < 5000, `${performance.now() - started} ms`);
});

Deno.test("absurd producer times close the producer and never reach a recording", async () => {
  await using r = await startTestRelay({ recordStreams: true });
  const stream = await createLiveStream(r.url, newInstallId());
  const ws = new WebSocket(stream.ws_producer_url, ["v3.asciicast"]);
  await opened(ws);
  ws.send('{"version": 3, "term": {"cols": 80, "rows": 24}}');
  ws.send('[0.5, "o", "fine\\r\\n"]');
  ws.send('[1e21, "o", "absurd"]');
  const { code } = await closed(ws);
  assertEquals(code, 4005);
  let files: string[] = [];
  await waitUntil(() => {
    files = [...Deno.readDirSync(`${r.dataDir}/recordings`)].map((e) => e.name);
    return files.some((f) => f.endsWith(".cast"));
  }, "the recording");
  const token = files.find((f) => f.endsWith(".cast"))!.slice(0, -5);
  // Registered once it is written whole.
  await waitUntil(async () => {
    const response = await fetch(`${r.url}/a/${token}.cast`);
    await response.body?.cancel();
    return response.status === 200;
  }, "the recording to be saved");
  const recording = await openRecording(`${r.dataDir}/recordings/${token}.cast`);
  const data: string[] = [];
  for await (const event of recording.events) data.push(event.data);
  assertEquals(data.join(""), "fine\r\n");
});

Deno.test("a producer's second Init reaches each viewer as one new Init: no magic, nothing lost", async () => {
  await using r = await startTestRelay({ graceMs: 5000 });
  const stream = await createLiveStream(r.url, newInstallId());
  const viewer = new TestViewer(viewerUrl(stream));
  const first = await alisProducer(stream);
  send(first, { type: "output", id: 1, relTime: 0, data: "one\r\n" });
  send(first, { type: "output", id: 2, relTime: 0, data: "two\r\n" });
  await viewer.waitForText("two");
  // Reconnected, as after a network drop: a new connection with a new Init.
  first.close();
  await closed(first);
  const second = await alisProducer(stream, 2, "one\r\ntwo\r\n");
  send(second, { type: "output", id: 3, relTime: 0, data: "three\r\n" });
  await viewer.waitForText("three");
  assertEquals(viewer.inits, 2);
  const types = viewer.messages.map((m) => m.type);
  assertEquals(types, ["init", "output", "output", "init", "output"]);
  const outputs = viewer.messages.flatMap((m) => m.type === "output" ? [m.data] : []);
  assertEquals(outputs, ["one\r\n", "two\r\n", "three\r\n"]);
  const init = viewer.messages[3]!;
  assert(init.type === "init" && init.lastId === 2 && init.initData === "one\r\ntwo\r\n");
  second.close();
  await Promise.all([viewer.close(), closed(second)]);
});

Deno.test("NUL in stream fields and upload titles is refused, not cut", async () => {
  await using r = await startTestRelay();
  const me = newInstallId();
  const created = await api(r.url, "POST", "/api/v1/streams", me, { title: "a\u0000b" });
  assertEquals(created.status, 422);
  assertStringIncludes(JSON.stringify(created.json), "must not contain NUL characters");
  const form = new FormData();
  const cast = '{"version":2,"width":80,"height":24,"title":"x\\u0000y"}\n[0.1, "o", "hi"]\n';
  form.append("file", new File([cast], "t.cast"));
  const upload = await fetch(`${r.url}/api/v1/recordings`, {
    method: "POST",
    headers: { authorization: `Basic ${btoa(`u:${me}`)}` },
    body: form,
  });
  assertEquals(upload.status, 422);
  assertStringIncludes(await upload.text(), "NUL character");
});

Deno.test("/connect/<install id> explains how this relay authorizes and shows the id", async () => {
  const id = newInstallId();
  await using open = await startTestRelay();
  let page = await fetch(`${open.url}/connect/${id}`);
  assertEquals(page.status, 200);
  assertStringIncludes(await page.text(), "accepts <strong>any install id</strong>");
  await using closedRelay = await startTestRelay({ allowedInstallIds: new Set() });
  page = await fetch(`${closedRelay.url}/connect/${id}`);
  const text = await page.text();
  assertStringIncludes(text, `<code id="install-id">${id}</code>`);
  assertStringIncludes(text, "--install-ids");
  assertEquals((await fetch(`${open.url}/connect/not-an-id`)).status, 404);
});

Deno.test("a second serve on the same data directory refuses to start", async () => {
  await using r = await startTestRelay();
  const second = await runCli(["serve", "--data-dir", r.dataDir, "--listen", "127.0.0.1:0"]);
  assertEquals(second.code, 1);
  assertStringIncludes(second.stderr, "is in use by another process (another asciirec serve?)");
});

Deno.test("serve raises a low soft open file limit, and says how many connections a hard one allows", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "asciirec-serve-fd-" });
  const start = (softUlimit: boolean) =>
    new LiveCli(
      ["serve", "--listen", "127.0.0.1:0", "--data-dir", `${dir}/relay`],
      dir,
      { ulimit: 256, softUlimit, env: { HOME: dir } },
    );
  const stop = async (serve: LiveCli) => {
    serve.child.kill("SIGTERM");
    await serve.exit();
  };
  try {
    await t.step("a soft limit is raised to the hard one", async () => {
      const serve = start(true);
      try {
        await waitUntil(() => serve.stderr.includes("listening on"), "serve to listen");
        const field = (text: string) =>
          text.split("\n").find((l) => l.startsWith("Max open files"))!.split(/\s+/);
        const [soft, hard] = field(await Deno.readTextFile(`/proc/${serve.child.pid}/limits`))
          .slice(3, 5).map(Number);
        assertEquals(soft, Math.min(hard!, 1 << 20));
        assert(soft! > 256, `soft limit ${soft}`);
      } finally {
        await stop(serve);
      }
    });
    await t.step("a hard limit caps the connections, and serve says so", async () => {
      const serve = start(false);
      try {
        // The warning is the line after the address: it may come in a later read of stderr.
        const warning =
          "the open file limit allows 192 connections at once (raise it with ulimit -n for up to 10000)";
        await waitUntil(() => serve.stderr.includes(warning), `serve to say: ${warning}`);
        assertStringIncludes(serve.stderr, "listening on");
      } finally {
        await stop(serve);
      }
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
