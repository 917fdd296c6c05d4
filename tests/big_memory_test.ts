/**
 * Constant memory on a 1 GB recording, measured from outside: every command that reads a
 * whole recording runs as a process on a generated 1 GB asciicast file (and on the same
 * file zstd-compressed), and its peak resident set size (GNU time's `%M`, the kernel's
 * VmHWM) must stay under 150 MB. The relay's upload path is measured on the running
 * `serve` process.
 *
 * Slow by nature (a few minutes: every command reads 1 GB), so the file is generated once
 * per run and commands run two at a time. Set `ASCIIREC_BIG_MB` to try another size.
 */
import { assert } from "./_assert.ts";
import { cliArgv } from "./_cli.ts";
import { skipWithoutPeer } from "./_peers.ts";
import { writeBigCast } from "./_big_cast.ts";
import { parseTimePoint } from "../lib/asciicast/time_spec.ts";
import { FORMATS } from "../lib/format/registry.ts";
import { homeEnv, spawnServe } from "./_relay.ts";

const TIME = "/usr/bin/time";
const LIMIT_BYTES = 150e6;
const SIZE_MB = Number(Deno.env.get("ASCIIREC_BIG_MB") ?? 1000);

interface Measured {
  name: string;
  peakBytes: number;
  seconds: number;
}

/** Runs asciirec ARGS (stdout to /dev/null) under GNU time; its peak RSS and duration. */
async function measure(
  name: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<Measured> {
  const rssFile = await Deno.makeTempFile({ prefix: "asciirec-rss-" });
  const start = performance.now();
  const out = await new Deno.Command(TIME, {
    args: ["-f", "%M", "-o", rssFile, ...cliArgv(), ...args],
    env,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  const seconds = (performance.now() - start) / 1000;
  const kib = Number((await Deno.readTextFile(rssFile)).trim().split("\n").pop());
  await Deno.remove(rssFile);
  const stderr = new TextDecoder().decode(out.stderr);
  // grep exits 1 when nothing matched; everything else must succeed.
  if (!out.success && !(args[0] === "grep" && out.code === 1)) {
    throw new Error(`asciirec ${args.join(" ")} failed (${out.code}): ${stderr}`);
  }
  return { name, peakBytes: kib * 1024, seconds };
}

function line(r: Measured): string {
  return `${r.name.padEnd(28)} ${(r.peakBytes / 1e6).toFixed(0).padStart(4)} MB ${
    r.seconds.toFixed(1).padStart(6)
  } s`;
}

/** Prints measurements as they come (a slow test shows how far it is); returns the first. */
function report(results: Measured[]): Measured {
  for (const r of results) console.log(`peak RSS on ${SIZE_MB} MB: ${line(r)}`);
  return results[0]!;
}

/** Runs the jobs `width` at a time. */
async function pool<T>(jobs: (() => Promise<T>)[], width: number): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]!();
    }
  }));
  return results;
}

/** The peak RSS of a running process (VmHWM), in bytes. */
async function peakOf(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
}

Deno.test({
  name: "every command stays under 150 MB of memory on a 1 GB recording (slow)",
  ignore: skipWithoutPeer(TIME),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "asciirec-memory-" });
    const home = `${dir}/home`;
    await Deno.mkdir(home);
    try {
      const big = `${dir}/big.cast`;
      const { lastLine } = await writeBigCast(big, SIZE_MB * 1e6);
      const small = `${dir}/small.cast`;
      await Deno.writeTextFile(
        small,
        '{"version":3,"term":{"cols":80,"rows":24}}\n[1, "o", "x"]\n',
      );
      const packed = `${dir}/big.cast.zst`;

      // Compressing comes first: its output is the compressed input of a later job.
      const results = [await measure("convert → .cast.zst", ["convert", "-q", big, packed])];
      report(results);
      // The duration, for an edit that keeps the last tenth (the emulator runs up to there).
      const list = await new Deno.Command(cliArgv()[0]!, {
        args: [...cliArgv().slice(1), "edit", packed, "--list"],
        stdout: "piped",
      }).output();
      const duration = /duration\s+(\S+)/.exec(new TextDecoder().decode(list.stdout))?.[1];
      assert(duration, "edit --list printed no duration");
      const point = parseTimePoint(duration);
      assert(point.kind === "time");
      const seconds = point.time / 1e6;
      const jobs: (() => Promise<Measured>)[] = [
        () => measure("play", ["play", "-q", "-i", "0", big]),
        () => measure("cat", ["cat", "-q", big, small]),
        () => measure("grep", ["grep", "-c", lastLine, big]),
        () => measure("convert .cast.zst → raw", ["convert", "-q", "-f", "raw", packed, "-"]),
        // Every format that streams (an animated GIF of days of recording, sped up).
        ...FORMATS.filter((f) => f.streaming).map((format) => () =>
          measure(`convert → ${format.name}`, [
            "convert",
            "-q",
            "-f",
            format.name,
            ...(format.name === "gif" ? ["--speed", "1000", "--fps", "5"] : []),
            big,
            "-",
          ])
        ),
        () =>
          measure("edit --keep (last tenth)", [
            "edit",
            "-q",
            big,
            `${dir}/edited.cast.zst`,
            "--keep",
            `${(seconds * 0.9).toFixed(3)}..`,
            "--idle-limit",
            "2",
          ]),
      ];
      results.push(...await pool(jobs.map((job) => async () => report([await job()])), 2));

      // upload, and the relay's upload path (serve measured while it runs): receiving,
      // storing and checking the file. The relay also redacts uploads with its built-in
      // rules by default, a pass of the redaction engine over the whole file: that pass is
      // left out here (--no-redact-builtin), as at a few MB/s it would take minutes on 1 GB
      // (and it is the engine's memory, not the upload path's).
      const env = homeEnv(home);
      const serve = await spawnServe(
        [
          "--listen",
          "127.0.0.1:0",
          "--upload-size-limit",
          "4000000000",
          "--data-dir",
          `${dir}/relay`,
          "--no-redact-builtin",
        ],
        env,
      );
      try {
        results.push(
          report([await measure("upload", ["upload", "--server-url", serve.url, big], env)]),
        );
        const peak = await peakOf(serve.child.pid);
        results.push(report([{ name: "serve (upload path)", peakBytes: peak, seconds: 0 }]));
      } finally {
        await serve.stop();
      }

      const over = results.filter((r) => r.peakBytes >= LIMIT_BYTES);
      assert(over.length === 0, `over ${LIMIT_BYTES / 1e6} MB:\n${over.map(line).join("\n")}`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
