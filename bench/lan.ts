/**
 * Benchmark: LAN streaming (issue 15).
 *
 * 1. Time to first screen for a joining viewer on loopback (p50, p99): from `new WebSocket`
 *    to the Init (the current screen) received, against a busy 120x40 screen; beside the
 *    reference, the time to the first message (the ALiS magic, sent as the socket opens) on
 *    the same server in the same run. Target: p99 < 100 ms.
 * 2. Rewind load time: the session so far (`/rewind.cast`) fetched whole over HTTP, for a
 *    1-hour session (an event every 100 ms) and a 100 MB one (past the 64 MiB memory bound,
 *    so partly read back from the spill file); beside the reference, the same bytes served
 *    from one buffer by the same HTTP server.
 * 3. Server RSS while streaming a 200 MB burst (`asciirec stream --local --headless`), peak,
 *    with rewind on (the default bound) and off (the reference).
 *
 * Usage: `deno run -A bench/lan.ts [--joins N]` (default 200).
 *
 * @module
 */
import { LiveHub } from "../lib/stream/live_hub.ts";
import { hubView } from "../lib/stream/local_stream.ts";
import { startLocalServer } from "../lib/stream/local_server.ts";
import { RewindLog } from "../lib/stream/rewind_log.ts";
import { serveHttp } from "../lib/http/server.ts";
import { LiveCli } from "../tests/_live_cli.ts";
import { numberFlag } from "./_number_flag.ts";
import { median, peakRssKiB, percentiles } from "./_stats.ts";

const joins = numberFlag(Deno.args, "--joins", { fallback: 200 });
const ms = (n: number) => `${n.toFixed(1)} ms`;

async function firstScreen(): Promise<void> {
  const hub = new LiveHub();
  const server = await startLocalServer({ hub: hubView(hub) });
  hub.begin({ cols: 120, rows: 40 });
  for (let i = 0; i < 400; i++) {
    hub.write({
      time: i * 1000,
      code: "o",
      data: `\x1b[3${i % 8}m${i} ${"build output ".repeat(8)}\x1b[0m\r\n`,
    });
  }
  const url = server.urls[0]!.replace("http", "ws") + "ws";
  const toInit: number[] = [];
  const toMagic: number[] = [];
  for (let i = 0; i < joins; i++) {
    const start = performance.now();
    const socket = new WebSocket(url, ["v1.alis"]);
    socket.binaryType = "arraybuffer";
    await new Promise<void>((resolve) => {
      let n = 0;
      socket.onmessage = () => {
        if (n++ === 0) toMagic.push(performance.now() - start);
        else {
          toInit.push(performance.now() - start);
          resolve();
        }
      };
    });
    socket.close();
    await new Promise((resolve) => (socket.onclose = resolve));
    // Keep the screen changing between joins, as a live session does.
    hub.write({ time: 400_000 + i * 1000, code: "o", data: `join ${i}\r\n` });
  }
  await hub.close();
  await server.shutdown();
  const init = percentiles(toInit);
  const magic = percentiles(toMagic);
  console.log(
    `first screen (${joins} joins, 120x40): p50 ${ms(init.p50)}, p99 ${ms(init.p99)}; ` +
      `reference (socket open, first message): p50 ${ms(magic.p50)}, p99 ${ms(magic.p99)}; ` +
      `ratio p50 ${(init.p50 / magic.p50).toFixed(2)}x; target p99 < 100 ms: ` +
      (init.p99 < 100 ? "met" : "NOT met"),
  );
}

async function rewindLoad(label: string, fill: (log: RewindLog) => void): Promise<void> {
  const log = new RewindLog();
  log.init({ lastId: 0, time: 0, cols: 120, rows: 40, initData: "" }, false);
  fill(log);
  await log.settled();
  const bytes = new Uint8Array(
    await log.response(new Request("http://x/rewind.cast")).arrayBuffer(),
  );
  const status = log.status!;
  const server = await serveHttp((request) => {
    const path = new URL(request.url).pathname;
    return path === "/rewind.cast"
      ? log.response(request)
      : new Response(bytes, { headers: { "content-type": "application/x-asciicast" } });
  });
  const base = `http://127.0.0.1:${server.addr.port}`;
  const time = async (path: string) => {
    const runs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const start = performance.now();
      const n = (await (await fetch(base + path)).arrayBuffer()).byteLength;
      runs.push(performance.now() - start);
      if (n !== bytes.length) throw new Error(`${path}: ${n} bytes, expected ${bytes.length}`);
    }
    return median(runs);
  };
  const rewind = await time("/rewind.cast");
  const reference = await time("/static.cast");
  console.log(
    `rewind load, ${label}: ${(bytes.length / 1e6).toFixed(1)} MB, ${status.events} events ` +
      `(${(status.fileBytes / 1e6).toFixed(1)} MB from the spill file): ${ms(rewind)}; ` +
      `reference (one buffer): ${ms(reference)}; ratio ${(rewind / reference).toFixed(2)}x`,
  );
  await server.shutdown();
  await log.close();
}

async function burstRss(extra: string[]): Promise<number> {
  const cli = new LiveCli([
    "stream",
    "--local",
    "--headless",
    "--window-size",
    "120x40",
    ...extra,
    "-c",
    "yes 'the quick brown fox jumps over the lazy dog, 0123456789 ABCDEFGHIJKLMNOPQRSTUVWXYZ -- abcdefghi' | head -c 200000000; echo burst-done; read a",
  ]);
  const url = await cli.url();
  const pid = cli.child.pid;
  const viewer = new WebSocket(url.replace("http", "ws") + "ws", ["v1.alis"]);
  let text = "";
  viewer.binaryType = "arraybuffer";
  viewer.onmessage = (e) => (text = (text + new TextDecoder().decode(e.data)).slice(-4096));
  while (!text.includes("burst-done")) await new Promise((resolve) => setTimeout(resolve, 100));
  const peak = peakRssKiB(pid) / 1024;
  viewer.close();
  await cli.type("\n");
  await cli.exit();
  return peak;
}

await firstScreen();
await rewindLoad("1-hour session", (log) => {
  for (let i = 1; i <= 36_000; i++) {
    log.event({
      id: i,
      time: i * 100_000,
      code: "o",
      data: `\x1b[32m$\x1b[0m step ${i}: ok (${i % 97} ms)\r\n`,
    });
  }
});
await rewindLoad("100 MB session", (log) => {
  const line = "x".repeat(990) + "\r\n";
  for (let i = 1; i <= 100_000; i++) log.event({ id: i, time: i * 1000, code: "o", data: line });
});
const on = await burstRss([]);
const off = await burstRss(["--no-rewind"]);
console.log(
  `server peak RSS streaming 200 MB: rewind on ${on.toFixed(0)} MiB, off (reference) ` +
    `${off.toFixed(0)} MiB; ratio ${(on / off).toFixed(2)}x (+${(on - off).toFixed(0)} MiB)`,
);
