import { assert, assertEquals } from "../../tests/_assert.ts";
import type { Event } from "../asciicast/event.ts";
import { TurnMerger } from "./turn_merger.ts";

const nextTurn = () => new Promise((resolve) => setTimeout(resolve, 5));

function recorder() {
  const got: Event[] = [];
  let closed = false;
  const merger = new TurnMerger({
    write: (e) => void got.push({ ...e }),
    close: () => {
      closed = true;
      return Promise.resolve();
    },
  });
  return { got, merger, closed: () => closed };
}

Deno.test("the first output of a turn passes at once; the rest of the turn goes as one", async () => {
  const { got, merger } = recorder();
  merger.write({ time: 1, code: "o", data: "a" });
  assertEquals(got, [{ time: 1, code: "o", data: "a" }]);
  merger.write({ time: 2, code: "o", data: "b" });
  merger.write({ time: 3, code: "o", data: "c" });
  assertEquals(got.length, 1);
  await nextTurn();
  assertEquals(got, [{ time: 1, code: "o", data: "a" }, { time: 2, code: "o", data: "bc" }]);
  // A new turn: its first output passes at once again.
  merger.write({ time: 9, code: "o", data: "d" });
  assertEquals(got.at(-1), { time: 9, code: "o", data: "d" });
  await merger.close();
});

Deno.test("other events keep their place: held output goes before them", async () => {
  const { got, merger, closed } = recorder();
  merger.write({ time: 1, code: "o", data: "a" });
  merger.write({ time: 2, code: "o", data: "b" });
  merger.write({ time: 3, code: "r", data: "100x30" });
  merger.write({ time: 4, code: "o", data: "c" });
  merger.write({ time: 5, code: "m", data: "" });
  merger.write({ time: 6, code: "o", data: "d" });
  assertEquals(got.map((e) => `${e.code}${e.data}`), ["oa", "ob", "r100x30", "oc", "m"]);
  await merger.close(); // lets the held through
  assertEquals(got.map((e) => `${e.code}${e.data}`), ["oa", "ob", "r100x30", "oc", "m", "od"]);
  assertEquals(closed(), true);
});

Deno.test("held output goes through once it is long, in order, nothing lost", async () => {
  const { got, merger } = recorder();
  const pieces = Array.from({ length: 200 }, (_, i) => `${i}`.padEnd(1000, "x"));
  for (const [i, data] of pieces.entries()) merger.write({ time: i, code: "o", data });
  assert(got.length > 2, `only ${got.length} events during the turn`);
  await nextTurn();
  assertEquals(got.map((e) => e.data).join(""), pieces.join(""));
  for (const e of got) assert(e.data.length <= 64 * 1024 + 1000, `${e.data.length}`);
  await merger.close();
});
