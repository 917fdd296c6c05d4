/**
 * Relay fan-out benchmark: one ALiS producer at 100 KB/s through `asciirec serve`'s relay
 * (run as a separate process) to N = 1, 100 and 1000 WebSocket viewers on loopback.
 * Reports producer→viewer latency (p50, p99), the relay's CPU time per second of stream and
 * its peak RSS. The 1-viewer run is one reference (the larger runs print their p99 as a ratio
 * to it); the other, at the largest count, is Deno's own WebSocket server doing nothing but
 * forward the producer's messages to the same viewers (the floor of this runtime on this
 * machine). Targets: p99 < 50 ms at 1000 viewers, nothing lost, RSS < 500 MB.
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
import { peakRssKiB, percentiles, procCpuMs } from "./_stats.ts";
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

/** Where a run sends the producer's output and where its viewers connect. */
interface Target {
  viewerUrl: string;
  send(message: Uint8Array): void;
  close(): void;
}

/** A new live stream on the relay at `base`, with its producer connected. */
async function relayTarget(base: string): Promise<Target> {
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
  return {
    viewerUrl: `${base.replace("http", "ws")}/ws/s/${token}`,
    send: (message) => producer.send(message),
    close: () => producer.close(),
  };
}

/** The bare server at `base`, with a producer connected. */
async function bareTarget(base: string): Promise<Target> {
  const producer = new WebSocket(`${base.replace("http", "ws")}/produce`, ["v1.alis"]);
  await new Promise((resolve) => producer.onopen = resolve);
  return {
    viewerUrl: `${base.replace("http", "ws")}/`,
    send: (message) => producer.send(message),
    close: () => producer.close(),
  };
}

interface ProcStats {
  cpuSeconds: number;
  rssPeakMb: number;
}

function procStats(pid: number): ProcStats {
  return { cpuSeconds: procCpuMs(pid).ownMs / 1000, rssPeakMb: peakRssKiB(pid) / 1024 };
}

const ascii = new TextDecoder();

/**
 * The send stamps in an Output message: `o id rel len "T<stamp>;…\r\n"`, one per event the
 * producer sent (a relay may merge several into one message, each keeps its stamp).
 */
function stampsOf(bytes: Uint8Array): number[] {
  if (bytes[0] !== 0x6f) return [];
  let at = decodeLeb128(bytes, 1).next;
  at = decodeLeb128(bytes, at).next;
  at = decodeLeb128(bytes, at).next;
  const stamps: number[] = [];
  // Each event starts with "T<stamp>;" and ends with "\r\n".
  while (at < bytes.length && bytes[at] === 0x54) {
    let end = at + 1;
    while (end < bytes.length && bytes[end] !== 0x3b) end++;
    stamps.push(Number(ascii.decode(bytes.subarray(at + 1, end))));
    while (end < bytes.length && bytes[end] !== 0x0a) end++;
    at = end + 1;
  }
  return stamps;
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
  let measuring = false;
  const latencies: number[] = [];
  const sockets: LightViewer[] = [];
  let ready = 0;
  let windowStart = Infinity;
  let windowEnd = Infinity;
  let dropped = 0;
  const url = target.viewerUrl;
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
      // Only events sent inside the measured window count, whenever they arrive.
      const at = now();
      for (const stamp of stampsOf(bytes)) {
        if (stamp >= windowStart && stamp <= windowEnd) latencies.push(at - stamp);
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
    target.send(encodeAlisMessage({ type: "output", id: id++, relTime: TICK_MS * 1000, data }));
    const stamp = Number(stampText.slice(1, -1));
    if (stamp >= windowStart && stamp <= windowEnd) sent++;
  };
  const timer = setInterval(send, TICK_MS);
  await new Promise((r) => setTimeout(r, WARMUP_MS));
  const before = procStats(serverPid);
  const clientBefore = procStats(Deno.pid);
  measuring = true;
  windowStart = now();
  await new Promise((r) => setTimeout(r, MEASURE_MS));
  windowEnd = now();
  measuring = false;
  const after = procStats(serverPid);
  const clientAfter = procStats(Deno.pid);
  clearInterval(timer);
  // Let the last messages arrive before counting what is missing.
  await new Promise((r) => setTimeout(r, 500));
  target.close();
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
    bare = await run(await bareTarget(server.base), server.child.pid, top.viewers);
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
