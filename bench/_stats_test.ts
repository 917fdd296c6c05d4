import { assertEquals } from "../tests/_assert.ts";
import { median, peakRssKiB, percentiles, procCpuMs } from "./_stats.ts";

Deno.test("percentiles take the nearest rank below, NaN when there are no samples", async (t) => {
  const hundred = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1, unsorted
  const table: [string, number[], { p50: number; p99: number }][] = [
    ["one sample", [7], { p50: 7, p99: 7 }],
    ["three samples", [3, 1, 2], { p50: 2, p99: 3 }],
    ["a hundred samples", hundred, { p50: 51, p99: 100 }],
    ["none", [], { p50: NaN, p99: NaN }],
  ];
  for (const [name, values, expected] of table) {
    await t.step(name, () => {
      assertEquals(percentiles(values), expected);
    });
  }
  assertEquals(hundred[0], 100, "the samples are left unsorted");
});

Deno.test("median is the middle sample, the upper one of an even count", () => {
  assertEquals([median([30, 10, 20]), median([4, 1, 3, 2]), median([])], [20, 3, NaN]);
});

Deno.test("peak RSS of this process is read from /proc", () => {
  const kib = peakRssKiB(Deno.pid);
  assertEquals([Number.isInteger(kib), kib > 1024], [true, true]);
});

Deno.test("procCpuMs counts a process's own CPU and its waited-for children's", async () => {
  const before = procCpuMs("self");
  // A child that spins for 300 ms of CPU.
  await new Deno.Command("sh", {
    args: ["-c", "t=$(($(date +%s%N)+300000000)); while [ $(date +%s%N) -lt $t ]; do :; done"],
  }).output();
  const spinUntil = performance.now() + 200;
  while (performance.now() < spinUntil) { /* this process's own CPU */ }
  const after = procCpuMs("self");
  assertEquals(after.ownMs - before.ownMs >= 100, true, `own ${after.ownMs - before.ownMs} ms`);
  assertEquals(
    after.childrenMs - before.childrenMs >= 100,
    true,
    `children ${after.childrenMs - before.childrenMs} ms`,
  );
  assertEquals(procCpuMs(Deno.pid).ownMs >= after.ownMs, true);
});
