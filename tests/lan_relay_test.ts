/**
 * `serve`'s stream pages rewind as `stream --local`'s do, per producer session, and cap
 * their viewers; in-process relay, a real ALiS producer socket.
 */
import { assert, assertEquals, assertStringIncludes } from "./_assert.ts";
import { encodeAlisMessage } from "../lib/alis/encoder.ts";
import { alisMagic, type AlisMessage } from "../lib/alis/message.ts";
import {
  closed,
  createLiveStream,
  newInstallId,
  opened,
  startTestRelay,
  TestViewer,
  waitUntil,
} from "./_relay.ts";

async function producer(url: string, lastId: number, initData = ""): Promise<WebSocket> {
  const ws = new WebSocket(url, ["v1.alis"]);
  ws.binaryType = "arraybuffer";
  await opened(ws);
  ws.send(alisMagic());
  const init: AlisMessage = { type: "init", lastId, time: 0, cols: 80, rows: 24, initData };
  ws.send(encodeAlisMessage(init));
  return ws;
}

function output(ws: WebSocket, id: number, data: string): void {
  ws.send(encodeAlisMessage({ type: "output", id, relTime: 1000, data }));
}

Deno.test("a relay stream page rewinds the producer session and caps its viewers", async () => {
  await using r = await startTestRelay({ maxViewers: 1 });
  const stream = await createLiveStream(r.url, newInstallId());
  const page = `${stream.url}/`;
  const token = new URL(stream.url).pathname.split("/")[2]!;
  const first = await producer(stream.ws_producer_url, 0);
  output(first, 1, "first session, first line\r\n");
  output(first, 2, "first session, second line\r\n");
  const cast = async () => {
    const response = await fetch(`${page}rewind.cast`);
    return { id: response.headers.get("x-asciirec-rewind"), text: await response.text() };
  };
  await waitUntil(async () => (await cast()).text.includes("second line"), "the rewind log");
  const one = await cast();
  assertStringIncludes(one.text, "first session, first line");
  assertEquals(JSON.parse(one.text.split("\n")[0]!).version, 3);
  const status = await (await fetch(`${page}status`)).json();
  assertEquals([status.state, status.maxViewers, status.rewind.id], ["live", 1, one.id]);

  // One viewer at most: the second is refused with the reason, and the page says it is full.
  const viewer = new TestViewer(`${r.url.replace("http", "ws")}/ws/s/${token}`);
  await viewer.waitForText("second line");
  const refused = new TestViewer(`${r.url.replace("http", "ws")}/ws/s/${token}`);
  assertEquals((await refused.closed).code, 4029);
  const full = await fetch(page);
  assertEquals(full.status, 503);
  assertStringIncludes(await full.text(), "This stream is full");

  // A producer that resumes where it left off continues the same log…
  first.close();
  await closed(first);
  const resumed = await producer(stream.ws_producer_url, 2, "first session, second line\r\n");
  output(resumed, 3, "resumed line\r\n");
  await waitUntil(async () => (await cast()).text.includes("resumed line"), "the resumed log");
  assertEquals((await cast()).id, one.id);
  // …a new producer session starts a new one.
  resumed.close();
  await closed(resumed);
  const second = await producer(stream.ws_producer_url, 0);
  output(second, 1, "second session\r\n");
  await waitUntil(async () => (await cast()).text.includes("second session"), "the new log");
  const two = await cast();
  assert(two.id !== one.id, "a new log id");
  assert(!two.text.includes("first session"), two.text);
  second.close();
  await closed(second);
  await viewer.close();
});

Deno.test("serve without rewind has no rewind.cast", async () => {
  await using r = await startTestRelay({ rewind: false });
  const stream = await createLiveStream(r.url, newInstallId());
  const ws = await producer(stream.ws_producer_url, 0);
  output(ws, 1, "hello\r\n");
  const response = await fetch(`${stream.url}/rewind.cast`);
  assertEquals(response.status, 404);
  await response.body?.cancel();
  const page = await (await fetch(`${stream.url}/`)).text();
  assertStringIncludes(page, 'data-rewind="off"');
  ws.close();
  await closed(ws);
});

Deno.test("a producer flooding a relay whose rewind log spills to its file: its reads wait for the file, and nothing is lost or reordered", async () => {
  // 1 MiB of log in memory: the flood's 8 MB goes to the file chunk by chunk, and each write
  // holds the producer's reads until it is done.
  const bound = 1024 * 1024;
  await using r = await startTestRelay({ rewind: { memoryBytes: bound } }); // 60 MB burst
  const stream = await createLiveStream(r.url, newInstallId());
  const ws = await producer(stream.ws_producer_url, 0);
  const line = (i: number) => `line ${String(i).padStart(6, "0")} ${"x".repeat(8000)}\r\n`;
  const count = 1000;
  for (let i = 1; i <= count; i++) output(ws, i, line(i));
  const page = `${stream.url}/`;
  const status = async () => await (await fetch(`${page}status`)).json();
  await waitUntil(async () => (await status()).rewind.events === count, "the whole flood", 30_000);
  const s = await status();
  assert(s.rewind.fileBytes > 4 * bound, JSON.stringify(s));
  assert(s.rewind.memoryBytes <= bound + 2 * 1024 * 1024, JSON.stringify(s));
  const text = await (await fetch(`${page}rewind.cast`)).text();
  const ids = [...text.matchAll(/line (\d{6}) /g)].map((m) => Number(m[1]));
  assertEquals(ids, Array.from({ length: count }, (_, i) => i + 1));
  ws.close();
  await closed(ws);
});
