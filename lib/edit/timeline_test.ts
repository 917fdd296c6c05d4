import { assertEquals } from "../../tests/_assert.ts";
import { Timeline } from "./timeline.ts";

const S = 1_000_000;

Deno.test("removed time collapses: the next part continues where the last one ended", () => {
  const t = new Timeline({
    parts: [{ from: 0, to: 10 * S }, { from: 20 * S, to: Infinity }],
    baseSpeed: 1,
    speeds: [],
  });
  assertEquals([t.map(5 * S), t.map(10 * S), t.map(20 * S), t.map(25 * S)], [
    5 * S,
    10 * S,
    10 * S,
    15 * S,
  ]);
});

Deno.test("a ranged speed applies to the time it covers, the base speed elsewhere", () => {
  const t = new Timeline({
    parts: [{ from: 0, to: Infinity }],
    baseSpeed: 1,
    speeds: [{ from: 10 * S, to: 20 * S, factor: 2 }],
  });
  // One pause from 5 s to 25 s: 5 s at 1x, 10 s at 2x, 5 s at 1x.
  assertEquals([t.map(5 * S), t.map(25 * S)], [5 * S, 20 * S]);
});

Deno.test("a pause over the idle limit becomes the limit, before the speed", () => {
  const t = new Timeline({
    parts: [{ from: 0, to: Infinity }],
    baseSpeed: 2,
    speeds: [],
    idleLimit: 2 * S,
  });
  assertEquals([t.map(1 * S), t.map(11 * S), t.map(12 * S)], [0.5 * S, 1.5 * S, 2 * S]);
});

Deno.test("the idle limit counts kept time only, so a cut never makes a pause longer", () => {
  const t = new Timeline({
    parts: [{ from: 0, to: 10 * S }, { from: 50 * S, to: Infinity }],
    baseSpeed: 1,
    speeds: [],
    idleLimit: 3 * S,
  });
  // 9 s to 51 s is 2 s of kept time: under the limit, kept as it is.
  assertEquals([t.map(9 * S), t.map(51 * S), t.map(60 * S)], [3 * S, 5 * S, 8 * S]);
});
