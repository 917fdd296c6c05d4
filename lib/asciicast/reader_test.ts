import { assert, assertEquals, assertRejects, assertStringIncludes } from "../../tests/_assert.ts";
import type { Event } from "./event.ts";
import {
  _findAsciicastLink,
  type ByteSource,
  openRecording,
  openRecordingSource,
} from "./reader.ts";
import { mulberry32 } from "../../tests/_mulberry32.ts";
import { gzipSync, zstdCompressSync } from "node:zlib";

async function withFile<T>(content: string | Uint8Array, fn: (path: string) => Promise<T>) {
  const path = await Deno.makeTempFile({ suffix: ".cast" });
  try {
    if (typeof content === "string") await Deno.writeTextFile(path, content);
    else await Deno.writeFile(path, content);
    return await fn(path);
  } finally {
    await Deno.remove(path);
  }
}

async function readAll(path: string) {
  const warnings: string[] = [];
  const recording = await openRecording(path, { onWarning: (w) => warnings.push(w) });
  const events: Event[] = [];
  for await (const event of recording.events) events.push(event);
  return { header: recording.header, events, warnings };
}

Deno.test("reader detects v3, accumulates intervals and skips comments and blank lines", async () => {
  await withFile(
    '{"version":3,"term":{"cols":80,"rows":24}}\n# a comment\n[0.104, "o", "$ "]\n\n[1.457, "i", "make\\r"]\n   \n[0.001, "x", "0"]\n',
    async (path) => {
      const { header, events, warnings } = await readAll(path);
      assertEquals(header.version, 3);
      assertEquals(events, [
        { time: 104_000, code: "o", data: "$ " },
        { time: 1_561_000, code: "i", data: "make\r" },
        { time: 1_562_000, code: "x", data: "0" },
      ]);
      assertEquals(warnings, []);
    },
  );
});

Deno.test("reader detects v2 with absolute times rounded to microseconds", async () => {
  await withFile(
    '{"version": 2, "width": 80, "height": 24}\r\n[0.000001, "o", "a"]\r\n[1.000001, "o", "b"]\r\n[2.5, "q", "c"]',
    async (path) => {
      const { events } = await readAll(path);
      assertEquals(events.map((e) => [e.time, e.code]), [[1, "o"], [1_000_001, "o"], [
        2_500_000,
        "q",
      ]]);
    },
  );
});

Deno.test("reader reads v1, also pretty-printed over many lines", async () => {
  const doc = { version: 1, width: 100, height: 30, stdout: [[0.5, "a"], [0.25, "b"]] };
  for (const text of [JSON.stringify(doc), JSON.stringify(doc, null, 2)]) {
    await withFile(text, async (path) => {
      const { header, events } = await readAll(path);
      assertEquals([header.version, header.cols], [1, 100]);
      assertEquals(events.map((e) => e.time), [500_000, 750_000]);
    });
  }
});

Deno.test("reader keeps every byte of data: non-ASCII, emoji, lone surrogates, control bytes", async () => {
  const data = 'é€🎉\ud800x\udfff\x00\x01\x1b[0m\x7f\u2028"\\';
  await withFile(
    `{"version":3,"term":{"cols":80,"rows":24}}\n[0.5, "o", ${JSON.stringify(data)}]\n`,
    async (path) => assertEquals((await readAll(path)).events[0]!.data, data),
  );
});

Deno.test("reader reads lines longer than its buffer", async () => {
  const data = "z".repeat(5 * 1024 * 1024);
  await withFile(
    `{"version":2,"width":80,"height":24}\n[1, "o", "${data}"]\n[2, "o", "end"]\n`,
    async (path) => {
      const { events } = await readAll(path);
      assertEquals(events.map((e) => e.data.length), [data.length, 3]);
    },
  );
});

const ENCODER = new TextEncoder();
const V3 = '{"version":3,"term":{"cols":80,"rows":24}}\n';
const V2 = '{"version":2,"width":80,"height":24}\n';

Deno.test("reader rejects malformed files with the file, the line and what was wrong", async (t) => {
  const cases: [string, string | Uint8Array, string][] = [
    ["an empty file", "", ": empty file"],
    ["a blank file", "\n\n  \n", ": empty file"],
    [
      "bad header JSON",
      '{"version": 2, "width": 80,\n[1, "o", "x"]\n',
      ":1: the header is not valid JSON",
    ],
    ["a header that is not an object", "[1, 2, 3]\n", ":1: not an asciicast file"],
    ["a v2 header without width", '{"version": 2, "height": 24}\n', `:1: header lacks "width"`],
    ["an unknown version", '{"version": 4, "width": 80}\n', ":1: unsupported asciicast version 4"],
    [
      "a header without version",
      '{"width": 80, "height": 24}\n',
      `:1: the header has no "version"`,
    ],
    [
      "an event that is not an array",
      V3 + '[0.1, "o", "a"]\n{"t": 1}\n',
      ":3: expected a 3-element array",
    ],
    ["an event with 4 elements", V2 + '[0.1, "o", "a", 1]\n', ":2: expected a 3-element array"],
    ["a string time", V2 + '["1.5", "o", "a"]\n', `:2: the time must be a number, got "1.5"`],
    [
      "a negative interval",
      V3 + '[0.5, "o", "a"]\n[-0.5, "o", "b"]\n',
      ":3: negative interval -0.5",
    ],
    ["an empty code", V3 + '[0.5, "", "a"]\n', ":2: the event code must be a non-empty string"],
    [
      "a header larger than 720x200",
      '{"version":2,"width":65535,"height":65535}\n',
      ":1: the terminal size 65535x65535 is larger than 720x200",
    ],
    [
      "a resize larger than 720x200",
      V3 + '[0.5, "r", "80x24"]\n[0.5, "r", "721x24"]\n',
      ":3: resize: the terminal size 721x24 is larger than 720x200",
    ],
    ["a time of 1e21 s", V2 + '[1e21, "o", "a"]\n', ":2: the time 1e+21 s is out of range"],
    ["a time of 1e309 (Infinity)", V2 + '[1e309, "o", "a"]\n', ":2: the time Infinity s is out"],
    ["an interval of 1e309", V3 + '[1e309, "o", "a"]\n', ":2: the interval Infinity s is out"],
    [
      "intervals that add up past the limit",
      V3 + '[6e8, "o", "a"]\n[6e8, "o", "b"]\n',
      ":3: the time 1200000000 s is out of range",
    ],
    [
      "data that is not a string",
      V3 + '[0.5, "o", 5]\n',
      ":2: the event data must be a string, got 5",
    ],
    ["a bad line in the middle", V3 + '[0.5, "o", "a"\n[0.5, "o", "b"]\n', ":2: invalid JSON"],
    ["a comment in v2", V2 + "# no\n", ":2: comment lines are allowed only in asciicast v3"],
    [
      "invalid UTF-8",
      new Uint8Array([
        ...ENCODER.encode(V3 + '[0.5, "o", "a"]\n[0.5, "o", "'),
        0xc3,
        0x28,
        ...ENCODER.encode('"]\n'),
      ]),
      ":3: invalid UTF-8",
    ],
    ["invalid UTF-8 in the header", new Uint8Array([0x7b, 0xff, 0x7d, 10]), ":1: invalid UTF-8"],
    [
      "a v1 frame that is not a pair",
      '{"version": 1, "width": 80, "height": 24, "stdout": [[1]]}',
      ": stdout frame 1",
    ],
  ];
  for (const [name, content, message] of cases) {
    await t.step(name, async () => {
      await withFile(content, async (path) => {
        const error = await assertRejects(() => readAll(path), SyntaxError);
        assertStringIncludes(error.message, path + message);
      });
    });
  }
});

Deno.test("reader produces the events before a bad line, then fails", async () => {
  await withFile(V3 + '[0.5, "o", "a"]\n[0.5, "o", "b"]\n[oops]\n', async (path) => {
    const recording = await openRecording(path);
    const seen: string[] = [];
    const error = await assertRejects(async () => {
      for await (const event of recording.events) seen.push(event.data);
    }, SyntaxError);
    assertEquals(seen, ["a", "b"]);
    assertStringIncludes(error.message, `${path}:4: invalid JSON`);
  });
});

Deno.test("reader warns about a cut-off last line and reads up to it", async (t) => {
  const cases: [string, string | Uint8Array][] = [
    ["cut in the JSON", V3 + '[0.5, "o", "a"]\n[0.5, "o", "bc'],
    [
      "cut inside a character",
      new Uint8Array([...ENCODER.encode(V3 + '[0.5, "o", "a"]\n[0.5, "o", "'), 0xf0, 0x9f]),
    ],
  ];
  for (const [name, content] of cases) {
    await t.step(name, async () => {
      await withFile(content, async (path) => {
        const { events, warnings } = await readAll(path);
        assertEquals(events.map((e) => e.data), ["a"]);
        assertEquals(warnings, [`${path}:3: the last line is cut off; ignored`]);
      });
    });
  }
});

Deno.test("reader moves backward v2 times forward, warning once", async () => {
  await withFile(
    V2 + '[1.0, "o", "a"]\n[0.5, "o", "b"]\n[0.7, "o", "c"]\n[2.0, "o", "d"]\n',
    async (path) => {
      const { events, warnings } = await readAll(path);
      assertEquals(events.map((e) => e.time), [1_000_000, 1_000_000, 1_000_000, 2_000_000]);
      assertEquals(warnings.length, 1);
      assertStringIncludes(warnings[0]!, `${path}:3: time goes backwards`);
    },
  );
});

Deno.test("reader warns about a 0x0 size from asciinema 2.2 and uses 80x24", async () => {
  await withFile('{"version": 2, "width": 0, "height": 0}\n', async (path) => {
    const { header, warnings } = await readAll(path);
    assertEquals([header.cols, header.rows], [80, 24]);
    assertEquals(warnings, [`${path}:1: the header gives the terminal size 0x0; assuming 80x24`]);
  });
});

Deno.test("reader releases the file when iteration stops early or is never started", async () => {
  await withFile(V3 + '[0.5, "o", "a"]\n[0.5, "o", "b"]\n', async (path) => {
    const first = await openRecording(path);
    for await (const _ of first.events) break;
    const second = await openRecording(path);
    await second.close();
    await second.close();
  });
});

Deno.test("reader names a missing file plainly", async () => {
  await assertRejects(
    () => openRecording("/nonexistent/x.cast"),
    Deno.errors.NotFound,
    "cannot open /nonexistent/x.cast: no such file",
  );
});

Deno.test("reader stops when its signal is aborted", async () => {
  const controller = new AbortController();
  controller.abort(new Error("stop"));
  await assertRejects(() => openRecording("x.cast", { signal: controller.signal }), Error, "stop");
});

Deno.test("reader downloads a URL and follows an HTML page's relative asciicast link", async () => {
  const cast = V3 + '[0.5, "o", "from the web"]\n';
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const path = new URL(request.url).pathname;
    if (path === "/a/1.cast") {
      return new Response(cast, { headers: { "content-type": "application/x-asciicast" } });
    }
    if (path === "/a/1") {
      return new Response(
        '<html><head><link rel="alternate" type="application/x-asciicast" href="1.cast"></head></html>',
        { headers: { "content-type": "text/html; charset=utf-8" } },
      );
    }
    if (path === "/nolink") {
      return new Response("<html></html>", { headers: { "content-type": "text/html" } });
    }
    return new Response("no", { status: 404, statusText: "Not Found" });
  });
  try {
    const base = `http://127.0.0.1:${server.addr.port}`;
    for (const url of [`${base}/a/1.cast`, `${base}/a/1`]) {
      const recording = await openRecording(url);
      const data = [];
      for await (const event of recording.events) data.push(event.data);
      assertEquals([recording.name, data], [url, ["from the web"]]);
    }
    await assertRejects(() => openRecording(`${base}/missing`), Error, "HTTP 404 Not Found");
    await assertRejects(() => openRecording(`${base}/nolink`), Error, "no <link");
  } finally {
    await server.shutdown();
  }
});

Deno.test("_findAsciicastLink reads link tags in any attribute order and quoting", () => {
  assertEquals(
    _findAsciicastLink(
      `<link rel=stylesheet href="x.css"><LINK href='/a/1.cast?x=1&amp;y=2' type="application/asciicast+json" rel="alternate">`,
    ),
    "/a/1.cast?x=1&y=2",
  );
  assertEquals(_findAsciicastLink(`<link rel="alternate" type="text/plain" href="x">`), undefined);
});

Deno.test("reader explains a v2 header spread over several lines", async () => {
  await withFile('{\n  "version": 2,\n  "width": 80,\n  "height": 24\n}\n', async (path) => {
    await assertRejects(
      () => readAll(path),
      SyntaxError,
      `${path}:1: an asciicast v2 header must be a JSON object on one line`,
    );
  });
});

/** A source that hands out `bytes` in chunks whose sizes `chunk(i)` picks. */
function chunkedSource(bytes: Uint8Array, chunk: (i: number) => number): ByteSource {
  let pos = 0;
  let reads = 0;
  return {
    read(into) {
      if (pos >= bytes.length) return Promise.resolve(null);
      const n = Math.max(1, Math.min(into.length, chunk(reads++), bytes.length - pos));
      into.set(bytes.subarray(pos, pos + n));
      pos += n;
      return Promise.resolve(n);
    },
    close() {},
  };
}

async function readSource(bytes: Uint8Array, chunk: (i: number) => number) {
  const warnings: string[] = [];
  const recording = await openRecordingSource("mem", chunkedSource(bytes, chunk), {
    onWarning: (w) => warnings.push(w),
  });
  const events: Event[] = [];
  for await (const event of recording.events) events.push(event);
  return { events, warnings };
}

Deno.test("reader decodes lines of any length from 1 B to 1 MB, whatever the read boundaries", async () => {
  const random = mulberry32(9);
  const lengths = [1, 2, 100, 24 * 1024 - 20, 24 * 1024, 24 * 1024 + 7, 30_000, 66_000, 1 << 20];
  for (let i = 0; i < 40; i++) lengths.push(1 + Math.floor(random() ** 3 * (1 << 20)));
  const reference: Event[] = [];
  let text = V2;
  let time = 0;
  for (const [i, length] of lengths.entries()) {
    time += 1 + Math.floor(random() * 1000);
    const data = String.fromCharCode(97 + (i % 26)).repeat(length - 1) + "é";
    reference.push({ time, code: "o", data });
    text += JSON.stringify([time / 1e6, "o", data]) + "\n";
  }
  const bytes = ENCODER.encode(text);
  const chunkings: [string, (i: number) => number][] = [
    ["1 MiB reads", () => 1 << 20],
    ["random reads up to 100 KB", () => 1 + Math.floor(random() * 100_000)],
    ["random small reads", () => 1 + Math.floor(random() * 5000)],
  ];
  for (const [name, chunk] of chunkings) {
    const { events, warnings } = await readSource(bytes, chunk);
    assertEquals(warnings, [], name);
    assertEquals(events.length, reference.length, name);
    for (let i = 0; i < reference.length; i++) {
      assertEquals(events[i], reference[i], `${name}: event ${i}`);
    }
  }
});

Deno.test("a file cut at any byte reads back exactly the complete events before the cut", async () => {
  const random = mulberry32(3);
  const lines: string[] = [];
  const ends: number[] = []; // byte offset just after each event line's closing bracket
  let text = V3;
  for (let i = 0; i < 40; i++) {
    // Mostly short lines, and two longer than the reader's 24 KiB decoding block.
    const length = i === 13 || i === 27
      ? 30_000 + i
      : [1, 5, 40, 300][i % 4]! + Math.floor(random() * 10);
    const data = i % 7 === 0 ? "✔ ünï 🎉".repeat(length % 9 + 1) : "x".repeat(length);
    const line = JSON.stringify([0.25, i % 3 === 0 ? "i" : "o", data]);
    lines.push(line);
    text += line;
    ends.push(ENCODER.encode(text).length);
    text += "\n";
  }
  const bytes = ENCODER.encode(text);
  const headerBytes = ENCODER.encode(V3).length;
  // Every byte, except inside the long lines, where every 101st and the 300 around each end.
  const near = (cut: number) => ends.some((end) => Math.abs(cut - end) < 150);
  for (let cut = headerBytes; cut <= bytes.length; cut++) {
    const inLong = [13, 27].some((i) => cut > ends[i - 1]! + 300 && cut < ends[i]! - 300);
    if (inLong && cut % 101 !== 0 && !near(cut)) continue;
    const complete = ends.filter((end) => end <= cut).length;
    const { events } = await readSource(bytes.subarray(0, cut), (i) => 997 + 13 * i);
    if (events.length !== complete) {
      throw new Error(`cut at ${cut}: ${events.length} events, expected ${complete}`);
    }
    for (let i = 0; i < complete; i++) {
      const [, code, data] = JSON.parse(lines[i]!);
      if (events[i]!.code !== code || events[i]!.data !== data) {
        throw new Error(`cut at ${cut}: event ${i} differs`);
      }
    }
  }
});

Deno.test("reader decompresses gzip and zstd files by their bytes, whatever their name", async (t) => {
  const text = V3 + '[0.5, "o", "squeezed ✔"]\n[0.25, "m", "m1"]\n';
  const packers = { gzip: gzipSync, zstd: zstdCompressSync };
  for (const [kind, pack] of Object.entries(packers)) {
    await t.step(kind, async () => {
      // Named .cast on purpose: the name says nothing, the magic bytes do.
      await withFile(pack(ENCODER.encode(text)), async (path) => {
        const { events, warnings } = await readAll(path);
        assertEquals(events.map((e) => [e.time, e.code, e.data]), [
          [500_000, "o", "squeezed ✔"],
          [750_000, "m", "m1"],
        ]);
        assertEquals(warnings, []);
      });
    });
  }
});

Deno.test("reader reads a gzip file cut inside its last member up to its last complete line", async () => {
  // Two members, as the recorder writes at two flushes; the second is cut in the middle.
  const first = gzipSync(ENCODER.encode(V3 + '[0.5, "o", "one"]\n'));
  const second = gzipSync(ENCODER.encode('[0.5, "o", "two"]\n'.repeat(50)));
  const bytes = new Uint8Array(first.length + second.length - 12);
  bytes.set(first);
  bytes.set(second.subarray(0, second.length - 12), first.length);
  await withFile(bytes, async (path) => {
    const { events, warnings } = await readAll(path);
    assertEquals(events[0]!.data, "one");
    assert(events.length >= 1 && events.every((e, i) => e.data === (i === 0 ? "one" : "two")));
    assertStringIncludes(warnings.join("\n"), "the gzip data is cut off");
  });
});

Deno.test("reader decodes URLs sent with Content-Encoding gzip or zstd, and asks for zstd", async () => {
  const cast = ENCODER.encode(V3 + '[0.5, "o", "encoded"]\n');
  const accepted: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    accepted.push(request.headers.get("accept-encoding") ?? "");
    const path = new URL(request.url).pathname;
    const type = { "content-type": "application/x-asciicast" };
    if (path === "/gzip") {
      return new Response(new Uint8Array(gzipSync(cast)), {
        headers: { ...type, "content-encoding": "gzip" },
      });
    }
    if (path === "/zstd") {
      return new Response(new Uint8Array(zstdCompressSync(cast)), {
        headers: { ...type, "content-encoding": "zstd" },
      });
    }
    // A .cast.gz file served as it is, then zstd-encoded on the way: two layers.
    return new Response(new Uint8Array(zstdCompressSync(gzipSync(cast))), {
      headers: { "content-type": "application/gzip", "content-encoding": "zstd" },
    });
  });
  try {
    const base = `http://127.0.0.1:${server.addr.port}`;
    for (const path of ["/gzip", "/zstd", "/demo.cast.gz"]) {
      const recording = await openRecording(base + path);
      const data = [];
      for await (const event of recording.events) data.push(event.data);
      assertEquals(data, ["encoded"], path);
    }
    assert(accepted.every((a) => a.includes("zstd")), accepted.join(" | "));
  } finally {
    await server.shutdown();
  }
});
