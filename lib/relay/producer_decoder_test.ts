import { assert, assertEquals, assertThrows } from "../../tests/_assert.ts";
import { encodeAlisMessage } from "../alis/encoder.ts";
import { alisMagic } from "../alis/message.ts";
import {
  detectProducerProtocol,
  ProducerDecoder,
  ProducerProtocolError,
  type ProducerUpdate,
} from "./producer_decoder.ts";

function expectClose(fn: () => unknown, code: number, reason?: string): void {
  const error = assertThrows(fn, ProducerProtocolError) as ProducerProtocolError;
  assertEquals(error.code, code);
  if (reason !== undefined) assertEquals(error.reason, reason);
}

Deno.test("detectProducerProtocol guesses from the first message", async (t) => {
  const cases: [string | Uint8Array, string][] = [
    [alisMagic(), "v1.alis"],
    [new Uint8Array([0x41, 0x4c, 0x69, 0x53, 0x02]), "raw"],
    [new Uint8Array([0x68, 0x69]), "raw"],
    ['{"version": 2, "width": 80, "height": 24}', "v2.asciicast"],
    ['{"version": 3, "term": {"cols": 80, "rows": 24}}\n', "v3.asciicast"],
    ['{"version": 4}', "raw"],
    ["hello\r\n", "raw"],
  ];
  for (const [first, expected] of cases) {
    await t.step(String(first), () => assertEquals(detectProducerProtocol(first), expected));
  }
});

Deno.test("ALiS producer: magic, Init, events with absolute times, EOT, then a new Init", () => {
  const d = new ProducerDecoder("v1.alis");
  assertEquals(d.decode(alisMagic()), []);
  const init = encodeAlisMessage({
    type: "init",
    lastId: 7,
    time: 1_000_000,
    cols: 100,
    rows: 30,
    initData: "hi",
  });
  assertEquals(d.decode(init), [{
    kind: "init",
    lastId: 7,
    time: 1_000_000,
    cols: 100,
    rows: 30,
    initData: "hi",
  }]);
  const out: ProducerUpdate[] = [
    ...d.decode(encodeAlisMessage({ type: "output", id: 8, relTime: 500, data: "a" })),
    ...d.decode(encodeAlisMessage({ type: "input", id: 9, relTime: 0, data: "b" })),
    ...d.decode(encodeAlisMessage({ type: "resize", id: 10, relTime: 100, cols: 90, rows: 20 })),
    ...d.decode(encodeAlisMessage({ type: "marker", id: 11, relTime: 1, label: "m" })),
    ...d.decode(encodeAlisMessage({ type: "exit", id: 12, relTime: 1, status: 130 })),
    ...d.decode(encodeAlisMessage({ type: "eot", id: 13, relTime: 0 })),
  ];
  assertEquals(out, [
    { kind: "event", id: 8, event: { time: 1_000_500, code: "o", data: "a" } },
    { kind: "event", id: 9, event: { time: 1_000_500, code: "i", data: "b" } },
    { kind: "event", id: 10, event: { time: 1_000_600, code: "r", data: "90x20" } },
    { kind: "event", id: 11, event: { time: 1_000_601, code: "m", data: "m" } },
    { kind: "event", id: 12, event: { time: 1_000_602, code: "x", data: "130" } },
    { kind: "eot" },
  ]);
  assertEquals(d.online, false);
  assertEquals(d.decode(init)[0]!.kind, "init");
});

Deno.test("ALiS producer violations close with 4005 or 4003", async (t) => {
  const init = (cols: number, rows: number) =>
    encodeAlisMessage({ type: "init", lastId: 0, time: 0, cols, rows, initData: "" });
  const started = () => {
    const d = new ProducerDecoder("v1.alis");
    d.decode(alisMagic());
    return d;
  };
  await t.step("bad magic → 4005", () => {
    expectClose(
      () => new ProducerDecoder("v1.alis").decode(new Uint8Array([1, 2, 3])),
      4005,
      "message parsing error",
    );
  });
  await t.step("text frame → 4005", () => {
    expectClose(() => started().decode("hello"), 4005);
  });
  await t.step("output before Init → 4005", () => {
    expectClose(
      () => started().decode(encodeAlisMessage({ type: "output", id: 1, relTime: 0, data: "x" })),
      4005,
    );
  });
  await t.step("second Init while online → 4005", () => {
    const d = started();
    d.decode(init(80, 24));
    expectClose(() => d.decode(init(80, 24)), 4005);
  });
  await t.step("truncated message → 4005", () => {
    const d = started();
    d.decode(init(80, 24));
    expectClose(() => d.decode(new Uint8Array([0x6f, 0x01, 0x00, 0x05, 0x41])), 4005);
  });
  await t.step("unknown type → 4005", () => {
    const d = started();
    d.decode(init(80, 24));
    expectClose(() => d.decode(new Uint8Array([0x7a, 0x01, 0x00])), 4005);
  });
  for (const [cols, rows] of [[721, 24], [80, 201], [0, 24], [80, 0]]) {
    await t.step(`Init ${cols}x${rows} → 4003`, () => {
      expectClose(
        () => started().decode(init(cols!, rows!)),
        4003,
        `invalid terminal size (${cols}x${rows})`,
      );
    });
  }
  await t.step("Resize 800x24 → 4003", () => {
    const d = started();
    d.decode(init(720, 200));
    expectClose(
      () => d.decode(encodeAlisMessage({ type: "resize", id: 1, relTime: 0, cols: 800, rows: 24 })),
      4003,
    );
  });
});

Deno.test("asciicast v3 producer: header then intervals, comments and blank messages skipped", () => {
  const d = new ProducerDecoder("v3.asciicast");
  const header =
    '{"version": 3, "term": {"cols": 100, "rows": 50, "theme": {"fg": "#ffffff", "bg": "#000000", ' +
    '"palette": "#000000:#111111:#222222:#333333:#444444:#555555:#666666:#777777"}}}';
  const [init] = d.decode(header);
  assert(init?.kind === "init");
  assertEquals([init.cols, init.rows, init.time, init.lastId], [100, 50, 0, 0]);
  assertEquals(init.theme?.fg, "#ffffff");
  assertEquals(d.decode("\n"), []);
  assertEquals(d.decode("# a comment"), []);
  assertEquals(d.decode('[0.5, "o", "hello "]'), [{
    kind: "event",
    id: 1,
    event: { time: 500_000, code: "o", data: "hello " },
  }]);
  assertEquals(d.decode('[0.25, "o", "world"]\n[1, "r", "90x30"]\n'), [
    { kind: "event", id: 2, event: { time: 750_000, code: "o", data: "world" } },
    { kind: "event", id: 3, event: { time: 1_750_000, code: "r", data: "90x30" } },
  ]);
  expectClose(() => d.decode('[0, "r", "900x30"]'), 4003);
  expectClose(() => d.decode(new Uint8Array([1])), 4005);
  expectClose(() => d.decode("[1, 2"), 4005);
});

Deno.test("asciicast v2 producer: absolute times; a bad header closes with 4005, a big one 4003", () => {
  const d = new ProducerDecoder("v2.asciicast");
  assertEquals(d.decode('{"version": 2, "width": 80, "height": 24}')[0]?.kind, "init");
  assertEquals(d.decode('[1.5, "o", "a"]'), [{
    kind: "event",
    id: 1,
    event: { time: 1_500_000, code: "o", data: "a" },
  }]);
  assertEquals(d.decode('[2, "o", "b"]'), [{
    kind: "event",
    id: 2,
    event: { time: 2_000_000, code: "o", data: "b" },
  }]);
  expectClose(() => new ProducerDecoder("v2.asciicast").decode('{"version": 2}'), 4005);
  expectClose(() => new ProducerDecoder("v2.asciicast").decode("not json"), 4005);
  expectClose(
    () => new ProducerDecoder("v2.asciicast").decode('{"version": 2, "width": 1000, "height": 24}'),
    4003,
  );
});

Deno.test("raw producer: first message is the Init with its size hint, later ones output on arrival", async (t) => {
  await t.step("ESC[8;R;Ct size hint", () => {
    let now = 1000;
    const d = new ProducerDecoder("raw", () => now);
    const [init] = d.decode(new TextEncoder().encode("\x1b[8;30;100thello"));
    assert(init?.kind === "init");
    assertEquals([init.cols, init.rows, init.initData], [100, 30, "\x1b[8;30;100thello"]);
    now = 1250;
    // A UTF-8 sequence split across two messages comes out whole.
    assertEquals(d.decode(new Uint8Array([0x20, 0xe2, 0x9c])), [
      { kind: "event", id: 1, event: { time: 250_000, code: "o", data: " " } },
    ]);
    now = 1500;
    assertEquals(d.decode(new Uint8Array([0x93])), [
      { kind: "event", id: 2, event: { time: 500_000, code: "o", data: "✓" } },
    ]);
  });
  await t.step("script start line", () => {
    const [init] = new ProducerDecoder("raw").decode(
      'Script started on 2026-01-01 [COMMAND="bash" TERM="xterm" COLUMNS="132" LINES="43"]\n',
    );
    assert(init?.kind === "init");
    assertEquals([init.cols, init.rows], [132, 43]);
  });
  await t.step("no hint → 80x24", () => {
    const [init] = new ProducerDecoder("raw").decode("plain");
    assert(init?.kind === "init");
    assertEquals([init.cols, init.rows], [80, 24]);
  });
  await t.step("a hint beyond the limits → 4003", () => {
    expectClose(() => new ProducerDecoder("raw").decode("\x1b[8;300;100t"), 4003);
  });
});
