import { assertEquals } from "../../tests/_assert.ts";
import { TokenBucket } from "./token_bucket.ts";

Deno.test("TokenBucket drains per byte, refills in whole steps up to capacity", () => {
  let now = 0;
  const bucket = new TokenBucket(
    { capacity: 1000, refillAmount: 100, refillIntervalMs: 100 },
    () => now,
  );
  assertEquals(bucket.take(900), true);
  assertEquals(bucket.level, 100);
  now = 99;
  assertEquals(bucket.level, 100);
  now = 250;
  assertEquals(bucket.level, 300);
  now = 10_000;
  assertEquals(bucket.level, 1000);
  assertEquals(bucket.take(1000), true);
  assertEquals(bucket.take(1), false);
});

Deno.test("TokenBucket defaults to the asciinema server's 60 MB burst and 100 KB/s", () => {
  let now = 0;
  const bucket = new TokenBucket({}, () => now);
  assertEquals(bucket.level, 60_000_000);
  bucket.take(60_000_000);
  now = 1000;
  assertEquals(bucket.level, 100_000);
});
