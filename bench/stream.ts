/**
 * Benchmark: latency from `LiveHub.write` to ALiS viewers on loopback (p50, p99), with 1 and
 * with 200 viewers, beside a bare WebSocket server that sends the same bytes to the same
 * number of clients with no hub in between (the reference, measured in the same run).
 * Viewers run in a worker thread; each event carries its send time (epoch ms).
 *
 * Then recording throughput with streaming on: `asciirec session -o FILE --local -c 'seq 1 N'`
 * with one viewer attached (a light WebSocket client, `_light_viewer.ts`, so that the viewer
 * takes little of the machine's CPU, as one on another machine would), as a ratio to
 * `script -q -c 'seq 1 N' /dev/null` (the kernel PTY round trip with nothing else) in the same
 * run; medians of 5 runs.
 *
 * Usage: `deno run -A bench/stream.ts [--events N] [--lines N]` (defaults 300 events, one
 * every 10 ms; 2 000 000 lines).
 * Targets (issue 5): p99 < 10 ms with 1 viewer, < 30 ms with 200; throughput ≥ 0.8× script.
 *
 * @module
 */
import { LiveHub } from "../lib/stream/live_hub.ts";
import { LiveCli } from "../tests/_live_cli.ts";
import { homeEnv, spawnServe } from "../tests/_relay.ts";
import { startLocalServer } from "../lib/stream/local_server.ts";
import { numberFlag } from "./_number_flag.ts";
import { median, percentiles, procCpuMs } from "./_stats.ts";
import { lightViewer } from "./_light_viewer.ts";

const INTERVAL_MS = 10;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const stamp = () => performance.timeOrigin + performance.now();
const PAYLOAD = " \x1b[32mok\x1b[0m build step finished in 12.3 ms\r\n";

/** Starts the worker's viewers and returns the per-delivery latencies once `send` is done. */
async function _measure(
  url: string,
  protocols: string[],
  viewers: number,
  events: number,
  send: (data: string) => void,
): Promise<number[]> {
  const worker = new Worker(new URL("./_stream_viewers.ts", import.meta.url), { type: "module" });
  try {
    const result = new Promise<number[]>((resolve, reject) => {
      worker.onerror = (e) => reject(new Error(e.message));
      worker.onmessage = async (m: MessageEvent<{ ready?: boolean; latencies?: number[] }>) => {
        if (m.data.latencies) return resolve(m.data.latencies);
        for (let i = 0; i < events; i++) {
          send(`${stamp()}${PAYLOAD}`);
          await sleep(INTERVAL_MS);
        }
      };
    });
    worker.postMessage({ url, viewers, events, protocols });
    return await result;
  } finally {
    worker.terminate();
  }
}

async function _hub(viewers: number, events: number): Promise<number[]> {
  const hub = new LiveHub();
  hub.begin({ cols: 80, rows: 24 });
  const server = await startLocalServer({ hub });
  let time = 0;
  try {
    return await _measure(
      server.urls[0]!.replace("http", "ws") + "ws",
      ["v1.alis"],
      viewers,
      events,
      (data) => {
        time += INTERVAL_MS * 1000;
        hub.write({ time, code: "o", data });
      },
    );
  } finally {
    await hub.close();
    await server.shutdown();
  }
}

/** The reference: a WebSocket server that sends each message to every client, nothing more. */
async function _bare(viewers: number, events: number): Promise<number[]> {
  const sockets = new Set<WebSocket>();
  const encoder = new TextEncoder();
  const controller = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: controller.signal, onListen: () => {} },
    (request) => {
      const { socket, response } = Deno.upgradeWebSocket(request);
      socket.onopen = () => {
        sockets.add(socket);
        socket.send(encoder.encode("hello"));
        socket.send(encoder.encode("init"));
      };
      socket.onclose = () => sockets.delete(socket);
      return response;
    },
  );
  try {
    return await _measure(`ws://127.0.0.1:${server.addr.port}/`, [], viewers, events, (data) => {
      const bytes = encoder.encode(data);
      for (const socket of sockets) socket.send(bytes);
    });
  } finally {
    controller.abort();
    await server.finished;
  }
}

/** Wall time of `script` running the command (ms). */
async function _script(command: string): Promise<number> {
  const start = performance.now();
  const { code } = await new Deno.Command("script", {
    args: ["-q", "-c", command, "/dev/null"],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).output();
  if (code !== 0) throw new Error(`script exited with ${code}`);
  return performance.now() - start;
}

/** CPU time (ms, user + system, all threads) of process `pid` so far; undefined once gone. */
function _cpuMs(pid: number): number | undefined {
  try {
    return procCpuMs(pid).ownMs;
  } catch {
    return undefined;
  }
}

/**
 * Wall time of asciirec recording the command (ms), from the moment it is told to start
 * (so the program's own start-up is left out), with or without streaming to one viewer,
 * and the asciirec process's CPU time over the same span (sampled every 10 ms: the last
 * ≤ 10 ms may be missed). `extra` adds flags (`--remote` to a relay).
 */
async function _asciirec(
  command: string,
  dir: string,
  stream: boolean,
  extra: string[] = [],
  env: Record<string, string> = {},
): Promise<{ wallMs: number; cpuMs: number }> {
  const args = [
    "session",
    "--overwrite",
    "-o",
    `${dir}/bench.cast`,
    ...extra,
    "-c",
    `read go; ${command}`,
  ];
  const cli = new LiveCli(stream ? [...args, "--local"] : args, undefined, { env });
  let closed: Promise<unknown> = Promise.resolve();
  if (stream) {
    const url = await cli.url();
    // A light client (frames parsed from TCP reads): the viewer would be on another machine,
    // and on this one a full `WebSocket` takes a share of the same two cores.
    let messages = 0;
    const viewer = await lightViewer(url.replace("http:", "ws:") + "ws", "v1.alis", () => {
      messages++;
    });
    closed = viewer.closed;
    while (messages < 2) await sleep(5);
  } else {
    while (!cli.stderr.includes("Recording to")) await sleep(5);
    await sleep(300); // the session is waiting in `read`
  }
  const pid = cli.child.pid;
  const cpuBefore = _cpuMs(pid) ?? 0;
  let cpuLast = cpuBefore;
  let running = true;
  const sampler = (async () => {
    while (running) {
      cpuLast = _cpuMs(pid) ?? cpuLast;
      await sleep(10);
    }
  })();
  const start = performance.now();
  await cli.type("\n");
  const code = await cli.exit();
  const ms = performance.now() - start;
  running = false;
  await sampler;
  await closed;
  if (code !== 0) throw new Error(`asciirec exited with ${code}: ${cli.stderr}`);
  return { wallMs: ms, cpuMs: cpuLast - cpuBefore };
}

if (import.meta.main) {
  const events = numberFlag(Deno.args, "--events", { fallback: 300 });
  const lines = numberFlag(Deno.args, "--lines", { fallback: 2_000_000 });
  console.log(
    `hub → WebSocket viewer latency on loopback, ${events} events every ${INTERVAL_MS} ms`,
  );
  console.log("viewers  hub p50   hub p99   bare p50  bare p99  p99 ratio  target p99");
  for (const [viewers, target] of [[1, 10], [200, 30]] as const) {
    const bare = percentiles(await _bare(viewers, events));
    const hub = percentiles(await _hub(viewers, events));
    const ms = (v: number) => `${v.toFixed(2)} ms`.padEnd(10);
    console.log(
      `${String(viewers).padEnd(9)}${ms(hub.p50)}${ms(hub.p99)}${ms(bare.p50)}${ms(bare.p99)}` +
        `${(hub.p99 / bare.p99).toFixed(2)}×`.padEnd(11) +
        `< ${target} ms ${hub.p99 < target ? "✓" : "✗"}`,
    );
  }

  const command = `seq 1 ${lines}`;
  const dir = await Deno.makeTempDir();
  try {
    const script: number[] = [];
    const recOnly: number[] = [];
    const streaming: number[] = [];
    for (let run = 0; run < 5; run++) {
      script.push(await _script(command));
      recOnly.push((await _asciirec(command, dir, false)).wallMs);
      streaming.push((await _asciirec(command, dir, true)).wallMs);
    }
    const mb = (await Deno.stat(`${dir}/bench.cast`)).size / 1e6;
    const [s, r, l] = [median(script), median(recOnly), median(streaming)];
    console.log(`\nrecording '${command}' (${mb.toFixed(0)} MB of asciicast), median of 5:`);
    console.log("                                     wall      throughput vs script");
    const row = (name: string, ms: number) =>
      console.log(`${name.padEnd(37)}${`${ms.toFixed(0)} ms`.padEnd(10)}${(s / ms).toFixed(2)}×`);
    row("script -q -c … /dev/null", s);
    row("asciirec session -o FILE", r);
    row("asciirec session -o FILE --local +1", l);
    console.log(
      `streaming costs ${((l / r - 1) * 100).toFixed(0)}% over recording alone; ` +
        `target ≥ 0.8× script ${s / l >= 0.8 ? "✓" : "✗"}`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  await _remoteCost();
}

/**
 * The CPU that forwarding to a relay adds: `session -o FILE --local` against the same with
 * `--remote` to an `asciirec serve` on loopback, on a 20 MB burst (`seq 1 2600000`), one
 * local viewer each; medians of 5 interleaved runs. Target: within 10%.
 */
async function _remoteCost(): Promise<void> {
  const dir = await Deno.makeTempDir();
  const env = homeEnv(dir);
  const serve = await spawnServe(["--listen", "127.0.0.1:0", "--data-dir", `${dir}/relay`], env);
  try {
    const command = "seq 1 2600000";
    const local: number[] = [];
    const remote: number[] = [];
    for (let run = 0; run < 5; run++) {
      local.push((await _asciirec(command, dir, true, [], env)).cpuMs);
      remote.push(
        (await _asciirec(command, dir, true, ["--remote", "--server-url", serve.url], env)).cpuMs,
      );
    }
    const [l, r] = [median(local), median(remote)];
    const mb = (await Deno.stat(`${dir}/bench.cast`)).size / 1e6;
    console.log(`\nCPU of session on '${command}' (${mb.toFixed(0)} MB), median of 5:`);
    console.log(`asciirec session -o FILE --local +1            ${l.toFixed(0)} ms`);
    console.log(
      `asciirec session -o FILE --local +1 --remote   ${r.toFixed(0)} ms  ` +
        `${(r / l).toFixed(2)}×  target ≤ 1.10× ${r / l <= 1.1 ? "✓" : "✗"}`,
    );
  } finally {
    await serve.stop();
    await Deno.remove(dir, { recursive: true });
  }
}
