/**
 * `deno task bench`: runs every benchmark in this folder, one after another (they measure
 * wall and CPU time, so they must not overlap). Each prints its own ratios against a
 * reference measured in the same run. `deno task bench NAME…` runs only those.
 *
 * @module
 */

const ALL = [
  "startup",
  "convert",
  "edit",
  "rec",
  "redact",
  "play",
  "stream",
  "snapshot",
  "relay",
  "export",
  "lan",
  "tape",
  "big",
];

const wanted = Deno.args.length > 0 ? Deno.args : ALL;
let failed = 0;
for (const name of wanted) {
  const file = new URL(`./${name}.ts`, import.meta.url).pathname;
  try {
    await Deno.stat(file);
  } catch {
    console.log(`== ${name}: no benchmark file, skipped`);
    continue;
  }
  console.log(`\n== ${name}`);
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", file],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (code !== 0) failed++;
}
Deno.exit(failed > 0 ? 1 : 0);
