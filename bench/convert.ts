/**
 * Benchmark: `asciirec convert` of a generated asciicast v2 file to v3, as a process,
 * measuring throughput (MB/s of input) and peak RSS, beside the same file through the Debian
 * `asciinema cat` (2.2, which prints the output data) in the same run.
 *
 * Usage: `deno run -A bench/convert.ts [--size-mb N]` (default 200).
 * Targets: at least 100 MB/s, peak RSS under 150 MB whatever the size.
 *
 * @module
 */
import { cliArgv } from "../tests/_cli.ts";
import { mulberry32 } from "../tests/_mulberry32.ts";
import { shellQuote } from "../tests/_shell_quote.ts";
import { numberFlag } from "./_number_flag.ts";
import { peakRssKiB } from "./_stats.ts";

/** What {@linkcode _measure} found. */
export interface Measure {
  seconds: number;
  /** Peak RSS in MB, when it could be measured. */
  rssMb?: number;
}

const TIME = "/usr/bin/time";

/**
 * Writes a v2 file of about `bytes` bytes that looks like a real session: typed keys echoed
 * one per event, prompts, coloured `ls` and compiler lines, progress bars, UTF-8 (box
 * drawing, symbols, emoji), and bursts of output read from the PTY in chunks of up to 4 KiB
 * (which carry most of the bytes in real recordings), plus rare resizes and markers.
 */
export async function _generate(path: string, bytes: number): Promise<number> {
  const random = mulberry32(42);
  const words = ["src", "main.rs", "Cargo.toml", "README.md", "target", "tests", "lib", "index"];
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)]!;
  const line = (): string =>
    pick([
      () =>
        `\u001b[0m\u001b[01;34m${pick(words)}\u001b[0m  ${pick(words)}  ${pick(words)}  ${
          pick(words)
        }\r\n`,
      () =>
        `   Compiling ${pick(words)} v0.${Math.floor(random() * 9)}.${
          Math.floor(random() * 30)
        } (/home/user/project/${pick(words)})\r\n`,
      () =>
        `│ ${pick(words).padEnd(20)} │ ✔ ok │ ${(random() * 100).toFixed(2).padStart(8)} ms │\r\n`,
      () => "warning: unused variable: `x`\r\n --> src/main.rs:3:9\r\n  |\r\n",
      () => `INFO  ${new Date(1.7e12 + random() * 1e9).toISOString()} request served 🚀\r\n`,
    ])();
  const events: [number, () => string][] = [
    [0.4, () => pick("abcdefghijklmnopqrstuvwxyz ".split(""))],
    [0.1, () => "\r\n\u001b[1;32muser@host\u001b[0m:\u001b[1;34m~/project\u001b[0m$ "],
    [0.3, line],
    [0.05, () => {
      const n = Math.floor(random() * 41);
      return `\r[${"#".repeat(n)}${" ".repeat(40 - n)}] ${Math.floor(n * 2.5)}%`;
    }],
    [0.15, () => {
      let chunk = "";
      const size = 256 + random() * 3840;
      while (chunk.length < size) chunk += line();
      return chunk;
    }],
  ];
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const encoder = new TextEncoder();
  let text =
    '{"version": 2, "width": 120, "height": 40, "timestamp": 1700000000, "env": {"SHELL": "/bin/bash", "TERM": "xterm-256color"}}\n';
  let written = 0;
  let time = 0;
  let count = 0;
  while (written < bytes) {
    time += Math.floor(random() * random() * 400_000);
    let r = random();
    let code = "o";
    let data = "";
    if (r < 0.001) [code, data] = ["r", `${100 + Math.floor(random() * 60)}x40`];
    else if (r < 0.002) code = "m";
    else {
      r = random();
      for (const [p, make] of events) {
        if ((r -= p) < 0 || make === events.at(-1)![1]) {
          data = make();
          break;
        }
      }
    }
    text += `[${(time / 1e6).toFixed(6)}, "${code}", ${JSON.stringify(data)}]\n`;
    count++;
    if (text.length > 1 << 20) {
      const chunk = encoder.encode(text);
      await file.write(chunk);
      written += chunk.length;
      text = "";
    }
  }
  await file.write(encoder.encode(text));
  file.close();
  return count;
}

/** Runs a command, measuring wall time and (with /usr/bin/time) peak RSS. */
export async function _measure(
  argv: string[],
  options: { shell?: boolean } = {},
): Promise<Measure> {
  const haveTime = await Deno.stat(TIME).then(() => true, () => false);
  const rssFile = await Deno.makeTempFile({ prefix: "asciirec-bench-rss-" });
  let args = haveTime ? [TIME, "-f", "%M", "-o", rssFile, ...argv] : argv;
  if (options.shell) {
    // asciinema 2.2's cat opens /dev/tty: give it one with script(1); its output goes to
    // /dev/null, not through the pseudo-terminal.
    const line = args.map(shellQuote).join(" ") + " > /dev/null";
    args = ["script", "-qec", line, "/dev/null"];
  }
  const start = performance.now();
  const child = new Deno.Command(args[0]!, {
    args: args.slice(1),
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  // Without /usr/bin/time, sample the child's high-water mark while it runs.
  let hwmKb = 0;
  const poll = haveTime || options.shell ? undefined : setInterval(() => {
    try {
      hwmKb = Math.max(hwmKb, peakRssKiB(child.pid));
    } catch {
      // The process has just ended.
    }
  }, 10);
  const out = await child.output();
  clearInterval(poll);
  const seconds = (performance.now() - start) / 1000;
  if (!out.success) {
    throw new Error(`${argv.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  const kb = haveTime ? Number((await Deno.readTextFile(rssFile)).trim().split("\n").pop()) : hwmKb;
  await Deno.remove(rssFile);
  return { seconds, rssMb: kb > 0 ? kb / 1024 : undefined };
}

function _rssText(measure: Measure): string {
  return measure.rssMb === undefined ? "n/a" : `${measure.rssMb.toFixed(0)} MB`;
}

async function main() {
  const sizeMb = numberFlag(Deno.args, "--size-mb", { fallback: 200, integer: false });
  const dir = await Deno.makeTempDir({ prefix: "asciirec-bench-convert-" });
  try {
    const input = `${dir}/input.cast`;
    const events = await _generate(input, sizeMb * 1e6);
    const mb = (await Deno.stat(input)).size / 1e6;
    console.log(`input: ${mb.toFixed(1)} MB asciicast v2, ${events} events`);

    // Warm the page cache and Deno's module cache before timing.
    await _measure([...cliArgv(), "convert", "--help"]);
    for await (const _ of (await Deno.open(input)).readable) { /* read through */ }

    const ours = await _measure([...cliArgv(), "convert", "-q", input, `${dir}/out.cast`]);
    const ourRate = mb / ours.seconds;
    console.log(
      `asciirec convert v2->v3: ${ours.seconds.toFixed(2)} s, ${ourRate.toFixed(0)} MB/s, ` +
        `peak RSS ${_rssText(ours)}  (targets: >= 100 MB/s, < 150 MB)`,
    );

    const asciinema = "/usr/bin/asciinema";
    if (await Deno.stat(asciinema).then(() => true, () => false)) {
      const ref = await _measure([asciinema, "cat", input], { shell: true });
      const refRate = mb / ref.seconds;
      console.log(
        `asciinema 2.2 cat (reference): ${ref.seconds.toFixed(2)} s, ${refRate.toFixed(0)} MB/s, ` +
          `peak RSS ${_rssText(ref)}`,
      );
      console.log(`ratio: asciirec is ${(ourRate / refRate).toFixed(2)}x the reference's speed`);
    } else {
      console.log("asciinema 2.2 not installed: no reference measured");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) await main();
