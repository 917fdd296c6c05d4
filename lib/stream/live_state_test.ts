import { assert, assertEquals } from "../../tests/_assert.ts";
import { waitUntil } from "../../tests/_wait_until.ts";
import { TextTerminal } from "./_text_terminal.ts";
import { type LiveEvent, type LiveInit, LiveState, type LiveSubscriber } from "./live_state.ts";

/** A subscriber that records what it gets. */
class Recorder implements LiveSubscriber {
  inits: LiveInit[] = [];
  events: LiveEvent[] = [];
  constructor(readonly mergeable: boolean) {}
  init(init: LiveInit): void {
    this.inits.push(init);
  }
  event(event: LiveEvent): void {
    this.events.push(event);
  }
  end(): void {}
  /** The screen it would show: its Init's text and the output after it. */
  text(): string {
    return this.inits.at(-1)!.initData +
      this.events.filter((e) => e.code === "o").map((e) => e.data).join("");
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function paced(ms: number) {
  const live = new LiveState({
    createTerminal: (cols, rows) => new TextTerminal(cols, rows),
    paceMs: () => ms,
  });
  const viewer = new Recorder(true);
  const log = new Recorder(false);
  live.subscribe(viewer);
  live.subscribe(log);
  live.begin({ cols: 80, rows: 24 });
  return { live, viewer, log };
}

const output = (data: string, time: number) => ({ time, code: "o", data });

Deno.test("a paced live state merges output for viewers and keeps every event for the others", async () => {
  const { live, viewer, log } = paced(40);
  await sleep(20); // the Inits
  for (let i = 1; i <= 10; i++) live.write(output(`${i};`, i * 1000));
  // The first output after a pause went at once; the rest waits for the pace.
  assertEquals(viewer.events.map((e) => e.data), ["1;"]);
  assertEquals(log.events.map((e) => e.id), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  await waitUntil(() => viewer.events.length > 1, "the held output");
  assertEquals(viewer.events.map((e) => [e.id, e.time, e.data]), [
    [1, 1000, "1;"],
    [10, 10_000, "2;3;4;5;6;7;8;9;10;"],
  ]);
  // Anything but output sends what is held first, in order, without waiting.
  live.write(output("a", 20_000));
  live.write(output("b", 21_000));
  live.write({ time: 22_000, code: "r", data: "100x30" });
  const after = viewer.events.slice(2);
  assertEquals(after.at(-1), { id: 13, time: 22_000, code: "r", data: "100x30" });
  assertEquals(after.slice(0, -1).map((e) => e.data).join(""), "ab");
  assertEquals(viewer.text(), log.text());
  await live.close();
});

Deno.test("a subscriber that joins while output is held gets its Init and only what follows", async () => {
  const { live, viewer, log } = paced(40);
  await sleep(20);
  live.write(output("one ", 1000));
  live.write(output("two ", 2000)); // held for `viewer`
  const late = new Recorder(true);
  live.subscribe(late);
  // Its Init is taken now: what was held goes to the earlier viewer, not to the late one.
  assertEquals(viewer.events.map((e) => e.data), ["one ", "two "]);
  live.write(output("three ", 3000));
  live.write(output("four ", 4000));
  await waitUntil(() => late.inits.length > 0 && late.text() === log.text(), "the late Init");
  assertEquals(late.inits[0]!.lastId, 2);
  assert(late.events.every((e) => e.id > 2), JSON.stringify(late.events));
  for (const subscriber of [viewer, late]) assertEquals(subscriber.text(), log.text());
  await live.close();
});

Deno.test("without a pace, or at 0 ms, every event goes to every subscriber at once", async () => {
  for (const ms of [0, undefined]) {
    const live = new LiveState({
      createTerminal: (cols, rows) => new TextTerminal(cols, rows),
      ...(ms === undefined ? {} : { paceMs: () => ms }),
    });
    const viewer = new Recorder(true);
    live.subscribe(viewer);
    live.begin({ cols: 80, rows: 24 });
    await sleep(20);
    for (let i = 1; i <= 5; i++) live.write(output(`${i}`, i));
    assertEquals(viewer.events.map((e) => e.id), [1, 2, 3, 4, 5]);
    await live.close();
  }
});
