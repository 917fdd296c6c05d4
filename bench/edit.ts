/**
 * Benchmark: `asciirec edit` of a generated recording (the same generator as the convert
 * benchmark), as processes, beside `asciirec convert` of the same file in the same run:
 *
 * - `--speed 2` alone (no snapshot: the emulator never runs; target: convert's speed),
 * - `--keep` of the middle tenth (the emulator parses the first half, then one snapshot;
 *   the editor stops reading after the kept part),
 * - `--cut` of the middle with a second cut near the end (the emulator parses nearly all
 *   of it: the worst case),
 *
 * each with throughput (MB of input per second; the faster of two runs) and peak RSS; and,
 * in this process, the emulator's own parse speed (the file's output fed to a synchronous
 * `Vt`).
 *
 * Usage: `deno run -A bench/edit.ts [--size-mb N]` (default 200).
 * Targets: `--speed` within 10% of convert; peak RSS under 150 MB whatever the size.
 *
 * @module
 */
import { cliArgv } from "../tests/_cli.ts";
import { openRecording } from "../lib/asciicast/reader.ts";
import { Vt } from "../lib/vt/vt.ts";
import { _generate, _measure, type Measure } from "./convert.ts";
import { numberFlag } from "./_number_flag.ts";

/** The faster of two runs (the machine may be busy), with the higher peak RSS of the two. */
async function _best(argv: string[]): Promise<Measure> {
  const a = await _measure(argv);
  const b = await _measure(argv);
  const rssMb = Math.max(a.rssMb ?? 0, b.rssMb ?? 0) || undefined;
  return { seconds: Math.min(a.seconds, b.seconds), rssMb };
}

function _line(name: string, m: Measure, mb: number, reference?: Measure): string {
  const rate = mb / m.seconds;
  const rss = m.rssMb === undefined ? "n/a" : `${m.rssMb.toFixed(0)} MB`;
  const ratio = reference ? `, ${(reference.seconds / m.seconds).toFixed(2)}x convert's speed` : "";
  return `${name}: ${m.seconds.toFixed(2)} s, ${rate.toFixed(0)} MB/s, peak RSS ${rss}${ratio}`;
}

/** Feeds every output event of `path` to a sync terminal: MB/s of file and of output. */
async function _parseSpeed(path: string, header: { cols: number; rows: number }) {
  const recording = await openRecording(path);
  using vt = new Vt(header.cols, header.rows, { sync: true });
  let chars = 0;
  const start = performance.now();
  for await (const event of recording.events) {
    if (event.code === "o") {
      vt.feed(event.data);
      chars += event.data.length;
    } else if (event.code === "r") {
      const [cols, rows] = event.data.split("x").map(Number);
      vt.resize(cols!, rows!);
    }
  }
  return { seconds: (performance.now() - start) / 1000, chars };
}

async function main() {
  const sizeMb = numberFlag(Deno.args, "--size-mb", { fallback: 200, integer: false });
  const dir = await Deno.makeTempDir({ prefix: "asciirec-bench-edit-" });
  try {
    const input = `${dir}/input.cast`;
    const events = await _generate(input, sizeMb * 1e6);
    const mb = (await Deno.stat(input)).size / 1e6;
    const cli = cliArgv();

    // Warm the page cache and Deno's module cache; read the duration from --list.
    const listed = await new Deno.Command(cli[0]!, {
      args: [...cli.slice(1), "edit", input, "--list"],
      stdout: "piped",
    }).output();
    const text = new TextDecoder().decode(listed.stdout);
    const [, m, s] = /duration\s+(?:\d+:)?(\d+):(\d+\.\d+)/.exec(text)!;
    const hours = /duration\s+(\d+):\d+:\d+/.exec(text)?.[1];
    const duration = Number(hours ?? 0) * 3600 + Number(m) * 60 + Number(s);
    console.log(
      `input: ${mb.toFixed(1)} MB asciicast v2, ${events} events, ${duration.toFixed(0)} s long`,
    );

    const convert = await _best([
      ...cli,
      "convert",
      "-q",
      "--overwrite",
      input,
      `${dir}/convert.cast`,
    ]);
    console.log(_line("asciirec convert (reference)", convert, mb));
    const speed = await _best([
      ...cli,
      "edit",
      "-q",
      "--overwrite",
      input,
      `${dir}/speed.cast`,
      "--speed",
      "2",
    ]);
    console.log(_line("edit --speed 2 (no snapshot)", speed, mb, convert));

    const at = (fraction: number) => (duration * fraction).toFixed(3);
    const keep = await _best([
      ...cli,
      "edit",
      "-q",
      "--overwrite",
      input,
      `${dir}/keep.cast`,
      "--keep",
      `${at(0.5)}..${at(0.6)}`,
    ]);
    console.log(
      _line(`edit --keep ${at(0.5)}..${at(0.6)} (1 snapshot, reads 60%)`, keep, mb, convert),
    );
    const cut = await _best([
      ...cli,
      "edit",
      "-q",
      "--overwrite",
      input,
      `${dir}/cut.cast`,
      "--cut",
      `${at(0.4)}..${at(0.6)}`,
      "--cut",
      `${at(0.98)}..${at(0.99)}`,
    ]);
    console.log(_line("edit --cut 40%..60% --cut 98%..99% (parses 99%)", cut, mb, convert));

    const recording = await openRecording(input);
    const header = recording.header;
    await recording.close();
    const parse = await _parseSpeed(input, header);
    console.log(
      `emulator parse speed (reader + sync Vt, in process): ${
        (mb / parse.seconds).toFixed(0)
      } MB/s of file, ${(parse.chars / 1e6 / parse.seconds).toFixed(0)} M chars/s of output`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) await main();
