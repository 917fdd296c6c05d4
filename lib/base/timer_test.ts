import { assert, assertEquals } from "../../tests/_assert.ts";
import { Timer } from "./timer.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("a timer fires once at its deadline; cancel and re-arm move or clear it", async () => {
  const start = performance.now();
  const fired: [string, number][] = [];
  const at = (name: string) => () => fired.push([name, performance.now() - start]);
  const plain = new Timer(at("plain"));
  plain.arm(20);
  const later = new Timer(at("later"));
  later.arm(10);
  later.arm(60); // later: the pending wait ends first and waits again for the rest
  const earlier = new Timer(at("earlier"));
  earlier.arm(80);
  earlier.arm(30);
  const cancelled = new Timer(at("cancelled"));
  cancelled.arm(10);
  cancelled.cancel();
  const now = new Timer(at("now"));
  now.arm(-5);
  assert(plain.armed && !cancelled.armed);
  await sleep(200);
  assertEquals(fired.map(([name]) => name), ["now", "plain", "earlier", "later"]);
  const times = Object.fromEntries(fired);
  assert(times.plain! >= 19, `plain fired at ${times.plain}`);
  assert(times.earlier! >= 29 && times.earlier! < 80, `earlier fired at ${times.earlier}`);
  assert(times.later! >= 59, `later fired at ${times.later}`);
  assert(!plain.armed && !later.armed);
  // Armed again after firing, it fires again.
  plain.arm(1);
  await sleep(30);
  assertEquals(fired.length, 5);
});

/** Runs `code` (importing the timer as `Timer`) in a new process; its output and wall time. */
async function runWithTimer(code: string): Promise<{ out: string; ms: number }> {
  const url = new URL("./timer.ts", import.meta.url).href;
  const start = performance.now();
  const { code: status, stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", `import { Timer } from ${JSON.stringify(url)};\n${code}`],
    stdout: "piped",
  }).output();
  assertEquals(status, 0);
  return { out: new TextDecoder().decode(stdout), ms: performance.now() - start };
}

Deno.test("an armed timer keeps the process alive, a cancelled one does not", async () => {
  const armed = await runWithTimer(`new Timer(() => console.log("fired")).arm(300);`);
  assertEquals(armed.out, "fired\n");
  const cancelled = await runWithTimer(`
    const a = new Timer(() => console.log("a fired"));
    a.arm(20_000);
    a.cancel();
    const b = new Timer(() => console.log("b fired"));
    b.arm(10);
    b.arm(20_000); // the 10 ms wait ends, then waits again for the rest, until cancelled
    await new Promise((resolve) => setTimeout(resolve, 50));
    b.cancel();
    console.log("done");`);
  assertEquals(cancelled.out, "done\n");
  assert(cancelled.ms < 10_000, `the process waited ${cancelled.ms} ms for a cancelled timer`);
});
