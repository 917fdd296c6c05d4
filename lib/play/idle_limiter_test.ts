import { assertEquals, assertThrows } from "../../tests/_assert.ts";
import { IdleLimiter } from "./idle_limiter.ts";

const S = 1_000_000;

Deno.test("idle limiter maps original times to limited ones", async (t) => {
  const cases: { name: string; limit?: number; times: number[]; expected: number[] }[] = [
    {
      name: "every longer gap becomes exactly the limit (asciicast.md §7 example)",
      limit: 2 * S,
      times: [0, 1 * S, 10 * S, 10.5 * S],
      expected: [0, 1 * S, 3 * S, 3.5 * S],
    },
    {
      name: "a gap to the first event counts from the session start",
      limit: 1 * S,
      times: [5 * S, 5.5 * S],
      expected: [1 * S, 1.5 * S],
    },
    {
      name: "gaps within the limit are kept",
      limit: 2 * S,
      times: [0, 2 * S, 4 * S],
      expected: [0, 2 * S, 4 * S],
    },
    {
      name: "a limit of 0 removes every pause",
      limit: 0,
      times: [1 * S, 2 * S, 7 * S],
      expected: [0, 0, 0],
    },
    {
      name: "without a limit times are unchanged",
      times: [0, 100 * S, 1000 * S],
      expected: [0, 100 * S, 1000 * S],
    },
    {
      name: "a time going backwards is clamped to the previous one and later gaps still count",
      times: [5 * S, 3 * S, 4 * S],
      expected: [5 * S, 5 * S, 6 * S],
    },
    {
      name: "backwards times are clamped under a limit too",
      limit: 1 * S,
      times: [0, 10 * S, 2 * S, 2.5 * S],
      expected: [0, 1 * S, 1 * S, 1.5 * S],
    },
  ];
  for (const c of cases) {
    await t.step(c.name, () => {
      const limiter = new IdleLimiter(c.limit);
      assertEquals(c.times.map((time) => limiter.adjust(time)), c.expected);
    });
  }
});

Deno.test("idle limiter rejects a negative limit", () => {
  assertThrows(() => new IdleLimiter(-1), RangeError, "0 or more");
  assertThrows(() => new IdleLimiter(NaN), RangeError);
});
