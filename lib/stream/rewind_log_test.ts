import { assert, assertEquals } from "../../tests/_assert.ts";
import { openRecording } from "../asciicast/reader.ts";
import type { Event, Header } from "../asciicast/event.ts";
import { Vt } from "../vt/vt.ts";
import { type LiveEvent, type LiveInit, LiveState } from "./live_state.ts";
import { RewindLog } from "./rewind_log.ts";

const INIT: LiveInit = { lastId: 0, time: 0, cols: 80, rows: 24, initData: "" };

function output(id: number, time: number, data: string): LiveEvent {
  return { id, time, code: "o", data };
}

async function readCast(log: RewindLog, title?: string) {
  const response = log.response(new Request("http://x/rewind.cast"), { title });
  assertEquals(response.status, 200);
  const bytes = new Uint8Array(await response.arrayBuffer());
  assertEquals(Number(response.headers.get("content-length")), bytes.length);
  return { bytes, text: new TextDecoder().decode(bytes) };
}

/** The cast read back by the project's asciicast reader. */
async function events(text: string): Promise<{ header: Header; events: Event[] }> {
  const path = await Deno.makeTempFile({ suffix: ".cast" });
  try {
    await Deno.writeTextFile(path, text);
    const recording = await openRecording(path);
    const out: Event[] = [];
    for await (const event of recording.events) out.push(event);
    return { header: recording.header, events: out };
  } finally {
    await Deno.remove(path);
  }
}

Deno.test("rewind log serves the session so far as asciicast v3, from its first Init", async () => {
  const log = new RewindLog({ now: () => 1_700_000_000_000 });
  assertEquals(log.response(new Request("http://x/rewind.cast")).status, 404);
  log.init({ ...INIT, time: 2_000_000, initData: "\x1b[1mscreen\x1b[m" }, false);
  log.event(output(1, 2_500_000, "hello\r\n"));
  log.event({ id: 2, time: 3_000_000, code: "r", data: "100x30" });
  log.event({ id: 3, time: 4_000_000, code: "m", data: "here" });
  const { text } = await readCast(log, "demo");
  const { header, events: got } = await events(text);
  assertEquals(
    [header.version, header.cols, header.rows, header.timestamp, header.title],
    [3, 80, 24, 1_700_000_000, "demo"],
  );
  assertEquals(
    text.split("\n")[0],
    '{"version":3,"term":{"cols":80,"rows":24},"timestamp":1700000000,"title":"demo"}',
  );
  assertEquals(got, [
    { time: 0, code: "o", data: "\x1b[1mscreen\x1b[m" },
    { time: 500_000, code: "o", data: "hello\r\n" },
    { time: 1_000_000, code: "r", data: "100x30" },
    { time: 2_000_000, code: "m", data: "here" },
  ]);
  assertEquals(log.status?.events, 4);
  assertEquals(log.status?.duration, 2);
  await log.close();
});

Deno.test("rewind log moves its oldest lines to an unlinked file past its memory bound", async () => {
  const dir = await Deno.makeTempDir({ prefix: "asciirec-rewind-test-" });
  try {
    const small = new RewindLog({ memoryBytes: 2 * 1024 * 1024, tempDir: dir });
    const whole = new RewindLog({ memoryBytes: 1e12 });
    for (const log of [small, whole]) log.init(INIT, false);
    const line = "0123456789abcdef✓".repeat(64) + "\r\n";
    let id = 0;
    for (let i = 0; i < 10_000; i++) {
      const event = output(++id, i * 1000, `${i} ${line}`);
      small.event(event);
      whole.event(event);
      if (i === 5000) await new Promise((resolve) => setTimeout(resolve, 0));
    }
    // Reading while lines are still moving to the file gives the same bytes.
    const [a, b] = await Promise.all([readCast(small), readCast(whole)]);
    assertEquals(a.bytes.length, b.bytes.length);
    assertEquals(a.text, b.text);
    await small.settled();
    const status = small.status!;
    assert(status.bytes > 10 * 1024 * 1024, `${status.bytes} bytes logged`);
    assert(status.fileBytes > 7 * 1024 * 1024, `${status.fileBytes} bytes in the file`);
    assert(status.memoryBytes <= 3 * 1024 * 1024, `${status.memoryBytes} bytes in memory`);
    assertEquals(whole.status!.fileBytes, 0);
    // The file is open but already gone from the directory.
    assertEquals([...Deno.readDirSync(dir)], []);
    const later = await readCast(small);
    assertEquals(later.text, b.text);
    await small.close();
    await whole.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a session that waits when the live state asks keeps the log within its bound", async () => {
  const dir = await Deno.makeTempDir({ prefix: "asciirec-rewind-test-" });
  try {
    const bound = 2 * 1024 * 1024;
    const live = new LiveState({ createTerminal: (cols, rows) => new Vt(cols, rows) });
    const log = new RewindLog({ memoryBytes: bound, tempDir: dir });
    live.subscribe(log);
    live.begin({ cols: 80, rows: 24 });
    while (!log.status) await new Promise((resolve) => setTimeout(resolve, 1)); // its Init
    // A producer as fast as memory (no turn of the event loop unless asked to wait): the
    // file's writes would otherwise all be in flight at once.
    const piece = "0123456789abcdef".repeat(4096) + "\r\n";
    let peak = 0;
    let waits = 0;
    for (let i = 0; i < 300; i++) {
      live.write({ time: i * 1000, code: "o", data: piece });
      peak = Math.max(peak, log.status!.memoryBytes);
      const wait = live.backpressure();
      if (wait) {
        waits++;
        await wait;
      }
    }
    await log.settled();
    assert(log.status!.fileBytes > 15 * 1024 * 1024, JSON.stringify(log.status));
    assert(waits > 0, "the log asked the session to wait");
    assert(peak <= bound + 1024 * 1024 + 2 * piece.length, `${peak} bytes in memory at most`);
    assertEquals(log.backpressure(), undefined);
    await live.close();
    await log.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("rewind log stops at its size bound and says it is truncated", async (t) => {
  // Plain text, and escapes that take 6 bytes a character as JSON: the bound holds for both.
  for (
    const [name, data, maxBytes] of [["text", "x".repeat(40), 1000], [
      "escapes",
      "\x1b".repeat(40),
      100_000,
    ]] as const
  ) {
    await t.step(name, async () => {
      const notices: string[] = [];
      const log = new RewindLog({ maxBytes, onNotice: (m) => notices.push(m) });
      log.init(INIT, false);
      for (let i = 1; i <= 1000; i++) log.event(output(i, i * 1000, data));
      const status = log.status!;
      assert(status.truncated);
      assert(status.bytes <= maxBytes, `${status.bytes}`);
      assert(status.bytes > maxBytes * 0.9, `${status.bytes}: stopped too early`);
      assertEquals(notices.length, 1);
      const { text } = await readCast(log);
      assertEquals((await events(text)).events.length, status.events);
      await log.close();
    });
  }
});

Deno.test("rewind log starts over on a producer's new session and continues a seamless resume", async () => {
  const log = new RewindLog();
  log.init(INIT, false);
  log.event(output(1, 1000, "one"));
  const first = log.status!.id;
  // Same last id and size: the producer picked up where it left off.
  log.init({ ...INIT, lastId: 1, time: 2000, initData: "one" }, true);
  log.event(output(2, 3000, "two"));
  assertEquals(log.status!.id, first);
  assertEquals((await events((await readCast(log)).text)).events.map((e) => e.data), [
    "one",
    "two",
  ]);
  // Another last id: a new session, a new log.
  log.init({ ...INIT, lastId: 0, time: 0, initData: "fresh" }, true);
  assert(log.status!.id !== first, "a new log id");
  assertEquals((await events((await readCast(log)).text)).events.map((e) => e.data), ["fresh"]);
  await log.close();
});
