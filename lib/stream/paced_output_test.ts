import { assert, assertEquals } from "../../tests/_assert.ts";
import { waitUntil } from "../../tests/_wait_until.ts";
import type { LiveEvent } from "./live_state.ts";
import { PacedOutput } from "./paced_output.ts";

/** Output event `id`, at `ms` of stream time (default: `id` ms). */
const output = (id: number, data: string, ms = id): LiveEvent => ({
  id,
  time: ms * 1000,
  code: "o",
  data,
});

/** Paced output on a clock the test moves; what it releases, call by call. */
function paced(slots: number) {
  const clock = { t: 0 };
  const released: (LiveEvent | undefined)[][] = [];
  const out = new PacedOutput<LiveEvent>({
    now: () => clock.t,
    slots,
    deliver: (bySlot) => released.push([...bySlot]),
  });
  return { clock, released, out };
}

Deno.test("viewers are dealt into the slots in turn", () => {
  const { out } = paced(3);
  assertEquals([0, 1, 2, 3, 4].map(() => out.nextSlot()), [0, 1, 2, 0, 1]);
});

Deno.test("output after a pause goes to every slot at once, as one event", () => {
  const { clock, released, out } = paced(4);
  const first = output(1, "a");
  out.hold(first, 40);
  assertEquals(released.length, 1);
  assert(released[0]!.every((event) => event === first), "one shared event");
  clock.t = 100; // a pace and more later: again at once
  out.hold(output(2, "b", 100), 40);
  assertEquals(released.length, 2);
  assert(!out.holding);
});

Deno.test("output held up on its way is no pause: it arrived late, but came soon after the last at its source", () => {
  const { clock, released, out } = paced(4);
  out.hold(output(1, "a", 0), 40);
  clock.t = 200; // arrives 200 ms later, made 10 ms after "a"
  out.hold(output(2, "b", 10), 40);
  assertEquals(released.length, 1, "waits for the beats");
  assert(out.holding);
  out.releaseAll();
});

Deno.test("output within a pace goes to each slot on its own beat, merged", async () => {
  // 4 slots, pace 40 ms: a beat every 10 ms, slot k on beats k, k + 4, …
  const { clock, released, out } = paced(4);
  out.hold(output(1, "a"), 40);
  clock.t = 5;
  out.hold(output(2, "b"), 40);
  clock.t = 6;
  out.hold(output(3, "c"), 40);
  assertEquals(released.length, 1, "held, not released");
  assert(out.holding);

  clock.t = 12; // beat 1: slot 1 only
  await waitUntil(() => released.length === 2, "the first beat");
  const beat1 = released[1]!;
  assertEquals(beat1.map((e) => e !== undefined), [false, true, false, false]);
  assertEquals(beat1[1], { id: 3, time: 3000, code: "o", data: "bc" });

  clock.t = 25; // beat 2: slot 2
  await waitUntil(() => released.length === 3, "the second beat");
  assertEquals(released[2]!.map((e) => e?.data), [undefined, undefined, "bc", undefined]);

  // More output: slots 3 and 0 still lack "bc", slots 1 and 2 only lack "d".
  clock.t = 26;
  const d = output(4, "d");
  out.hold(d, 40);
  out.releaseAll();
  const all = released[3]!;
  assertEquals(all.map((e) => e?.data), ["bcd", "d", "d", "bcd"]);
  assert(all[1] === d && all[2] === d, "slots 1 and 2 get the event itself");
  assert(all[0] === all[3], "slots that are level share one event");
  assertEquals(all[0]!.id, 4);
  assert(!out.holding);
});

Deno.test("a late beat releases every slot whose beat has passed, each slot once", async () => {
  const { clock, released, out } = paced(4);
  out.hold(output(1, "a"), 40);
  clock.t = 1;
  out.hold(output(2, "b"), 40);
  clock.t = 500; // many beats late: every slot, once
  await waitUntil(() => released.length === 2, "the late beat");
  assertEquals(released[1]!.map((e) => e?.data), ["b", "b", "b", "b"]);
  assert(!out.holding);
});
