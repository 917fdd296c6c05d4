/**
 * Playback overhead: CPU time (user + sys) to play a generated 100 MB high-rate asciicast v2
 * recording at maximum speed through a PTY into /dev/null, for `asciirec play` and for
 * Debian's `asciinema play` (2.2) on the same file in the same run, printed as a ratio
 * (target: ≤ 0.5×).
 *
 * Each player runs under `script` (which gives it a PTY and copies the PTY to /dev/null),
 * measured by `/usr/bin/time` inside the PTY, so the time of `script` itself is not counted.
 *
 * Run: `deno run -A bench/play.ts [MEGABYTES] [RUNS]` (defaults 100 and 3; the best run of
 * each player counts).
 *
 * @module
 */
import { shellQuote } from "../tests/_shell_quote.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const PERMISSIONS = "--allow-read --allow-write --allow-net --allow-env --allow-ffi " +
  "--allow-run --allow-sys";

interface Measurement {
  cpu: number;
  user: number;
  sys: number;
  maxRssKiB: number;
  wall: number;
}

/** Writes a v2 recording of about `megabytes` MB: coloured lines 100 µs apart. */
async function generate(path: string, megabytes: number): Promise<number> {
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const encoder = new TextEncoder();
  const target = megabytes * 1_000_000;
  let size = 0;
  let events = 0;
  let lines: string[] = [`{"version": 2, "width": 80, "height": 24}`];
  while (size < target) {
    const time = (events * 0.0001).toFixed(6);
    const colour = 31 + (events % 7);
    lines.push(
      `[${time}, "o", "\\u001b[${colour}mline ${events}\\u001b[0m ${"lorem ipsum ".repeat(3)}` +
        `caf\u00e9 \\u2502 ok\\r\\n"]`,
    );
    events++;
    if (lines.length === 10_000) {
      const bytes = encoder.encode(lines.join("\n") + "\n");
      size += bytes.length;
      await file.write(bytes);
      lines = [];
    }
  }
  if (lines.length > 0) await file.write(encoder.encode(lines.join("\n") + "\n"));
  file.close();
  return events;
}

/** Runs `command` (a shell command line) in a PTY whose output goes to /dev/null. */
async function measure(command: string): Promise<Measurement> {
  const timesFile = await Deno.makeTempFile({ prefix: "asciirec-bench-" });
  try {
    const inner = `/usr/bin/time -f '%U %S %M' -o ${shellQuote(timesFile)} ${command}`;
    const start = performance.now();
    const out = await new Deno.Command("sh", {
      args: ["-c", `script -qec ${shellQuote(inner)} /dev/null > /dev/null`],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
    const wall = (performance.now() - start) / 1000;
    const text = (await Deno.readTextFile(timesFile)).trim().split("\n").pop() ?? "";
    const [user, sys, rss] = text.split(" ").map(Number);
    if (!out.success || user === undefined || sys === undefined || rss === undefined) {
      throw new Error(
        `${command} failed (${out.code}): ${new TextDecoder().decode(out.stderr)} ${text}`,
      );
    }
    return { cpu: user + sys, user, sys, maxRssKiB: rss, wall };
  } finally {
    await Deno.remove(timesFile);
  }
}

function best(runs: Measurement[]): Measurement {
  return runs.reduce((a, b) => (b.cpu < a.cpu ? b : a));
}

function describe(name: string, m: Measurement): string {
  return `${name.padEnd(16)} cpu ${m.cpu.toFixed(2)} s (user ${m.user.toFixed(2)}, sys ${
    m.sys.toFixed(2)
  })  wall ${m.wall.toFixed(2)} s  max RSS ${(m.maxRssKiB / 1024).toFixed(0)} MiB`;
}

if (import.meta.main) {
  const megabytes = Number(Deno.args[0] ?? 100);
  const runs = Number(Deno.args[1] ?? 3);
  const dir = await Deno.makeTempDir({ prefix: "asciirec-bench-play-" });
  try {
    const cast = `${dir}/high-rate.cast`;
    const events = await generate(cast, megabytes);
    const size = (await Deno.stat(cast)).size;
    console.log(
      `recording: ${
        (size / 1e6).toFixed(0)
      } MB, ${events} events, v2; maximum speed; PTY → /dev/null`,
    );
    const asciirec = `${shellQuote(Deno.execPath())} run --quiet ${PERMISSIONS} ${
      shellQuote(MAIN)
    } play -q -s 1e9 ${shellQuote(cast)}`;
    const asciinema = `asciinema play -s 1e9 ${shellQuote(cast)}`;
    const ours: Measurement[] = [];
    const theirs: Measurement[] = [];
    for (let i = 0; i < runs; i++) {
      ours.push(await measure(asciirec));
      theirs.push(await measure(asciinema));
    }
    const a = best(ours);
    const b = best(theirs);
    console.log(describe("asciirec play", a));
    console.log(describe("asciinema play", b));
    console.log(`CPU ratio asciirec/asciinema: ${(a.cpu / b.cpu).toFixed(3)}× (target ≤ 0.5×)`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
