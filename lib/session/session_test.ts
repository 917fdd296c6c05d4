import assert from "node:assert/strict";
import type { Event } from "../asciicast/event.ts";
import { runSession, type SessionOptions, type SessionStart } from "./session.ts";
import type { EventSink } from "./sink.ts";

/** A sink that keeps events and lets a test wait for output text. */
class Collect implements EventSink {
  events: Event[] = [];
  start: SessionStart | undefined;
  closed = false;
  #waiters: { text: string; resolve: () => void }[] = [];

  factory = (start: SessionStart): EventSink => {
    this.start = start;
    return this;
  };

  write(event: Event): void {
    this.events.push(event);
    const out = this.output();
    this.#waiters = this.#waiters.filter((w) => {
      if (out.includes(w.text)) w.resolve();
      return !out.includes(w.text);
    });
  }

  async close(): Promise<void> {
    await new Promise((r) => setTimeout(r, 20));
    this.closed = true;
  }

  output(): string {
    return this.events.filter((e) => e.code === "o").map((e) => e.data).join("");
  }

  codes(code: string): Event[] {
    return this.events.filter((e) => e.code === code);
  }

  /** Resolves once the recorded output contains `text` (only unpaused output counts). */
  until(text: string): Promise<void> {
    if (this.output().includes(text)) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ text, resolve }));
  }
}

/** An input channel the test types into. */
function keyboard() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const input = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  const type = (text: string | number[]) =>
    controller.enqueue(
      typeof text === "string" ? new TextEncoder().encode(text) : new Uint8Array(text),
    );
  return { input, type };
}

function run(sink: Collect, options: Partial<SessionOptions>) {
  return runSession({ headless: true, sinks: [sink.factory], ...options });
}

Deno.test("runSession records output and the exit status, then closes the sinks", async () => {
  const sink = new Collect();
  const result = await run(sink, {
    command: 'printf "%s %s|" "$ASCIIREC" "$EXTRA"; stty size; exit 3',
    env: { EXTRA: "yes" },
    windowSize: { cols: 120 },
  });
  assert.deepEqual(result, { status: 3 });
  assert.equal(sink.output(), "1 yes|24 120\r\n");
  assert.deepEqual(sink.events.at(-1)?.code, "x");
  assert.deepEqual(sink.events.at(-1)?.data, "3");
  assert.equal(sink.closed, true);
  assert.equal(sink.start?.cols, 120);
  assert.equal(sink.start?.rows, 24);
  assert.equal(sink.start?.termType, undefined); // headless: no terminal type
  assert.ok(Number.isInteger(sink.start?.timestamp));
});

Deno.test("runSession stamps integer, non-decreasing microsecond times", async () => {
  const sink = new Collect();
  await run(sink, { command: "for i in 1 2 3 4 5; do echo $i; sleep 0.01; done" });
  let last = 0;
  for (const e of sink.events) {
    assert.ok(Number.isInteger(e.time) && e.time >= last, JSON.stringify(sink.events));
    last = e.time;
  }
  assert.ok(last >= 50_000, `5 × 10 ms of sleeps take at least 50000 µs, got ${last}`);
});

Deno.test("runSession keeps a UTF-8 character split across reads intact", async () => {
  const sink = new Collect();
  await run(sink, {
    command:
      "printf '\\342\\202'; sleep 0.2; printf '\\254|\\360\\237'; sleep 0.2; printf '\\230\\200'",
  });
  assert.equal(sink.output(), "€|😀");
});

Deno.test("runSession types input into the child and records it with captureInput", async () => {
  const sink = new Collect();
  const { input, type } = keyboard();
  const done = run(sink, { command: 'read a; echo "got $a"', input, captureInput: true });
  type("hello\n");
  assert.deepEqual(await done, { status: 0 });
  assert.match(sink.output(), /got hello/);
  assert.equal(sink.codes("i").map((e) => e.data).join(""), "hello\n");
});

Deno.test("runSession pause key: paused output is not recorded and leaves no gap", async () => {
  const sink = new Collect();
  const { input, type } = keyboard();
  const wallStart = performance.now();
  const done = run(sink, {
    command: 'read a; echo "A=$a"; read b; echo "B=$b"; read c; echo "C=$c"',
    input,
    captureInput: true,
  });
  type("one\n");
  await sink.until("A=one");
  type([0x1c]); // ctrl+\ pauses
  type("two\n");
  // Paused output is not recorded, so wait in real time for the child to have answered.
  await new Promise((r) => setTimeout(r, 1000));
  type([0x1c]); // resumes
  type("three\n");
  await done;
  const wall = (performance.now() - wallStart) * 1000;
  const out = sink.output();
  assert.match(out, /A=one/);
  assert.match(out, /C=three/);
  assert.ok(!out.includes("two"), out);
  const inputs = sink.codes("i").map((e) => e.data).join("");
  assert.equal(inputs, "one\nthree\n"); // hotkeys swallowed, paused input not recorded
  // The second of pause is not in the timeline.
  const end = sink.events.at(-1)!.time;
  assert.ok(end < wall - 900_000, `recorded ${end} µs of ${wall} µs wall time`);
});

Deno.test("runSession marker key adds an m event and is not typed into the child", async () => {
  const sink = new Collect();
  const { input, type } = keyboard();
  const done = run(sink, {
    command: 'read a; echo "[$a]"',
    input,
    markerKey: new Uint8Array([0x07]),
  });
  type("x\x07y\n");
  await done;
  assert.equal(sink.codes("m").length, 1);
  assert.equal(sink.codes("m")[0]!.data, "");
  assert.match(sink.output(), /\[xy\]/);
});

Deno.test("runSession with the pause key disabled types ctrl+\\ into the child", async () => {
  const sink = new Collect();
  const { input, type } = keyboard();
  const done = run(sink, { command: "exec cat", input, pauseKey: null });
  type([0x1c]); // the terminal's QUIT character: cat dies of SIGQUIT
  assert.deepEqual(await done, { status: 131 });
});

Deno.test("runSession prefix key: hotkeys act only after it; pressed twice it is typed once", async () => {
  const sink = new Collect();
  const { input, type } = keyboard();
  const done = run(sink, {
    command: 'read a; printf "%s" "$a" | od -An -tx1',
    input,
    prefixKey: new Uint8Array([0x01]),
    markerKey: new Uint8Array([0x07]),
  });
  // ^G alone is typed; ^A ^G adds a marker; ^A ^A types one ^A; ^A x types x.
  type([0x07, 0x01, 0x07, 0x01, 0x01, 0x01, 0x78, 0x0a]);
  await done;
  assert.equal(sink.codes("m").length, 1);
  assert.match(sink.output(), /07 01 78/);
});

Deno.test("runSession ends when the child exits even if a grandchild holds the terminal", async () => {
  const sink = new Collect();
  const result = await run(sink, { command: "trap '' HUP; sleep 30 & echo \"pid=$!\"" });
  assert.equal(result.status, 0);
  const pid = Number(/pid=(\d+)/.exec(sink.output())?.[1]);
  assert.ok(pid > 0);
  assert.match(await Deno.readTextFile(`/proc/${pid}/stat`), /\(sleep\) S/); // still holding it
  Deno.kill(pid, "SIGKILL");
});

Deno.test("runSession keeps recording when one sink throws", async () => {
  const good = new Collect();
  const bad: EventSink = {
    write() {
      throw new Error("broken");
    },
    close: () => Promise.resolve(),
  };
  const notices: string[] = [];
  await runSession({
    headless: true,
    command: "echo one; echo two",
    sinks: [() => bad, good.factory],
    onNotice: (m) => notices.push(m),
  });
  assert.equal(good.output(), "one\r\ntwo\r\n");
  assert.match(notices.join(), /broken/);
});

Deno.test("runSession reports a sink that fails to close, after closing the others", async () => {
  const good = new Collect();
  const failing: EventSink = { write() {}, close: () => Promise.reject(new Error("disk full")) };
  await assert.rejects(
    () => runSession({ headless: true, command: "true", sinks: [() => failing, good.factory] }),
    /disk full/,
  );
  assert.equal(good.closed, true);
});

Deno.test("runSession closes the sinks made so far when a sink factory fails", async () => {
  const good = new Collect();
  await assert.rejects(
    () =>
      runSession({
        headless: true,
        command: "true",
        sinks: [good.factory, () => Promise.reject(new Error("cannot open"))],
      }),
    /cannot open/,
  );
  assert.equal(good.closed, true);
});
