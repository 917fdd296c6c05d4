import { assertEquals } from "../../tests/_assert.ts";
import { relayPaceMs } from "./streams.ts";

Deno.test("the relay paces a stream by its subscribers: nothing under 50, 20 ms at 1000, 40 at most", () => {
  assertEquals([1, 49, 50, 1000, 5000].map(relayPaceMs), [0, 0, 1, 20, 40]);
});
