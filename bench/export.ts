/**
 * Benchmark: pictures of recordings, measured side by side in one run.
 *
 * - SVG size and time against svg-term-cli (npm, run with Deno from the npm registry) and
 *   termtosvg (Debian), on the same recordings (they read asciicast v2, so they get the
 *   `convert -f asciicast-v2` of each).
 * - GIF speed in frames per second: an 80×24 recording whose whole screen changes every
 *   frame, and a typing demo; in-process (the encoder alone) and as a process.
 * - GIF size of a 10-second 80×24 typing demo.
 * - Peak RSS of a GIF export as the recording grows.
 *
 * Wall time depends on what else the machine runs; CPU seconds are printed beside it.
 *
 * Usage: `deno run -A bench/export.ts`. Targets: SVG at most the size of both references;
 * GIF at least 100 frames/s for full-screen changes; the typing demo GIF at most 250 KB;
 * flat peak RSS.
 *
 * @module
 */
import { cliArgv } from "../tests/_cli.ts";
import { fullScreenChanges, typingDemo } from "../tests/_export_casts.ts";
import { gifEncoder } from "../lib/export/gif.ts";
import { openRecording } from "../lib/asciicast/reader.ts";
import type { Event } from "../lib/asciicast/event.ts";
import nodeProcess from "node:process";

const TIME = "/usr/bin/time";
const TERMTOSVG = "/usr/bin/termtosvg";
const SVG_TERM = "npm:svg-term-cli@2.1.1";

interface Run {
  seconds: number;
  /** User + system CPU seconds (the machine may be shared: wall time varies with load). */
  cpu?: number;
  rssMb?: number;
}

async function run(argv: string[], cwd?: string): Promise<Run> {
  const haveTime = await Deno.stat(TIME).then(() => true, () => false);
  const rssFile = await Deno.makeTempFile({ prefix: "asciirec-bench-rss-" });
  const args = haveTime ? [TIME, "-f", "%M %U %S", "-o", rssFile, ...argv] : argv;
  const start = performance.now();
  const out = await new Deno.Command(args[0]!, {
    args: args.slice(1),
    cwd,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  const seconds = (performance.now() - start) / 1000;
  if (!out.success) {
    throw new Error(
      `${argv.join(" ")} failed: ${new TextDecoder().decode(out.stderr).slice(-500)}`,
    );
  }
  const [kb, user, sys] = haveTime
    ? (await Deno.readTextFile(rssFile)).trim().split("\n").pop()!.split(" ").map(Number)
    : [0, NaN, NaN];
  await Deno.remove(rssFile);
  return { seconds, cpu: user! + sys!, rssMb: kb! > 0 ? kb! / 1024 : undefined };
}

const size = async (path: string) => (await Deno.stat(path)).size;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

async function events(path: string): Promise<Event[]> {
  const recording = await openRecording(path);
  const all: Event[] = [];
  for await (const e of recording.events) all.push(e);
  return all;
}

/** Encodes a GIF in-process; returns frames, seconds and bytes. */
async function gifInProcess(path: string) {
  const recording = await openRecording(path);
  const list = await events(path);
  let bytes = 0;
  const report: { missing?: string[] } = {};
  const start = performance.now();
  const cpuStart = nodeProcess.cpuUsage();
  const encoder = gifEncoder({
    header: recording.header,
    emit: (chunk) => bytes += chunk.length,
    options: { report },
  });
  for (const e of list) encoder.event(e);
  await encoder.finish();
  const seconds = (performance.now() - start) / 1000;
  const used = nodeProcess.cpuUsage(cpuStart);
  await recording.close();
  return { seconds, cpu: (used.user + used.system) / 1e6, bytes };
}

async function frameCount(gif: string): Promise<number | undefined> {
  try {
    const out = await new Deno.Command("/usr/bin/identify", {
      args: ["-format", "x", gif],
      stdout: "piped",
      stderr: "null",
    }).output();
    return new TextDecoder().decode(out.stdout).length;
  } catch {
    return undefined;
  }
}

async function svgComparison(dir: string, name: string, cast: string) {
  const input = `${dir}/${name}.cast`;
  await Deno.writeTextFile(input, cast);
  const v2 = `${dir}/${name}-v2.cast`;
  await run([...cliArgv(), "convert", "-q", input, v2, "-f", "asciicast-v2"]);
  const ours = await run([...cliArgv(), "convert", "-q", input, `${dir}/${name}.svg`]);
  const ourSize = await size(`${dir}/${name}.svg`);
  console.log(
    `  ${name}: asciirec ${kb(ourSize)} in ${ours.seconds.toFixed(2)} s`,
  );
  try {
    const ref = await run(
      [
        Deno.execPath(),
        "run",
        "-A",
        "--no-config",
        "--quiet",
        SVG_TERM,
        "--in",
        v2,
        "--out",
        `${dir}/${name}-svgterm.svg`,
      ],
      dir,
    );
    const refSize = await size(`${dir}/${name}-svgterm.svg`);
    console.log(
      `  ${name}: svg-term-cli ${kb(refSize)} in ${ref.seconds.toFixed(2)} s  ` +
        `(asciirec is ${(ourSize / refSize).toFixed(2)}x its size, ${
          (ref.seconds / ours.seconds).toFixed(1)
        }x its speed)`,
    );
  } catch (error) {
    console.log(
      `  ${name}: svg-term-cli not available here: ${(error as Error).message.slice(0, 200)}`,
    );
  }
  if (await Deno.stat(TERMTOSVG).then(() => true, () => false)) {
    const ref = await run([TERMTOSVG, "render", v2, `${dir}/${name}-termtosvg.svg`]);
    const refSize = await size(`${dir}/${name}-termtosvg.svg`);
    console.log(
      `  ${name}: termtosvg ${kb(refSize)} in ${ref.seconds.toFixed(2)} s  ` +
        `(asciirec is ${(ourSize / refSize).toFixed(2)}x its size, ${
          (ref.seconds / ours.seconds).toFixed(1)
        }x its speed)`,
    );
  } else {
    console.log(`  ${name}: termtosvg not installed (apt-get install termtosvg): no reference`);
  }
}

async function main() {
  const dir = await Deno.makeTempDir({ prefix: "asciirec-bench-export-" });
  try {
    // Warm Deno's module cache.
    await run([...cliArgv(), "convert", "--help"]);

    console.log("SVG size (targets: at most svg-term-cli's and termtosvg's):");
    await svgComparison(dir, "typing-10s", typingDemo({ seconds: 10 }));
    await svgComparison(dir, "session-60s", typingDemo({ seconds: 60, seed: 2 }));
    await svgComparison(dir, "fullscreen-100", fullScreenChanges({ frames: 100 }));

    console.log("GIF speed (target: >= 100 frames/s for 80x24 full-screen changes):");
    for (
      const [name, cast] of [
        ["fullscreen-300", fullScreenChanges({ frames: 300, interval: 0.05 })],
        ["typing-60s", typingDemo({ seconds: 60, seed: 4 })],
      ] as const
    ) {
      const input = `${dir}/${name}.cast`;
      await Deno.writeTextFile(input, cast);
      const inProcess = await gifInProcess(input);
      const process = await run([...cliArgv(), "convert", "-q", input, `${dir}/${name}.gif`]);
      const frames = await frameCount(`${dir}/${name}.gif`) ?? NaN;
      console.log(
        `  ${name}: ${frames} frames; encoder ${(frames / inProcess.seconds).toFixed(0)} ` +
          `frames/s wall, ${(frames / inProcess.cpu).toFixed(0)} frames per CPU second; ` +
          `whole process ${(frames / process.seconds).toFixed(0)} frames/s wall, ` +
          `${(frames / process.cpu!).toFixed(0)} per CPU second (with start-up); ` +
          kb(inProcess.bytes),
      );
    }

    console.log("GIF size (target: a 10 s 80x24 typing demo <= 250 KB):");
    const typing = `${dir}/typing-10s.cast`;
    await run([...cliArgv(), "convert", "-q", typing, `${dir}/typing-10s.gif`]);
    const gifSize = await size(`${dir}/typing-10s.gif`);
    console.log(
      `  typing-10s.gif: ${kb(gifSize)} (${(gifSize / 250 / 1024).toFixed(2)}x the target)`,
    );

    console.log("GIF peak RSS as the recording grows (target: flat):");
    for (const seconds of [10, 640, 2560, 10240]) {
      const input = `${dir}/grow-${seconds}.cast`;
      await Deno.writeTextFile(input, typingDemo({ seconds, seed: 5 }));
      const r = await run([...cliArgv(), "convert", "-q", input, `${dir}/grow.gif`, "--overwrite"]);
      const mb = r.rssMb === undefined ? "n/a" : `${r.rssMb.toFixed(0)} MB`;
      console.log(
        `  ${seconds} s recording (${kb(await size(input))}): peak RSS ${mb}, ${
          r.seconds.toFixed(2)
        } s, GIF ${kb(await size(`${dir}/grow.gif`))}`,
      );
    }

    console.log(
      "agg (Rust) is not available here (no crates or binaries can be fetched): no reference",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) await main();
