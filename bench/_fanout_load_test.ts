import { assert, assertEquals, assertRejects } from "../tests/_assert.ts";
import { startTestRelay } from "../tests/_relay.ts";
import { FanOutLoad } from "./_fanout_load.ts";
import { relayTarget } from "./relay.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("the load generator times every event sent in the window, at every viewer of a real relay", async () => {
  await using r = await startTestRelay();
  const target = await relayTarget(r.url);
  const load = FanOutLoad.open({ ...target, viewers: 3, eventBytes: 200, tickMs: 10 });
  assert(await load.allReady(10_000), `${load.ready} of 3 viewers got an Init`);
  load.produce();
  await sleep(100);
  load.measure(true);
  await sleep(300);
  load.measure(false);
  await sleep(300);
  const { latencies, sent, dropped } = await load.finish();
  // About 30 events in 300 ms, each timed once by each viewer, none lost on the way.
  assert(sent >= 10 && sent <= 40, `${sent} events sent`);
  assertEquals(latencies.length, 3 * sent);
  assertEquals(dropped, 0);
  for (const ms of latencies) assert(ms >= 0 && ms < 1000, `latency ${ms} ms`);
});

Deno.test("the load generator reports a server it cannot reach", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const url = `ws://127.0.0.1:${port}/x`;
  const load = FanOutLoad.open({
    producerUrl: url,
    preamble: [],
    viewerUrl: url,
    viewers: 2,
    eventBytes: 100,
    tickMs: 10,
  });
  assertEquals(await load.allReady(5_000), false);
  await assertRejects(() => load.finish(), Error, `connect to port ${port} failed`);
});
