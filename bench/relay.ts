/**
 * Relay fan-out benchmark: one ALiS producer at 100 KB/s through `asciirec serve`'s relay
 * (run as a separate process) to N = 1, 100 and 1000 WebSocket viewers on loopback.
 * Reports producer→viewer latency (p50, p99), the relay's CPU time per second of stream and
 * its peak RSS. The 1-viewer run is one reference (the larger runs print their p99 as a ratio
 * to it); the other, at the largest count, is Deno's own WebSocket server doing nothing but
 * forward the producer's messages to the same viewers (the floor of this runtime on this
 * machine). Targets: p99 < 50 ms at 1000 viewers, nothing lost, RSS < 500 MB.
 *
 * The load generator (`_fanout_load.ts`) is one worker thread with plain sockets and one
 * `epoll`: the producer stamps each event right before its `send`, and the viewers cost a few
 * µs per message, so that on the same machine it takes as little of the CPU as it can and the
 * figures are the server's. (Built on Deno's sockets, its producer's sends waited behind its
 * own 1 000 reads, which showed as relay latency.) Its sockets send without Nagle's delay, as
 * asciinema's CLI (its forwarder connects with `disable_nagle`) and browsers do: with it, each
 * event waited for the server's ACK of the previous one, which a busy server sends late.
 *
 * `deno run -A bench/relay.ts [N…]` (default 100 1000).
 *
 * @module
 */
import { encodeAlisMessage } from "../lib/alis/encoder.ts";
import { alisMagic } from "../lib/alis/message.ts";
import { Relay } from "../lib/relay/relay.ts";
import { serveHttp } from "../lib/http/server.ts";
import { peakRssKiB, percentiles, procCpuMs } from "./_stats.ts";
import { FanOutLoad } from "./_fanout_load.ts";

const RATE_BYTES_PER_S = 100_000;
const TICK_MS = 10;
const CHUNK = RATE_BYTES_PER_S * TICK_MS / 1000;
const WARMUP_MS = 1000;
const MEASURE_MS = 5000;

async function relayChild(dataDir: string): Promise<void> {
  const relay = await Relay.open({ dataDir, hub: { maxQueueEvents: 4096 } });
  const server = await serveHttp(relay.handler, { port: 0, maxConnections: 10_000 });
  console.log(server.addr.port);
  Deno.addSignalListener("SIGTERM", async () => {
    await relay.close();
    await server.shutdown();
    Deno.exit(0);
  });
}

/**
 * The reference: Deno's own WebSocket server (`Deno.upgradeWebSocket`) doing nothing but
 * forward what a producer on `/produce` sends to every viewer on `/`, after the same magic
 * and Init the relay sends.
 */
function bareChild(): void {
  const viewers = new Set<WebSocket>();
  const hello = [
    alisMagic(),
    encodeAlisMessage({ type: "init", lastId: 0, time: 0, cols: 120, rows: 40, initData: "" }),
  ];
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request, { protocol: "v1.alis" });
    if (new URL(request.url).pathname === "/produce") {
      socket.binaryType = "arraybuffer";
      socket.onmessage = (e) => {
        for (const viewer of viewers) viewer.send(e.data);
      };
    } else {
      socket.onopen = () => {
        for (const message of hello) socket.send(message);
        viewers.add(socket);
      };
      socket.onclose = () => viewers.delete(socket);
    }
    return response;
  });
  console.log(server.addr.port);
}

/** Where a run's producer and viewers connect. */
export interface Target {
  producerUrl: string;
  /** What the producer sends before its first event. */
  preamble: Uint8Array[];
  viewerUrl: string;
}

/** A new live stream on the relay at `base`. */
export async function relayTarget(base: string): Promise<Target> {
  const auth = `Basic ${btoa(`:${crypto.randomUUID()}`)}`;
  const created = await fetch(`${base}/api/v1/streams`, {
    method: "POST",
    headers: { authorization: auth, "content-type": "application/json" },
    body: JSON.stringify({ live: true }),
  });
  const stream = await created.json() as { url: string; ws_producer_url: string };
  const token = stream.url.split("/").pop();
  return {
    producerUrl: stream.ws_producer_url,
    preamble: [
      alisMagic(),
      encodeAlisMessage({ type: "init", lastId: 0, time: 0, cols: 120, rows: 40, initData: "" }),
    ],
    viewerUrl: `${base.replace("http", "ws")}/ws/s/${token}`,
  };
}

/** The bare server at `base`. */
function bareTarget(base: string): Target {
  const ws = base.replace("http", "ws");
  return { producerUrl: `${ws}/produce`, preamble: [], viewerUrl: `${ws}/` };
}

interface ProcStats {
  cpuSeconds: number;
  rssPeakMb: number;
}

function procStats(pid: number): ProcStats {
  return { cpuSeconds: procCpuMs(pid).ownMs / 1000, rssPeakMb: peakRssKiB(pid) / 1024 };
}

interface RunResult {
  viewers: number;
  samples: number;
  p50: number;
  p99: number;
  cpuPerSecond: number;
  rssPeakMb: number;
  missing: number;
  dropped: number;
  clientCpuPerSecond: number;
}

async function run(target: Target, serverPid: number, viewers: number): Promise<RunResult> {
  const load = FanOutLoad.open({ ...target, viewers, eventBytes: CHUNK, tickMs: TICK_MS });
  if (!await load.allReady(60_000)) {
    await load.finish();
    throw new Error(`only ${load.ready} of ${viewers} viewers got an Init`);
  }
  load.produce();
  await new Promise((r) => setTimeout(r, WARMUP_MS));
  const before = procStats(serverPid);
  const clientBefore = procStats(Deno.pid);
  load.measure(true);
  await new Promise((r) => setTimeout(r, MEASURE_MS));
  load.measure(false);
  const after = procStats(serverPid);
  const clientAfter = procStats(Deno.pid);
  // Let the last messages arrive before counting what is missing.
  await new Promise((r) => setTimeout(r, 500));
  const { latencies, sent, dropped } = await load.finish();
  const { p50, p99 } = percentiles(latencies);
  return {
    viewers,
    samples: latencies.length,
    p50,
    p99,
    cpuPerSecond: (after.cpuSeconds - before.cpuSeconds) / (MEASURE_MS / 1000),
    rssPeakMb: after.rssPeakMb,
    missing: Math.max(0, viewers * sent - latencies.length),
    dropped,
    clientCpuPerSecond: (clientAfter.cpuSeconds - clientBefore.cpuSeconds) / (MEASURE_MS / 1000),
  };
}

/** Starts this file as a child (`--relay-child DIR` or `--bare-child`); its port and pid. */
async function startChild(args: string[]): Promise<{ base: string; child: Deno.ChildProcess }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL(import.meta.url).pathname, ...args],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.getReader();
  const { value } = await reader.read();
  reader.releaseLock();
  child.stdout.cancel();
  return { base: `http://127.0.0.1:${Number(new TextDecoder().decode(value).trim())}`, child };
}

async function stopChild(child: Deno.ChildProcess): Promise<void> {
  child.kill("SIGTERM");
  await child.status;
}

function row(label: string, r: RunResult, reference: RunResult): string {
  return `${label.padEnd(7)}${String(r.viewers).padStart(7)}  ${r.p50.toFixed(2).padStart(6)}  ${
    r.p99.toFixed(2).padStart(7)
  }  ${(r.p99 / reference.p99).toFixed(1).padStart(6)}x  ${
    (r.cpuPerSecond * 100).toFixed(0).padStart(7)
  }%  ${r.rssPeakMb.toFixed(0).padStart(5)} MB  ${r.missing}  ${r.dropped}  ${
    (r.clientCpuPerSecond * 100).toFixed(0)
  }%`;
}

async function main(counts: number[]): Promise<void> {
  const dataDir = await Deno.makeTempDir({ prefix: "asciirec-bench-relay-" });
  const relay = await startChild(["--relay-child", dataDir]);
  const results: RunResult[] = [];
  let bare: RunResult | undefined;
  try {
    console.log(
      `one producer at ${RATE_BYTES_PER_S / 1000} KB/s (${CHUNK} B every ${TICK_MS} ms), ` +
        `${MEASURE_MS / 1000} s measured per run; relay pid ${relay.child.pid}`,
    );
    for (const n of [1, ...counts]) {
      results.push(await run(await relayTarget(relay.base), relay.child.pid, n));
    }
  } finally {
    await stopChild(relay.child);
    await Deno.remove(dataDir, { recursive: true });
  }
  const top = results.at(-1)!;
  const server = await startChild(["--bare-child"]);
  try {
    bare = await run(bareTarget(server.base), server.child.pid, top.viewers);
  } finally {
    await stopChild(server.child);
  }
  const reference = results[0]!;
  console.log(
    "server  viewers  p50 ms   p99 ms  p99/1 viewer  CPU  peak RSS  lost  dropped  client CPU",
  );
  for (const r of results) console.log(row("relay", r, reference));
  console.log(row("bare", bare, reference));
  console.log(
    `(bare: Deno's own WebSocket server forwarding the producer's messages to the same viewers; ` +
      `its "lost" counts what had not arrived 0.5 s after the window)`,
  );
  console.log(
    `at ${top.viewers} viewers: relay p99 ${(top.p99 / bare.p99).toFixed(2)}× the bare server's; ` +
      `targets p99 < 50 ms: ${top.p99 < 50 ? "met" : "NOT met"} (${top.p99.toFixed(1)} ms); ` +
      `nothing lost: ${top.missing === 0 ? "met" : "NOT met"}; RSS < 500 MB: ${
        top.rssPeakMb < 500 ? "met" : "NOT met"
      } (${top.rssPeakMb.toFixed(0)} MB)`,
  );
}

if (import.meta.main) {
  if (Deno.args[0] === "--relay-child") {
    await relayChild(Deno.args[1]!);
  } else if (Deno.args[0] === "--bare-child") {
    bareChild();
  } else {
    const counts = Deno.args.length > 0 ? Deno.args.map(Number) : [100, 1000];
    await main(counts);
  }
}
