/**
 * Benchmark: big and compressed recordings, as processes, in one run.
 *
 * 1. Reading: `asciirec convert` of a generated recording (`--size-mb`, default 200) from the
 *    plain file, from `.cast.gz` and `.cast.zst` (made by Debian's gzip and zstd), and the
 *    same through a pipe (`gzip -dc | asciirec convert - …`, `zstd -dc | …`), in MB/s of
 *    uncompressed data and peak RSS; ratios against the plain file.
 * 2. Size: three recordings of real programs made with `asciirec rec --headless -c …`
 *    (`ls -lR`, vim paging through a file, `top` refreshing), compressed by asciirec's
 *    writers (`convert` to `.gz`/`.zst`, and `rec` straight into `.gz`/`.zst`, a member or
 *    frame per flush) beside Debian's `gzip -6` and `zstd -3`.
 * 3. grep on a generated recording of `--grep-mb` (default 1000): MB/s and peak RSS, beside
 *    GNU grep over the raw file (which searches bytes, not what a viewer saw).
 *
 * Usage: `deno task bench big` or `deno run -A bench/big.ts [--size-mb N] [--grep-mb N]`.
 *
 * @module
 */
import { cliArgv } from "../tests/_cli.ts";
import { writeBigCast } from "../tests/_big_cast.ts";
import { shellQuote } from "../tests/_shell_quote.ts";
import { numberFlag } from "./_number_flag.ts";

const TIME = "/usr/bin/time";
const ASCIIREC = cliArgv().map(shellQuote).join(" ");

interface Measure {
  seconds: number;
  rssMb: number;
}

/** Runs a shell pipeline under GNU time (the last command's peak RSS, in MB). */
async function measure(pipeline: string, env: Record<string, string> = {}): Promise<Measure> {
  const rssFile = await Deno.makeTempFile({ prefix: "asciirec-bench-rss-" });
  const parts = pipeline.split(" | ");
  parts[parts.length - 1] = `${TIME} -f %M -o ${shellQuote(rssFile)} ${parts.at(-1)}`;
  const start = performance.now();
  const out = await new Deno.Command("bash", {
    args: ["-o", "pipefail", "-c", parts.join(" | ") + " > /dev/null"],
    env,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  const seconds = (performance.now() - start) / 1000;
  if (!out.success && !pipeline.includes(" grep ")) {
    throw new Error(`${pipeline} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  const kib = Number((await Deno.readTextFile(rssFile)).trim().split("\n").pop());
  await Deno.remove(rssFile);
  return { seconds, rssMb: kib / 1024 };
}

async function sh(command: string, env: Record<string, string> = {}): Promise<void> {
  const out = await new Deno.Command("bash", { args: ["-c", command], env, stderr: "piped" })
    .output();
  if (!out.success) throw new Error(`${command}: ${new TextDecoder().decode(out.stderr)}`);
}

const size = async (path: string) => (await Deno.stat(path)).size;
const q = shellQuote;

async function reading(dir: string, sizeMb: number): Promise<void> {
  const plain = `${dir}/read.cast`;
  await writeBigCast(plain, sizeMb * 1e6);
  await sh(
    `gzip -6 -c ${q(plain)} > ${q(plain)}.gz && zstd -q -3 -c ${q(plain)} > ${q(plain)}.zst`,
  );
  const mb = (await size(plain)) / 1e6;
  console.log(
    `reading: ${mb.toFixed(0)} MB asciicast v3 (gzip ${
      ((await size(`${plain}.gz`)) / 1e6).toFixed(0)
    } MB, zstd ${((await size(`${plain}.zst`)) / 1e6).toFixed(0)} MB), asciirec convert to v3`,
  );
  await measure(`${ASCIIREC} convert -q ${q(plain)} -`); // warm caches
  const cases: [string, string][] = [
    ["plain .cast", `${ASCIIREC} convert -q ${q(plain)} -`],
    [".cast.gz", `${ASCIIREC} convert -q ${q(plain)}.gz -`],
    [".cast.zst", `${ASCIIREC} convert -q ${q(plain)}.zst -`],
    ["gzip -dc | convert -", `gzip -dc ${q(plain)}.gz | ${ASCIIREC} convert -q - -`],
    ["zstd -dc | convert -", `zstd -q -dc ${q(plain)}.zst | ${ASCIIREC} convert -q - -`],
  ];
  let reference = 0;
  for (const [name, pipeline] of cases) {
    const m = await measure(pipeline);
    const rate = mb / m.seconds;
    reference ||= rate;
    console.log(
      `  ${name.padEnd(22)} ${rate.toFixed(0).padStart(5)} MB/s  ${
        (rate / reference).toFixed(2)
      }x plain  peak RSS ${m.rssMb.toFixed(0)} MB`,
    );
  }
}

const PROGRAMS: [string, string][] = [
  ["ls -lR /usr/share", "ls -lR --color=always /usr/share | head -n 20000"],
  [
    "vim paging a file",
    "seq -f 'line %g of a file being read in vim, with some words to compress' 1 5000 > f.txt; " +
    "vim -u NONE -N -n -i NONE -c 'for i in range(60) | exe \"normal \\<C-f>\" | redraw | sleep 20m | endfor' -c 'qa!' f.txt",
  ],
  ["top refreshing", "top -b -d 0.1 -n 40 -w 80"],
];

async function sizes(dir: string): Promise<void> {
  console.log(
    "\ncompressed size / plain size for recordings of real programs (asciirec rec --headless):",
  );
  console.log(
    `  ${"program".padEnd(20)} ${
      "plain".padStart(9)
    }  convert .gz  convert .zst  rec .gz  rec .zst  gzip -6  zstd -3`,
  );
  const env = { TERM: "xterm-256color" };
  for (const [name, command] of PROGRAMS) {
    const base = `${dir}/${name.split(" ")[0]}`;
    const rec = (out: string) =>
      sh(
        `cd ${q(dir)} && ${ASCIIREC} rec -q --headless --overwrite -c ${q(command)} ${q(out)}`,
        env,
      );
    await rec(`${base}.cast`);
    await rec(`${base}-live.cast.gz`);
    await rec(`${base}-live.cast.zst`);
    await sh(
      `${ASCIIREC} convert -q --overwrite ${q(base)}.cast ${q(base)}.cast.gz && ` +
        `${ASCIIREC} convert -q --overwrite ${q(base)}.cast ${q(base)}.cast.zst && ` +
        `gzip -6 -c ${q(base)}.cast > ${q(base)}.ref.gz && zstd -q -3 -c ${q(base)}.cast > ${
          q(base)
        }.ref.zst && ` +
        `gzip -dc ${q(base)}-live.cast.gz > ${q(base)}-live-gz.cast && zstd -q -dc ${
          q(base)
        }-live.cast.zst > ${q(base)}-live-zst.cast`,
    );
    const plain = await size(`${base}.cast`);
    const ratio = async (path: string, of = plain) => ((await size(path)) / of).toFixed(3);
    console.log(
      `  ${name.padEnd(20)} ${(plain / 1e3).toFixed(0).padStart(6)} kB  ${
        (await ratio(`${base}.cast.gz`)).padStart(11)
      }  ${(await ratio(`${base}.cast.zst`)).padStart(12)}  ${
        (await ratio(`${base}-live.cast.gz`, await size(`${base}-live-gz.cast`))).padStart(7)
      }  ${
        (await ratio(`${base}-live.cast.zst`, await size(`${base}-live-zst.cast`))).padStart(8)
      }  ${(await ratio(`${base}.ref.gz`)).padStart(7)}  ${
        (await ratio(`${base}.ref.zst`)).padStart(7)
      }`,
    );
  }
}

async function grep(dir: string, grepMb: number): Promise<void> {
  const path = `${dir}/grep.cast`;
  const { lastLine } = await writeBigCast(path, grepMb * 1e6);
  const mb = (await size(path)) / 1e6;
  console.log(`\ngrep on ${mb.toFixed(0)} MB (matching only the last line):`);
  const ours = await measure(`${ASCIIREC} grep -c ${q(lastLine)} ${q(path)}`);
  const gnu = await measure(`grep -c ${q(lastLine)} ${q(path)}`);
  console.log(
    `  asciirec grep  ${(mb / ours.seconds).toFixed(1).padStart(7)} MB/s  peak RSS ${
      ours.rssMb.toFixed(0)
    } MB`,
  );
  console.log(
    `  GNU grep (raw bytes, reference) ${(mb / gnu.seconds).toFixed(0)} MB/s: asciirec is ${
      (gnu.seconds / ours.seconds).toFixed(3)
    }x its speed`,
  );
}

async function main() {
  const sizeMb = numberFlag(Deno.args, "--size-mb", { fallback: 200, integer: false });
  const grepMb = numberFlag(Deno.args, "--grep-mb", { fallback: 1000, integer: false });
  const dir = await Deno.makeTempDir({ prefix: "asciirec-bench-big-" });
  try {
    await reading(dir, sizeMb);
    await sizes(dir);
    await grep(dir, grepMb);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) await main();
