/**
 * Recording throughput: `seq 1 3000000` (~26 MB of output) recorded by asciirec, by
 * `script -q -c … /dev/null` (the kernel PTY round trip with nothing else: the floor), and by
 * `asciinema rec` (Debian's 2.2), all in this run, printed as ratios.
 *
 * Measured per recorder: wall time from spawn to exit; the CPU time of the whole run, the
 * recorded `sh`/`seq` included, as `time` reports it (what a user pays, and what the target
 * is set on: exact, from this process's `cutime`/`cstime`); the CPU time of the recorder
 * alone (its process and helper processes, not the recorded command: user+sys of all
 * threads, from /proc/PID/stat, sampled every 10 ms until exit, so the last ≤ 10 ms may be
 * missed); and peak RSS (VmHWM, summed over the recorder's processes). Runs are interleaved
 * and the median is shown.
 *
 *     deno run -A bench/rec.ts [--runs N] [--lines N] [--long] [--v8-flags FLAGS]
 *
 * `--long` also records 10× as many lines with asciirec to show that its RSS stays flat.
 * asciirec runs with the `--v8-flags` of deno.json's `compile` task (what the shipped binary
 * gets), unless `--v8-flags` says otherwise (`--v8-flags ''` for none). V8 grows its young
 * generation under a high allocation rate, so without `--max-semi-space-size` RSS keeps rising
 * for the first ~10 s of a flood before it levels off.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { procCpuMs } from "./_stats.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    runs: { type: "string", default: "5" },
    lines: { type: "string", default: "3000000" },
    long: { type: "boolean", default: false },
    "v8-flags": { type: "string" },
  },
});
const RUNS = Number(values.runs);
const LINES = Number(values.lines);

const MAIN = new URL("../main.ts", import.meta.url).pathname;

/** The `--v8-flags=…` of deno.json's compile task, if any. */
async function shippedV8Flags(): Promise<string> {
  const config = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  return /--v8-flags=(\S+)/.exec(String(config.tasks?.compile ?? ""))?.[1] ?? "";
}
const V8_FLAGS = values["v8-flags"] ?? await shippedV8Flags();
const ASCIIREC = [
  Deno.execPath(),
  "run",
  "--quiet",
  ...(V8_FLAGS ? [`--v8-flags=${V8_FLAGS}`] : []),
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-ffi",
  "--allow-run",
  "--allow-sys",
  MAIN,
];

interface Sample {
  wallMs: number;
  cpuMs: number;
  /** CPU of the whole run, the recorded command included (what `time` reports). */
  wholeCpuMs: number;
  rssKiB: number;
  bytes: number;
}

/** The recorded command's own processes: not part of a recorder's cost. */
const COMMAND_PROCESSES = new Set(["sh", "bash", "dash", "seq"]);
const commandPids = new Set<number>();

/**
 * Adds the CPU time and peak RSS of `pid` and its descendants (the recorder's helper processes:
 * asciinema 2.2 writes from a child process) to `into`, skipping the recorded command.
 */
function sampleTree(pid: number, into: Map<number, { cpuMs: number; rssKiB: number }>): void {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    if (COMMAND_PROCESSES.has(comm)) {
      // Sampled earlier between spawn and exec, it was a copy of the recorder: drop it.
      commandPids.add(pid);
      return;
    }
    const cpuMs = procCpuMs(pid, stat).ownMs;
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const hwm = /VmHWM:\s+(\d+)/.exec(status); // absent once it is a zombie
    const before = into.get(pid);
    into.set(pid, {
      cpuMs: Math.max(cpuMs, before?.cpuMs ?? 0),
      rssKiB: Math.max(Number(hwm?.[1] ?? 0), before?.rssKiB ?? 0),
    });
    for (const task of Deno.readDirSync(`/proc/${pid}/task`)) {
      const children = Deno.readTextFileSync(`/proc/${pid}/task/${task.name}/children`).trim();
      if (children) { for (const child of children.split(" ")) sampleTree(Number(child), into); }
    }
  } catch {
    // the process has just exited
  }
}

/**
 * The CPU time of this process's waited-for descendants (`cutime` + `cstime`): the whole tree
 * of a recorder once it has exited, the recorded command included, exactly.
 */
function childrenCpuMs(): number {
  return procCpuMs("self").childrenMs;
}

async function measure(argv: string[], output: string | undefined): Promise<Sample> {
  if (output) await Deno.remove(output).catch(() => {});
  const wholeBefore = childrenCpuMs();
  const start = performance.now();
  const child = new Deno.Command(argv[0]!, {
    args: argv.slice(1),
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const tree = new Map<number, { cpuMs: number; rssKiB: number }>();
  let end: number | undefined;
  const status = child.status.then((s) => {
    end = performance.now();
    return s;
  });
  while (end === undefined) {
    sampleTree(child.pid, tree);
    await new Promise((r) => setTimeout(r, 10));
  }
  const s = await status;
  const wallMs = end - start;
  const wholeCpuMs = childrenCpuMs() - wholeBefore;
  if (!s.success) throw new Error(`${argv.join(" ")} failed with status ${s.code}`);
  const bytes = output ? (await Deno.stat(output)).size : 0;
  let cpuMs = 0;
  let rssKiB = 0;
  for (const [pid, p] of tree) {
    if (commandPids.has(pid)) continue;
    cpuMs += p.cpuMs;
    rssKiB += p.rssKiB;
  }
  return { wallMs, cpuMs, wholeCpuMs, rssKiB, bytes };
}

function median(samples: Sample[]): Sample {
  const pick = (key: keyof Sample) => {
    const sorted = samples.map((s) => s[key]).sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)]!;
  };
  return {
    wallMs: pick("wallMs"),
    cpuMs: pick("cpuMs"),
    wholeCpuMs: pick("wholeCpuMs"),
    rssKiB: pick("rssKiB"),
    bytes: pick("bytes"),
  };
}

async function haveCommand(name: string): Promise<boolean> {
  try {
    return (await new Deno.Command("sh", { args: ["-c", `command -v ${name}`], stdout: "null" })
      .output()).success;
  } catch {
    return false;
  }
}

const dir = await Deno.makeTempDir({ prefix: "asciirec-bench-" });
try {
  const command = `seq 1 ${LINES}`;
  const recorders: [string, (out: string) => string[]][] = [
    ["asciirec rec", (out) => [...ASCIIREC, "rec", "--headless", "-q", "-c", command, out]],
    ["script", () => ["script", "-q", "-c", command, "/dev/null"]],
  ];
  if (await haveCommand("asciinema")) {
    recorders.push(["asciinema 2.2 rec", (out) => ["asciinema", "rec", "-q", "-c", command, out]]);
  } else {
    console.log("asciinema is not installed: no CPU comparison");
  }

  // Interleaved runs, so that a burst of load elsewhere hits every recorder alike.
  const samples = new Map<string, Sample[]>(recorders.map(([name]) => [name, []]));
  for (let i = 0; i < RUNS; i++) {
    for (const [name, argv] of recorders) {
      const out = `${dir}/${name.split(" ")[0]}.cast`;
      samples.get(name)!.push(await measure(argv(out), name === "script" ? undefined : out));
    }
  }
  const results = new Map([...samples].map(([name, list]) => [name, median(list)]));

  console.log(`recording \`${command}\` (median of ${RUNS} runs)`);
  console.log(`asciirec runs with ${V8_FLAGS ? `--v8-flags=${V8_FLAGS}` : "no --v8-flags"}\n`);
  console.log("recorder              wall s   CPU s  whole CPU s  peak RSS MiB   file MB");
  for (const [name, s] of results) {
    console.log(
      `${name.padEnd(20)} ${(s.wallMs / 1000).toFixed(2).padStart(7)} ${
        (s.cpuMs / 1000).toFixed(2).padStart(7)
      } ${(s.wholeCpuMs / 1000).toFixed(2).padStart(12)} ${
        (s.rssKiB / 1024).toFixed(1).padStart(13)
      } ${(s.bytes / 1e6).toFixed(1).padStart(9)}`,
    );
  }
  const ours = results.get("asciirec rec")!;
  const script = results.get("script")!;
  const asciinema = results.get("asciinema 2.2 rec");
  console.log();
  console.log(
    `wall: asciirec / script      = ${(ours.wallMs / script.wallMs).toFixed(2)}  (target ≤ 1.10)`,
  );
  console.log(
    `CPU:  asciirec / script      = ${
      (ours.wholeCpuMs / script.wholeCpuMs).toFixed(2)
    }  (whole run, the command included, as \`time\` reports it; target ≤ 1.15)`,
  );
  console.log(
    `      the recorder alone     = ${(ours.cpuMs / script.cpuMs).toFixed(2)}  (${
      (ours.cpuMs / 1000).toFixed(2)
    } s vs ${(script.cpuMs / 1000).toFixed(2)} s)`,
  );
  if (asciinema) {
    console.log(
      `CPU:  asciirec / asciinema   = ${
        (ours.cpuMs / asciinema.cpuMs).toFixed(2)
      }  (target ≤ 0.60)`,
    );
    console.log(`wall: asciirec / asciinema   = ${(ours.wallMs / asciinema.wallMs).toFixed(2)}`);
  }

  if (values.long) {
    const long = `seq 1 ${LINES * 10}`;
    const out = `${dir}/long.cast`;
    const s = await measure([...ASCIIREC, "rec", "--headless", "-q", "-c", long, out], out);
    console.log(
      `\nRSS for 10× as much (\`${long}\`, ${(s.bytes / 1e6).toFixed(0)} MB): ${
        (s.rssKiB / 1024).toFixed(1)
      } MiB vs ${(ours.rssKiB / 1024).toFixed(1)} MiB  (ratio ${
        (s.rssKiB / ours.rssKiB).toFixed(2)
      })`,
    );
    await Deno.remove(out);
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}
