/**
 * Relay fan-out benchmark: one ALiS producer at 100 KB/s through `asciirec serve`'s relay
 * (run as a separate process) to N = 1, 100 and 1000 WebSocket viewers on loopback.
 * Reports producer→viewer latency (p50, p99), the relay's CPU time per second of stream and
 * its peak RSS. The 1-viewer run is the reference: the larger runs print their p99 as a
 * ratio to it. Targets: p99 < 50 ms at 1000 viewers, RSS < 500 MB.
 *
 * The viewers are light WebSocket clients (`_light_viewer.ts`: frames parsed from TCP reads,
 * no per-message event), so that the load generator, on the same machine, takes as little of
 * the CPU as it can and the figures are the relay's.
 *
 * `deno run -A bench/relay.ts [N…]` (default 100 1000).
 *
 * @module
 */
import { encodeAlisMessage } from "../lib/alis/encoder.ts";
import { alisMagic } from "../lib/alis/message.ts";
import { decodeLeb128 } from "../lib/alis/leb128.ts";
import { Relay } from "../lib/relay/relay.ts";
import { serveHttp } from "../lib/http/server.ts";
import { peakRssKiB, percentiles } from "./_stats.ts";
import { type LightViewer, lightViewer } from "./_light_viewer.ts";

const RATE_BYTES_PER_S = 100_000;
const TICK_MS = 10;
const CHUNK = RATE_BYTES_PER_S * TICK_MS / 1000;
const WARMUP_MS = 1000;
const MEASURE_MS = 5000;

/** Wall clock in ms with sub-ms precision, comparable between processes on one machine. */
function now(): number {
  return performance.timeOrigin + performance.now();
}

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

interface ProcStats {
  cpuSeconds: number;
  rssPeakMb: number;
}

function procStats(pid: number): ProcStats {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
  return { cpuSeconds: ticks / 100, rssPeakMb: peakRssKiB(pid) / 1024 };
}

const ascii = new TextDecoder();

/** Reads the send stamp from an Output message: `o id rel len "T<stamp>;…"`. */
function stampOf(bytes: Uint8Array): number | undefined {
  if (bytes[0] !== 0x6f) return undefined;
  let at = decodeLeb128(bytes, 1).next;
  at = decodeLeb128(bytes, at).next;
  at = decodeLeb128(bytes, at).next;
  if (bytes[at] !== 0x54) return undefined; // "T"
  let end = at + 1;
  while (end < bytes.length && bytes[end] !== 0x3b) end++;
  return Number(ascii.decode(bytes.subarray(at + 1, end)));
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

async function run(base: string, relayPid: number, viewers: number): Promise<RunResult> {
  const auth = `Basic ${btoa(`:${crypto.randomUUID()}`)}`;
  const created = await fetch(`${base}/api/v1/streams`, {
    method: "POST",
    headers: { authorization: auth, "content-type": "application/json" },
    body: JSON.stringify({ live: true }),
  });
  const stream = await created.json() as { url: string; ws_producer_url: string };
  const token = stream.url.split("/").pop();
  const producer = new WebSocket(stream.ws_producer_url, ["v1.alis"]);
  await new Promise((resolve) => producer.onopen = resolve);
  producer.send(alisMagic());
  producer.send(
    encodeAlisMessage({ type: "init", lastId: 0, time: 0, cols: 120, rows: 40, initData: "" }),
  );

  let measuring = false;
  const latencies: number[] = [];
  const sockets: LightViewer[] = [];
  let ready = 0;
  let windowStart = Infinity;
  let windowEnd = Infinity;
  let dropped = 0;
  const url = `${base.replace("http", "ws")}/ws/s/${token}`;
  for (let i = 0; i < viewers; i++) {
    let gotInit = false;
    const viewer = await lightViewer(url, "v1.alis", (bytes) => {
      if (!gotInit) {
        if (bytes[0] === 0x01) {
          gotInit = true;
          ready++;
        }
        return;
      }
      const stamp = stampOf(bytes);
      // Only messages sent inside the measured window count, whenever they arrive.
      if (stamp !== undefined && stamp >= windowStart && stamp <= windowEnd) {
        latencies.push(now() - stamp);
      }
    });
    viewer.closed.then(() => {
      if (measuring) dropped++;
    });
    sockets.push(viewer);
  }
  const deadline = Date.now() + 60_000;
  while (ready < viewers && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));

  let id = 1;
  let sent = 0;
  const filler = "x".repeat(CHUNK);
  const send = () => {
    const stampText = `T${now().toFixed(3)};`;
    const data = (stampText + filler).slice(0, CHUNK - 2) + "\r\n";
    producer.send(encodeAlisMessage({ type: "output", id: id++, relTime: TICK_MS * 1000, data }));
    const stamp = Number(stampText.slice(1, -1));
    if (stamp >= windowStart && stamp <= windowEnd) sent++;
  };
  const timer = setInterval(send, TICK_MS);
  await new Promise((r) => setTimeout(r, WARMUP_MS));
  const before = procStats(relayPid);
  const clientBefore = procStats(Deno.pid);
  measuring = true;
  windowStart = now();
  await new Promise((r) => setTimeout(r, MEASURE_MS));
  windowEnd = now();
  measuring = false;
  const after = procStats(relayPid);
  const clientAfter = procStats(Deno.pid);
  clearInterval(timer);
  // Let the last messages arrive before counting what is missing.
  await new Promise((r) => setTimeout(r, 500));
  producer.close();
  for (const ws of sockets) ws.close();
  const { p50, p99 } = percentiles(latencies);
  const missing = viewers * sent - latencies.length;
  return {
    viewers,
    samples: latencies.length,
    p50,
    p99,
    cpuPerSecond: (after.cpuSeconds - before.cpuSeconds) / (MEASURE_MS / 1000),
    rssPeakMb: after.rssPeakMb,
    missing: Math.max(0, missing),
    dropped,
    clientCpuPerSecond: (clientAfter.cpuSeconds - clientBefore.cpuSeconds) / (MEASURE_MS / 1000),
  };
}

async function main(counts: number[]): Promise<void> {
  const dataDir = await Deno.makeTempDir({ prefix: "asciirec-bench-relay-" });
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL(import.meta.url).pathname, "--relay-child", dataDir],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.getReader();
  const { value } = await reader.read();
  const port = Number(new TextDecoder().decode(value).trim());
  const base = `http://127.0.0.1:${port}`;
  try {
    console.log(
      `one producer at ${RATE_BYTES_PER_S / 1000} KB/s (${CHUNK} B every ${TICK_MS} ms), ` +
        `${MEASURE_MS / 1000} s measured per run; relay pid ${child.pid}`,
    );
    const reference = await run(base, child.pid, 1);
    const results = [reference];
    for (const n of counts) results.push(await run(base, child.pid, n));
    console.log(
      "viewers  p50 ms   p99 ms  p99/ref  relay CPU  peak RSS  lost  dropped  client CPU",
    );
    for (const r of results) {
      console.log(
        `${String(r.viewers).padStart(7)}  ${r.p50.toFixed(2).padStart(6)}  ${
          r.p99.toFixed(2).padStart(7)
        }  ${(r.p99 / reference.p99).toFixed(1).padStart(6)}x  ${
          (r.cpuPerSecond * 100).toFixed(0).padStart(7)
        }%  ${r.rssPeakMb.toFixed(0).padStart(5)} MB  ${r.missing}  ${r.dropped}  ${
          (r.clientCpuPerSecond * 100).toFixed(0)
        }%`,
      );
    }
    const top = results.at(-1)!;
    console.log(
      `targets at ${top.viewers} viewers: p99 < 50 ms: ${top.p99 < 50 ? "met" : "NOT met"} ` +
        `(${top.p99.toFixed(1)} ms); RSS < 500 MB: ${top.rssPeakMb < 500 ? "met" : "NOT met"} ` +
        `(${top.rssPeakMb.toFixed(0)} MB)`,
    );
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await reader.cancel();
    await Deno.remove(dataDir, { recursive: true });
  }
}

if (import.meta.main) {
  if (Deno.args[0] === "--relay-child") {
    await relayChild(Deno.args[1]!);
  } else {
    const counts = Deno.args.length > 0 ? Deno.args.map(Number) : [100, 1000];
    await main(counts);
  }
}
