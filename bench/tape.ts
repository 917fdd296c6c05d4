/**
 * Benchmark: `asciirec tape` on a tape whose scripted time is exactly 10 s (typing at the
 * default 50 ms per key, a `seq` burst, `ls`, Sleeps), as a process: wall time from spawn to
 * exit against those 10 s (target ≤ 1.10×), the start-up part of it (`asciirec --version`,
 * measured in the same run), peak RSS, and the same tape with `--fast` (which skips quiet
 * Sleep time) — checking that both write the same recording.
 *
 * Usage: `deno run -A bench/tape.ts [--runs N]` (default 3).
 *
 * @module
 */
import { cliArgv } from "../tests/_cli.ts";
import { numberFlag } from "./_number_flag.ts";
import { median, peakRssKiB } from "./_stats.ts";

const RUNS = numberFlag(Deno.args, "--runs", { fallback: 3 });
const SCRIPTED_S = 10;

// 11 keys (0.55 s) + 3 s + 11 keys (0.55 s) + 3 s + 5 keys (0.25 s) + 2.65 s = 10 s.
const TAPE = [
  "Set Shell sh",
  'Type "echo hello" Enter',
  "Sleep 3s",
  'Type "seq 1 5000" Enter',
  "Sleep 3s",
  'Type "ls /" Enter',
  "Sleep 2.65s",
].join("\n");

interface Sample {
  wallS: number;
  rssMb: number;
}

/** Runs `asciirec ARGS` in `cwd`, sampling the peak RSS of the asciirec process. */
async function measure(args: string[], cwd: string): Promise<Sample> {
  const [cmd, ...rest] = cliArgv();
  const start = performance.now();
  const child = new Deno.Command(cmd!, {
    args: [...rest, ...args],
    cwd,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let rssKiB = 0;
  const sampler = setInterval(() => {
    try {
      rssKiB = Math.max(rssKiB, peakRssKiB(child.pid));
    } catch {
      // exited between samples
    }
  }, 20);
  const out = await child.output();
  const wallS = (performance.now() - start) / 1000;
  clearInterval(sampler);
  if (out.code !== 0) throw new Error(new TextDecoder().decode(out.stderr));
  return { wallS, rssMb: rssKiB / 1024 };
}

const dir = await Deno.makeTempDir({ prefix: "asciirec-bench-tape-" });
try {
  await Deno.writeTextFile(`${dir}/bench.tape`, TAPE);
  const startup: number[] = [];
  const normal: Sample[] = [];
  const fast: Sample[] = [];
  for (let i = 0; i < RUNS; i++) {
    startup.push((await measure(["--version"], dir)).wallS);
    normal.push(await measure(["tape", "-q", "bench.tape", "-o", `normal${i}.cast`], dir));
    fast.push(await measure(["tape", "-q", "--fast", "bench.tape", "-o", `fast${i}.cast`], dir));
  }
  const same = await Deno.readTextFile(`${dir}/normal0.cast`) ===
    await Deno.readTextFile(`${dir}/fast0.cast`);
  const up = median(startup);
  const wall = median(normal.map((s) => s.wallS));
  const fastWall = median(fast.map((s) => s.wallS));
  const row = (name: string, s: number, rss: number) =>
    console.log(
      `${name.padEnd(24)} ${s.toFixed(2).padStart(6)} s  ${(s / SCRIPTED_S).toFixed(3)}× scripted` +
        `  peak RSS ${rss.toFixed(0).padStart(4)} MB`,
    );
  console.log(`tape of ${SCRIPTED_S} s scripted time, median of ${RUNS} runs`);
  row("asciirec tape", wall, Math.max(...normal.map((s) => s.rssMb)));
  row("asciirec tape --fast", fastWall, Math.max(...fast.map((s) => s.rssMb)));
  console.log(
    `start-up (asciirec --version): ${up.toFixed(2)} s; tape overhead beyond start-up: ` +
      `${(wall - SCRIPTED_S - up).toFixed(2)} s`,
  );
  console.log(`--fast wrote the same recording as a normal run: ${same ? "yes" : "NO"}`);
  console.log(`target ≤ 1.10× scripted: ${wall / SCRIPTED_S <= 1.1 ? "met" : "MISSED"}`);
} finally {
  await Deno.remove(dir, { recursive: true });
}
