import { assert, assertEquals, assertRejects } from "../../tests/_assert.ts";
import type { Event, Header } from "./event.ts";
import { openRecording } from "./reader.ts";
import { type CastWriterOptions, createCastWriter } from "./writer.ts";
import { inspectForAppend } from "./append.ts";
import { type EncoderFactory, rawEncoder, v2Encoder, v3Encoder } from "./encoder.ts";

/** A destination that keeps every chunk it is given. */
function sink() {
  const chunks: Uint8Array[] = [];
  let closed = false;
  const stream = new WritableStream<Uint8Array>({
    write(chunk) {
      chunks.push(chunk.slice());
    },
    close() {
      closed = true;
    },
  });
  return {
    stream,
    chunks,
    get closed() {
      return closed;
    },
    text: () => new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c]))),
  };
}

/** Writer options for the asciicast format called `name`. */
function fmt(name: string): Pick<CastWriterOptions, "encoder" | "format"> {
  const encoders: Record<string, EncoderFactory> = {
    "asciicast-v3": v3Encoder,
    "asciicast-v2": v2Encoder,
    raw: rawEncoder,
  };
  return { encoder: encoders[name]!, format: name };
}

async function write(header: Header, events: Event[], options: CastWriterOptions) {
  const out = sink();
  const writer = createCastWriter(out.stream, header, options);
  for (const event of events) writer.write(event);
  await writer.close();
  assert(out.closed, "the destination was closed");
  return out.text();
}

const HEADER: Header = { version: 3, cols: 80, rows: 24, termType: "xterm-256color" };
const EVENTS: Event[] = [
  { time: 104_213, code: "o", data: "$ " },
  { time: 1_560_877, code: "i", data: "ls\r" },
  { time: 1_561_902, code: "o", data: "héllo 🎉\r\n" },
  { time: 2_000_000, code: "m", data: "" },
  { time: 4_311_507, code: "r", data: "100x30" },
  { time: 6_902_004, code: "x", data: "0" },
];

Deno.test("writer writes asciicast v3", async () => {
  assertEquals(
    await write(HEADER, EVENTS, { ...fmt("asciicast-v3") }),
    '{"version":3,"term":{"cols":80,"rows":24,"type":"xterm-256color"}}\n' +
      '[0.104, "o", "$ "]\n[1.457, "i", "ls\\r"]\n[0.001, "o", "héllo 🎉\\r\\n"]\n' +
      '[0.438, "m", ""]\n[2.312, "r", "100x30"]\n[2.590, "x", "0"]\n',
  );
});

Deno.test("writer writes asciicast v2, with the terminal type in env.TERM", async () => {
  assertEquals(
    await write(HEADER, EVENTS, { ...fmt("asciicast-v2") }),
    '{"version":2,"width":80,"height":24,"env":{"TERM":"xterm-256color"}}\n' +
      '[0.104213, "o", "$ "]\n[1.560877, "i", "ls\\r"]\n[1.561902, "o", "héllo 🎉\\r\\n"]\n' +
      '[2.0, "m", ""]\n[4.311507, "r", "100x30"]\n[6.902004, "x", "0"]\n',
  );
});

Deno.test("writer writes raw output with the size sequence first", async () => {
  assertEquals(
    await write(HEADER, EVENTS, { ...fmt("raw") }),
    "\x1b[8;24;80t$ héllo 🎉\r\n",
  );
});

Deno.test("writer flushes buffered events after flushIntervalMs, before close", async () => {
  const out = sink();
  const writer = createCastWriter(out.stream, HEADER, {
    ...fmt("asciicast-v3"),
    flushIntervalMs: 20,
  });
  await new Promise((resolve) => setTimeout(resolve, 5));
  const afterHeader = out.chunks.length;
  assertEquals(afterHeader, 1, "the header is written at once");
  writer.write({ time: 1000, code: "o", data: "a" });
  assertEquals(out.chunks.length, afterHeader, "one small event stays buffered");
  await new Promise((resolve) => setTimeout(resolve, 60));
  assertEquals(out.chunks.length, afterHeader + 1, "the timer flushed it");
  assertEquals(out.text().split("\n")[1], '[0.001, "o", "a"]');
  await writer.close();
});

Deno.test("writer flushes once flushBytes are buffered", async () => {
  const out = sink();
  const writer = createCastWriter(out.stream, HEADER, {
    ...fmt("asciicast-v3"),
    flushBytes: 1000,
    flushIntervalMs: 60_000,
  });
  for (let i = 0; i < 100; i++) writer.write({ time: i * 1000, code: "o", data: "0123456789" });
  await writer.drain();
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert(out.chunks.length >= 3, `expected several chunks, got ${out.chunks.length}`);
  assert(out.chunks.every((c) => c.length < 1200), "each chunk is near the bound");
  await writer.close();
  assertEquals(out.text().split("\n").length, 102);
});

Deno.test("writer reports a failing destination once, drops later events, close rejects", async () => {
  const errors: Error[] = [];
  const stream = new WritableStream<Uint8Array>({
    write() {
      throw new Error("disk full");
    },
  });
  const writer = createCastWriter(stream, HEADER, {
    ...fmt("asciicast-v3"),
    onError: (e) => errors.push(e),
  });
  writer.write({ time: 0, code: "o", data: "a" });
  await assertRejects(() => writer.close(), Error, "disk full");
  assertEquals(errors.map((e) => e.message), ["disk full"]);
});

Deno.test("writer refuses to append in a different format", () => {
  let error: unknown;
  try {
    createCastWriter(sink().stream, HEADER, {
      ...fmt("asciicast-v2"),
      append: { format: "asciicast-v3", header: HEADER, lastTime: 0 },
    });
  } catch (e) {
    error = e;
  }
  assert(error instanceof RangeError && error.message.includes("cannot append asciicast-v2"));
});

async function tempFile(content: string) {
  const path = await Deno.makeTempFile({ suffix: ".cast" });
  await Deno.writeTextFile(path, content);
  return path;
}

async function appendTo(path: string, header: Header, events: Event[]) {
  const info = await inspectForAppend(path);
  if (info.validBytes !== undefined) await Deno.truncate(path, info.validBytes);
  const file = await Deno.open(path, { append: true });
  const writer = createCastWriter(file.writable, header, { ...fmt(info.format), append: info });
  for (const event of events) writer.write(event);
  await writer.close();
  return info;
}

Deno.test("appending to v3 starts with a resize and counts from the new session", async () => {
  const path = await tempFile('{"version":3,"term":{"cols":80,"rows":24}}\n[1.000, "o", "a"]\n');
  try {
    const info = await appendTo(path, { version: 3, cols: 100, rows: 30 }, [
      { time: 500_000, code: "o", data: "b" },
    ]);
    assertEquals([info.format, info.lastTime], ["asciicast-v3", 1_000_000]);
    assertEquals(
      await Deno.readTextFile(path),
      '{"version":3,"term":{"cols":80,"rows":24}}\n[1.000, "o", "a"]\n[0.000, "r", "100x30"]\n[0.500, "o", "b"]\n',
    );
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("appending to v2 offsets times by the last event's time", async () => {
  const path = await tempFile(
    '{"version":2,"width":80,"height":24}\n[1.5, "o", "a"]\n[2.25, "o", "b"]\n',
  );
  try {
    await appendTo(path, { version: 3, cols: 80, rows: 24 }, [{
      time: 500_000,
      code: "o",
      data: "c",
    }]);
    const recording = await openRecording(path);
    const times = [];
    for await (const event of recording.events) times.push([event.time, event.code]);
    assertEquals(times, [[1_500_000, "o"], [2_250_000, "o"], [2_250_000, "r"], [2_750_000, "o"]]);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("appending after a cut-off last line truncates it first", async () => {
  const path = await tempFile(
    '{"version":3,"term":{"cols":80,"rows":24}}\n[1.000, "o", "a"]\n[0.5, "o", "tru',
  );
  try {
    const info = await appendTo(path, { version: 3, cols: 80, rows: 24 }, [
      { time: 0, code: "o", data: "b" },
    ]);
    assert(info.validBytes !== undefined);
    assertEquals(
      (await Deno.readTextFile(path)).split("\n").slice(1),
      ['[1.000, "o", "a"]', '[0.000, "r", "80x24"]', '[0.000, "o", "b"]', ""],
    );
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("appending after a complete last line without newline adds the newline", async () => {
  const path = await tempFile('{"version":3,"term":{"cols":80,"rows":24}}\n[1.000, "o", "a"]');
  try {
    const info = await appendTo(path, { version: 3, cols: 80, rows: 24 }, []);
    assertEquals(info.missingNewline, true);
    assertEquals(
      await Deno.readTextFile(path),
      '{"version":3,"term":{"cols":80,"rows":24}}\n[1.000, "o", "a"]\n[0.000, "r", "80x24"]\n',
    );
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("inspectForAppend", async (t) => {
  await t.step("refuses v1", async () => {
    const path = await tempFile('{"version": 1, "width": 80, "height": 24, "stdout": []}');
    try {
      await assertRejects(() => inspectForAppend(path), RangeError, "appending to asciicast v1");
    } finally {
      await Deno.remove(path);
    }
  });
  await t.step("recognises raw output by its size sequence", async () => {
    const path = await tempFile("\x1b[8;30;100thello");
    try {
      const info = await inspectForAppend(path);
      assertEquals([info.format, info.header.cols, info.header.rows], ["raw", 100, 30]);
    } finally {
      await Deno.remove(path);
    }
  });
});

/** Data that must survive every conversion byte for byte. */
const TRICKY = [
  "plain ascii",
  "é€ 中文 🎉👍🏽",
  "lone \ud800 high and \udfff low surrogates",
  "\x00\x01\x07\x08\t\n\x0b\x0c\r\x1b[31m\x1f\x7f",
  '"quotes" \\ backslash / slash \u2028\u2029',
  "",
];

async function convertText(text: string, format: "asciicast-v2" | "asciicast-v3") {
  const path = await tempFile(text);
  try {
    const recording = await openRecording(path);
    const events: Event[] = [];
    for await (const event of recording.events) events.push(event);
    return { events, text: await write(recording.header, events, { ...fmt(format) }) };
  } finally {
    await Deno.remove(path);
  }
}

Deno.test("round trips v2→v3→v2 and v3→v2→v3 keep times within 1 ms and every byte of data", async (t) => {
  // Times with sub-millisecond parts that round both ways, growing past an hour.
  const events: Event[] = [];
  let time = 0;
  for (let i = 0; i < 600; i++) {
    time += 437 + (i * 7919) % 9000 + (i % 50 === 0 ? 3_600_000_000 / 50 : 0);
    const codes = ["o", "i", "m", "r", "x", "o", "zz"];
    const code = codes[i % codes.length]!;
    const data = code === "r" ? `${80 + i % 50}x${24 + i % 10}` : TRICKY[i % TRICKY.length]!;
    events.push({ time, code, data });
  }
  const header: Header = {
    version: 2,
    cols: 80,
    rows: 24,
    termType: "xterm",
    title: "t ✔",
    env: { SHELL: "/bin/sh", TERM: "xterm" },
    tags: ["a"],
    extra: { custom: { nested: [1, "two"] } },
  };
  for (
    const [first, second] of [["asciicast-v2", "asciicast-v3"], [
      "asciicast-v3",
      "asciicast-v2",
    ]] as const
  ) {
    await t.step(`${first} → ${second} → ${first}`, async () => {
      const original = await write(header, events, { ...fmt(first) });
      const there = await convertText(original, second);
      const back = await convertText(there.text, first);
      for (const [i, event] of back.events.entries()) {
        const source = events[i]!;
        assertEquals([event.code, event.data], [source.code, source.data]);
        assert(
          Math.abs(event.time - source.time) <= 1000,
          `event ${i}: ${event.time} vs ${source.time}`,
        );
      }
      assertEquals(back.events.length, events.length);
      const headerOf = (text: string) => JSON.parse(text.slice(0, text.indexOf("\n")));
      assertEquals(headerOf(back.text).custom, { nested: [1, "two"] });
      assertEquals(headerOf(back.text).tags, ["a"]);
      if (first === "asciicast-v3") {
        assertEquals(back.text, original, "v3 comes back byte for byte");
      }
    });
  }
});

Deno.test("writer's drain rejects once writing has failed, so a producer can stop", async () => {
  const stream = new WritableStream<Uint8Array>({
    write() {
      throw new Error("broken pipe");
    },
  });
  const writer = createCastWriter(stream, HEADER, { ...fmt("asciicast-v3") });
  await new Promise((resolve) => setTimeout(resolve, 0));
  await assertRejects(() => writer.drain(), Error, "broken pipe");
  await assertRejects(() => writer.close(), Error, "broken pipe");
});
