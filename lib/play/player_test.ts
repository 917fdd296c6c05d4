import { assert, assertEquals, assertRejects } from "../../tests/_assert.ts";
import type { Event } from "../asciicast/event.ts";
import { play, type PlayOptions } from "./player.ts";

const S = 1_000_000;
const MS = 1_000;

/** An output that keeps every write with the time it happened. */
class Screen {
  writes: { at: number; text: string }[] = [];
  #decoder = new TextDecoder();
  write = (bytes: Uint8Array): void => {
    this.writes.push({ at: performance.now(), text: this.#decoder.decode(bytes) });
  };
  get text(): string {
    return this.writes.map((w) => w.text).join("");
  }
  /** When the write containing `needle` happened. */
  timeOf(needle: string): number {
    const write = this.writes.find((w) => w.text.includes(needle));
    if (!write) throw new Error(`${JSON.stringify(needle)} was not written`);
    return write.at;
  }
}

/** Keys the test types. */
class Keyboard {
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  readonly input = new ReadableStream<Uint8Array>({
    start: (controller) => {
      this.#controller = controller;
    },
  });
  type(keys: string): void {
    this.#controller.enqueue(new TextEncoder().encode(keys));
  }
}

async function* fromArray(events: Event[]): AsyncGenerator<Event> {
  for (const event of events) yield event;
}

const o = (time: number, data: string): Event => ({ time, code: "o", data });

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function playTo(screen: Screen, events: Event[], options: Omit<PlayOptions, "write"> = {}) {
  return play(fromArray(events), { write: screen.write, ...options });
}

Deno.test("player writes what each event code asks for", async (t) => {
  const events: Event[] = [
    o(0, "héllo "),
    { time: 1, code: "i", data: "typed" },
    { time: 2, code: "r", data: "100x30" },
    { time: 3, code: "m", data: "chapter" },
    { time: 4, code: "x", data: "0" },
    { time: 5, code: "z", data: "unknown" },
    { time: 6, code: "r", data: "not a size" },
    o(7, "wörld\r\n"),
  ];
  await t.step("o as UTF-8; i, x, m, r and unknown codes write nothing", async () => {
    const screen = new Screen();
    assertEquals(await playTo(screen, events), { status: "ended" });
    assertEquals(screen.text, "héllo wörld\r\n");
  });
  await t.step("r becomes a resize request with the resize option", async () => {
    const screen = new Screen();
    await playTo(screen, events, { resize: true });
    assertEquals(screen.text, "héllo \x1b[8;30;100twörld\r\n");
  });
  await t.step("an empty recording ends at once", async () => {
    const screen = new Screen();
    assertEquals(await playTo(screen, []), { status: "ended" });
    assertEquals(screen.writes, []);
  });
});

Deno.test("player rejects a speed that is not a positive number and a negative idle limit", async (t) => {
  for (const speed of [0, -1, NaN, Infinity]) {
    await t.step(`speed ${speed}`, async () => {
      await assertRejects(
        () => play(fromArray([]), { write: () => {}, speed }),
        RangeError,
        "Speed",
      );
    });
  }
  await t.step("idle limit -1", async () => {
    await assertRejects(
      () => play(fromArray([]), { write: () => {}, idleTimeLimit: -1 }),
      RangeError,
      "Idle time limit",
    );
  });
});

Deno.test("player keeps the timeline: 10 000 events over 10 s play in 1 s at speed 10", async () => {
  const count = 10_000;
  const events = Array.from({ length: count }, (_, i) => o((i + 1) * MS, `<${i}>`));
  const screen = new Screen();
  const start = performance.now();
  await playTo(screen, events, { speed: 10 });
  const elapsed = performance.now() - start;
  assert(
    elapsed > 900 && elapsed < 1100,
    `played in ${elapsed.toFixed(1)} ms, expected 1000 ± 10%`,
  );
  const last = screen.timeOf(`<${count - 1}>`) - start;
  assert(Math.abs(last - 1000) <= 50, `last event at ${last.toFixed(1)} ms, scheduled at 1000 ms`);
  assertEquals(screen.text, events.map((e) => e.data).join(""));
  // Due events are coalesced: far fewer writes than events.
  assert(screen.writes.length < count / 2, `${screen.writes.length} writes for ${count} events`);
});

Deno.test("player shortens pauses to the idle limit, in recording seconds, before the speed", async (t) => {
  // 4.2 s of recording with two 2 s pauses; limited to 0.2 s: 0.1 + 0.2 + 0.1 + 0.2 = 0.6 s.
  const events = [o(0, "a"), o(0.1 * S, "b"), o(2.1 * S, "c"), o(2.2 * S, "d"), o(4.2 * S, "e")];
  for (const { speed, expected } of [{ speed: 1, expected: 600 }, { speed: 2, expected: 300 }]) {
    await t.step(`speed ${speed}`, async () => {
      const screen = new Screen();
      const start = performance.now();
      await playTo(screen, events, { idleTimeLimit: 0.2, speed });
      const last = screen.timeOf("e") - start;
      assert(
        last >= expected - 5 && last < expected + 100,
        `last event at ${last.toFixed(1)} ms, expected ${expected} ms`,
      );
      const c = screen.timeOf("c") - screen.timeOf("b");
      assert(Math.abs(c - 200 / speed) < 60, `limited pause took ${c.toFixed(1)} ms`);
    });
  }
});

Deno.test("player clamps times that go backwards instead of failing", async () => {
  const screen = new Screen();
  const start = performance.now();
  await playTo(screen, [o(100 * MS, "a"), o(50 * MS, "b"), o(100 * MS, "c")]);
  assertEquals(screen.text, "abc");
  // b plays with a, c 50 ms after them.
  const elapsed = screen.timeOf("c") - start;
  assert(elapsed >= 145 && elapsed < 300, `c at ${elapsed.toFixed(1)} ms, expected 150 ms`);
});

Deno.test("player writes a burst in batches no larger than the batch size", async () => {
  const events = Array.from({ length: 5000 }, (_, i) => o(0, `line ${i} ${"x".repeat(40)}\r\n`));
  const screen = new Screen();
  const sizes: number[] = [];
  await play(fromArray(events), {
    write: (bytes) => {
      sizes.push(bytes.length);
      screen.write(bytes);
    },
    batchBytes: 4096,
  });
  assertEquals(screen.text, events.map((e) => e.data).join(""));
  assert(sizes.every((size) => size <= 4096), `a write exceeded the batch: ${Math.max(...sizes)}`);
  const total = sizes.reduce((a, b) => a + b, 0);
  assert(sizes.length <= Math.ceil(total / 4000) + 1, `${sizes.length} writes for ${total} bytes`);
});

Deno.test("player writes an event larger than the batch completely, multi-byte characters intact", async () => {
  const big = "é€😀".repeat(10_000);
  const screen = new Screen();
  await playTo(screen, [o(0, big)], { batchBytes: 1000 });
  assertEquals(screen.text, big);
});

Deno.test("player writes what is due while the source waits for its next event", async () => {
  const screen = new Screen();
  let release!: () => void;
  async function* live(): AsyncGenerator<Event> {
    yield o(0, "first");
    await new Promise<void>((resolve) => release = resolve);
    yield o(0, "second");
  }
  const done = play(live(), { write: screen.write });
  await waitFor(() => screen.text === "first", "the first event");
  release();
  await done;
  assertEquals(screen.text, "firstsecond");
});

Deno.test("space pauses and resumes without a jump", async () => {
  // 20 events 20 ms apart: 400 ms of playback.
  const events = Array.from({ length: 20 }, (_, i) => o((i + 1) * 20 * MS, `<${i}>`));
  const screen = new Screen();
  const keys = new Keyboard();
  const start = performance.now();
  const done = playTo(screen, events, { input: keys.input });
  await waitFor(() => screen.text.includes("<4>"), "event 4");
  keys.type(" ");
  await delay(20); // let the key land
  const frozen = screen.text;
  await delay(300);
  assertEquals(screen.text, frozen, "output changed while paused");
  keys.type(" ");
  const resumed = performance.now();
  await done;
  const rest = performance.now() - resumed;
  const total = performance.now() - start;
  assert(total >= 700, `playback took ${total.toFixed(0)} ms: the pause was not kept`);
  // After the pause the remaining events still take their time (no burst to catch up).
  assert(rest >= 200, `the rest played in ${rest.toFixed(0)} ms, a jump after resume`);
});

Deno.test("dot steps one visible event at a time while paused", async () => {
  const events = [
    o(0, "a"),
    { time: 10 * S, code: "i", data: "x" },
    o(20 * S, "b"),
    { time: 30 * S, code: "m", data: "" },
    o(40 * S, "c"),
  ];
  const screen = new Screen();
  const keys = new Keyboard();
  const done = playTo(screen, events, { input: keys.input });
  await waitFor(() => screen.text === "a", "a");
  keys.type(".");
  await delay(50);
  assertEquals(screen.text, "a", "a step while playing does nothing");
  keys.type(" .");
  await waitFor(() => screen.text === "ab", "b after one step");
  await delay(50);
  assertEquals(screen.text, "ab", "a step plays one event");
  keys.type(".");
  await done;
  assertEquals(screen.text, "abc");
});

Deno.test("] plays up to and including the next marker and pauses there", async (t) => {
  const events = [
    o(0, "a"),
    o(5 * S, "b"),
    { time: 6 * S, code: "m", data: "one" },
    o(6 * S + 100 * MS, "c"),
    { time: 7 * S, code: "m", data: "two" },
    o(8 * S, "d"),
  ];
  await t.step("while playing, then resume continues from the marker", async () => {
    const screen = new Screen();
    const keys = new Keyboard();
    const done = playTo(screen, events, { input: keys.input });
    await waitFor(() => screen.text === "a", "a");
    keys.type("]");
    await waitFor(() => screen.text === "ab", "b");
    await delay(250);
    assertEquals(screen.text, "ab", "playback did not pause at the marker");
    const resumed = performance.now();
    keys.type(" ");
    await waitFor(() => screen.text === "abc", "c");
    const c = performance.now() - resumed;
    assert(c >= 80 && c < 400, `c came ${c.toFixed(0)} ms after resume, expected 100 ms`);
    keys.type("]");
    await delay(100);
    assertEquals(screen.text, "abc", "paused at the second marker");
    keys.type("]"); // no marker left: to the end
    assertEquals(await done, { status: "ended" });
    assertEquals(screen.text, "abcd");
  });
  await t.step("while paused", async () => {
    const screen = new Screen();
    const keys = new Keyboard();
    const done = playTo(screen, events, { input: keys.input });
    await waitFor(() => screen.text === "a", "a");
    keys.type(" ]");
    await waitFor(() => screen.text === "ab", "b");
    await delay(150);
    assertEquals(screen.text, "ab");
    keys.type("q");
    assertEquals(await done, { status: "interrupted" });
  });
});

Deno.test("pause on markers stops after each marker until space", async () => {
  const events = [o(0, "a"), { time: 10 * MS, code: "m", data: "" }, o(20 * MS, "b")];
  const screen = new Screen();
  const keys = new Keyboard();
  const done = playTo(screen, events, { input: keys.input, pauseOnMarkers: true });
  await delay(200);
  assertEquals(screen.text, "a");
  keys.type(" ");
  await done;
  assertEquals(screen.text, "ab");
});

Deno.test("+ and - change the speed from the current position", async () => {
  // 2 s of events; two presses of + make it 4× faster: about 0.5 s.
  const events = Array.from({ length: 40 }, (_, i) => o((i + 1) * 50 * MS, `<${i}>`));
  const screen = new Screen();
  const keys = new Keyboard();
  const start = performance.now();
  const done = playTo(screen, events, { input: keys.input });
  keys.type("++");
  await done;
  const fast = performance.now() - start;
  assert(fast > 400 && fast < 800, `played in ${fast.toFixed(0)} ms at 4×, expected 500 ms`);
  assertEquals(screen.text, events.map((e) => e.data).join(""), "+ wrote something itself");

  const slowScreen = new Screen();
  const slowKeys = new Keyboard();
  const slowStart = performance.now();
  const slow = play(fromArray(events.slice(0, 4)), {
    write: slowScreen.write,
    input: slowKeys.input,
    speed: 4,
  });
  slowKeys.type("-");
  await slow;
  const elapsed = performance.now() - slowStart;
  assert(
    elapsed > 80 && elapsed < 250,
    `played in ${elapsed.toFixed(0)} ms at 2×, expected 100 ms`,
  );
});

Deno.test("q and ctrl+c quit with a newline, even while the source is waiting", async (t) => {
  for (const key of ["q", "\x03"]) {
    await t.step(JSON.stringify(key), async () => {
      async function* stuck(): AsyncGenerator<Event> {
        yield o(0, "a");
        await new Promise(() => {});
      }
      const screen = new Screen();
      const keys = new Keyboard();
      const done = play(stuck(), { write: screen.write, input: keys.input });
      await waitFor(() => screen.text === "a", "a");
      keys.type(key);
      assertEquals(await done, { status: "interrupted" });
      assertEquals(screen.text, "a\r\n");
    });
  }
});

Deno.test("aborting the signal interrupts playback", async () => {
  const controller = new AbortController();
  const screen = new Screen();
  const done = playTo(screen, [o(0, "a"), o(10 * S, "b")], { signal: controller.signal });
  await waitFor(() => screen.text === "a", "a");
  controller.abort();
  assertEquals(await done, { status: "interrupted" });
  assertEquals(screen.text, "a\r\n");
});

Deno.test("a failing source rejects playback after writing what came before", async () => {
  async function* broken(): AsyncGenerator<Event> {
    yield o(0, "before");
    throw new SyntaxError("demo.cast:3: expected a 3-element array");
  }
  const screen = new Screen();
  await assertRejects(
    () => play(broken(), { write: screen.write }),
    SyntaxError,
    "demo.cast:3:",
  );
  assertEquals(screen.text, "before");
});
