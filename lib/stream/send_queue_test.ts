import { assertEquals } from "../../tests/_assert.ts";
import { SendQueue } from "./send_queue.ts";

function socket() {
  return {
    bufferedAmount: 0,
    readyState: 1,
    sent: [] as string[],
    send(m: string | Uint8Array) {
      this.sent.push(String(m));
    },
  };
}

Deno.test("the send queue sends at once while the socket takes data", () => {
  const s = socket();
  const q = new SendQueue<string>(s, {
    encode: (x) => x,
    size: (x) => x.length,
    merge: (a, b) => a + b,
    onOverflow: () => {},
    onBroken: () => {},
  });
  q.push("a");
  q.push("b");
  assertEquals(s.sent, ["a", "b"]);
});

Deno.test("a peer that falls behind gets its waiting items merged, counted as they came", async () => {
  const s = socket();
  let overflowed = false;
  const q = new SendQueue<string>(s, {
    encode: (x) => x,
    size: (x) => x.length,
    merge: (a, b) => a + b,
    onOverflow: () => (overflowed = true),
    onBroken: () => {},
    mergeAfter: 2,
    maxItems: 20,
  });
  s.bufferedAmount = 1 << 30; // the socket takes nothing
  for (const x of "abcdefgh") q.push(x);
  assertEquals(q.length, 3); // a, b, then "cdefgh" merged
  s.bufferedAmount = 0;
  await new Promise((r) => setTimeout(r, 20));
  assertEquals(s.sent, ["a", "b", "cdefgh"]);
  // The bound counts the items pushed, merged or not.
  s.bufferedAmount = 1 << 30;
  for (let i = 0; i < 21; i++) q.push("x");
  assertEquals(overflowed, true);
});
