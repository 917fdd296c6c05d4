/**
 * Start-up: `asciirec --version`, `asciirec rec --headless -c true` and `asciirec convert` of a
 * tiny file, as whole processes, against `deno run` of an empty script measured in the same
 * run (interleaved, median wall time). Targets: `--version` ≤ 2× the empty script,
 * `rec --headless -c true` ≤ 3×.
 *
 *     deno run -A bench/startup.ts [--runs N]
 *
 * @module
 */
import { parseArgs } from "node:util";
import { median } from "./_stats.ts";
import { MAIN, PERMISSIONS as PERMS } from "../tests/_cli.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { runs: { type: "string", default: "15" } },
});
const RUNS = Number(values.runs);

const dir = await Deno.makeTempDir({ prefix: "asciirec-bench-startup-" });
try {
  const empty = `${dir}/empty.ts`;
  await Deno.writeTextFile(empty, "");
  const tiny = `${dir}/tiny.cast`;
  await Deno.writeTextFile(tiny, '{"version":3,"term":{"cols":80,"rows":24}}\n[0.1, "o", "hi"]\n');
  const cases: [string, string[]][] = [
    ["deno run (empty script)", ["run", empty]],
    ["asciirec --version", ["run", ...PERMS, MAIN, "--version"]],
    ["asciirec rec --headless -c true", [
      "run",
      ...PERMS,
      MAIN,
      "rec",
      "--headless",
      "-q",
      "--overwrite",
      "-c",
      "true",
      `${dir}/out.cast`,
    ]],
    ["asciirec convert (tiny file)", [
      "run",
      ...PERMS,
      MAIN,
      "convert",
      "--overwrite",
      tiny,
      `${dir}/out2.cast`,
    ]],
  ];
  // Warm the module cache first: the first run of anything compiles and caches.
  for (const [, args] of cases) {
    await new Deno.Command(Deno.execPath(), { args, stdout: "null", stderr: "null" }).output();
  }
  const times = new Map<string, number[]>(cases.map(([name]) => [name, []]));
  for (let i = 0; i < RUNS; i++) {
    for (const [name, args] of cases) {
      const start = performance.now();
      const out = await new Deno.Command(Deno.execPath(), { args, stdout: "null", stderr: "piped" })
        .output();
      const ms = performance.now() - start;
      if (!out.success) throw new Error(`${name}: ${new TextDecoder().decode(out.stderr)}`);
      times.get(name)!.push(ms);
    }
  }
  const base = median(times.get(cases[0]![0])!);
  console.log(`start-up, median of ${RUNS} interleaved runs (wall ms)\n`);
  const targets: Record<string, number> = {
    "asciirec --version": 2,
    "asciirec rec --headless -c true": 3,
  };
  for (const [name] of cases) {
    const ms = median(times.get(name)!);
    const target = targets[name] ? `  (target ≤ ${targets[name]}×)` : "";
    console.log(
      `${name.padEnd(34)} ${ms.toFixed(0).padStart(6)} ms  ${(ms / base).toFixed(2)}×${target}`,
    );
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}
