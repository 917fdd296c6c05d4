/**
 * Redaction's cost. Recording throughput of `asciirec rec` with redaction off
 * (`--no-redact-builtin`), with the built-in detectors (the default), and with the built-ins
 * plus 50 user patterns, on two outputs: `seq` (digits, the recorder benchmark's) and English
 * text full of words that begin a detector (`password`, `token`, `secret`…); printed as
 * ratios to "off" measured in the same run (target ≥ 0.9 with the built-ins). Then the live
 * latency the transform adds per event (p50/p99, in process) under the same three settings.
 *
 *     deno run -A bench/redact.ts [--runs N]
 *
 * @module
 */
import { parseArgs } from "node:util";
import { RedactTransform } from "../lib/redact/redact_transform.ts";
import { BUILTIN_RULES, compileRules, type RuleSpec } from "../lib/redact/rules.ts";
import { percentiles } from "./_stats.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { runs: { type: "string", default: "3" } },
});
const RUNS = Number(values.runs);
const MAIN = new URL("../main.ts", import.meta.url).pathname;

const USER_PATTERNS = Array.from(
  { length: 50 },
  (_, i) => `corp${i}-[0-9a-f]{24}|internal-${i}-key-[A-Z]{8}`,
);

async function timeOf(argv: string[]): Promise<{ wall: number; cpu: number }> {
  const out = await new Deno.Command("/usr/bin/time", {
    args: ["-f", "%e %U %S", ...argv],
    stdout: "null",
    stderr: "piped",
  }).output();
  const line = new TextDecoder().decode(out.stderr).trim().split("\n").at(-1)!;
  const [wall, user, sys] = line.split(" ").map(Number) as [number, number, number];
  if (!out.success) throw new Error(`${argv.join(" ")}: ${line}`);
  return { wall, cpu: user + sys };
}

const dir = await Deno.makeTempDir({ prefix: "asciirec-bench-redact-" });
try {
  const text = `${dir}/words.txt`;
  const sentence = "the password reset token was sent to the secret list; api access granted\n";
  await Deno.writeTextFile(text, sentence.repeat(Math.ceil(20_000_000 / sentence.length)));
  const patterns = `${dir}/patterns.txt`;
  await Deno.writeTextFile(patterns, USER_PATTERNS.join("\n") + "\n");
  const settings: [string, string[]][] = [
    ["off", ["--no-redact-builtin"]],
    ["built-ins", []],
    ["built-ins + 50 patterns", ["--redact-file", patterns]],
  ];
  const outputs: [string, string][] = [
    ["seq 1 3000000", "seq 1 3000000"],
    ["20 MB of words", `cat ${text}`],
  ];
  console.log(`recording throughput (median of ${RUNS} runs, whole processes)\n`);
  console.log("output            setting                   wall s   CPU s   vs off");
  for (const [label, command] of outputs) {
    let off = 0;
    for (const [name, flags] of settings) {
      const walls: number[] = [];
      const cpus: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const t = await timeOf([
          Deno.execPath(),
          "run",
          "-A",
          MAIN,
          "rec",
          "--headless",
          "-q",
          "--overwrite",
          ...flags,
          "-c",
          command,
          `${dir}/out.cast`,
        ]);
        walls.push(t.wall);
        cpus.push(t.cpu);
      }
      const wall = walls.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
      const cpu = cpus.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
      if (name === "off") off = wall;
      console.log(
        `${label.padEnd(17)} ${name.padEnd(24)} ${wall.toFixed(2).padStart(7)} ${
          cpu.toFixed(2).padStart(7)
        } ${(off / wall).toFixed(2).padStart(8)}`,
      );
    }
  }

  console.log("\nlive latency added per event (in process; typical interactive chunks)");
  const chunks = [
    "$ ls -la\r\n",
    "drwxr-xr-x  2 root root 4096 Jan  1 12:00 bin\r\n",
    "\x1b[32mok\x1b[0m 12 passed; 0 failed\r\n",
    "the password reset token was sent\r\n",
    "\x1b[1;1H\x1b[2K  CPU[||||     25.0%]\r\n",
  ];
  const specs: [string, RuleSpec[]][] = [
    ["built-ins", [...BUILTIN_RULES]],
    [
      "built-ins + 50 patterns",
      [...BUILTIN_RULES, ...USER_PATTERNS.map((pattern, i) => ({ name: `p${i}`, pattern }))],
    ],
  ];
  for (const [name, rules] of specs) {
    const latencies: number[] = [];
    const t = new RedactTransform(compileRules(rules), () => {}, { holdMs: 30 });
    for (let i = 0; i < 20_000; i++) {
      const data = chunks[i % chunks.length]!;
      const start = performance.now();
      t.push({ time: i, code: "o", data });
      latencies.push((performance.now() - start) * 1000);
    }
    t.flush();
    t.dispose();
    const p = percentiles(latencies);
    console.log(
      `${name.padEnd(24)} p50 ${p.p50.toFixed(1)} µs   p99 ${
        p.p99.toFixed(1)
      } µs   (target p99 < 1 ms)`,
    );
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}
