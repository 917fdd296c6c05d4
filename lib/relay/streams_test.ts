import { assertEquals } from "../../tests/_assert.ts";
import { relayPaceMs } from "./streams.ts";

Deno.test("the relay paces a stream by its subscribers: nothing under 34, 30 ms at 1000, 40 at most", () => {
  assertEquals([1, 33, 34, 1000, 5000].map(relayPaceMs), [0, 0, 1.02, 30, 40]);
});
