/**
 * Self-containment: `deno bundle` of the program must run from an empty directory with an
 * empty Deno cache — no source tree, no node_modules, no npm downloads — which is what the
 * single `deno compile` binary will do. Assets (player, page) must reach the program through
 * imports.
 */
import { assertEquals, assertMatch, assertStringIncludes } from "./_assert.ts";
import { MAIN, PERMISSIONS } from "./_cli.ts";

async function run(cmd: string, args: string[], options: Deno.CommandOptions = {}) {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped", ...options })
    .output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

Deno.test({
  name: "the bundled program runs from an empty directory with an empty Deno cache",
  sanitizeResources: false,
  sanitizeOps: false,
}, async (t) => {
  const work = await Deno.makeTempDir({ prefix: "asciirec-bundle-" });
  const bundle = `${work}/asciirec.js`;
  const built = await run(Deno.execPath(), ["bundle", "--quiet", "--output", bundle, MAIN]);
  assertEquals(built.code, 0, built.stderr);

  const empty = await Deno.makeTempDir({ prefix: "asciirec-empty-" });
  await Deno.rename(bundle, `${empty}/asciirec.js`);
  const denoDir = await Deno.makeTempDir({ prefix: "asciirec-denodir-" });
  const asciirec = (args: string[], stdin?: string) => {
    const cmd = new Deno.Command(Deno.execPath(), {
      args: ["run", "--quiet", "--no-remote", "--no-npm", ...PERMISSIONS, "asciirec.js", ...args],
      cwd: empty,
      env: { DENO_DIR: denoDir, NO_COLOR: "1" },
      stdin: stdin === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    return (async () => {
      if (stdin !== undefined) {
        const w = cmd.stdin.getWriter();
        await w.write(new TextEncoder().encode(stdin));
        await w.close();
      }
      const out = await cmd.output();
      return {
        code: out.code,
        stdout: new TextDecoder().decode(out.stdout),
        stderr: new TextDecoder().decode(out.stderr),
      };
    })();
  };

  await t.step("--help", async () => {
    const r = await asciirec(["--help"]);
    assertEquals(r.code, 0, r.stderr);
    assertStringIncludes(r.stdout, "Usage: asciirec");
  });

  await t.step("convert a v2 recording from stdin to v3 on stdout", async () => {
    const v2 = '{"version": 2, "width": 80, "height": 24}\n[0.5, "o", "hi\\r\\n"]\n';
    const r = await asciirec(["convert", "-", "-"], v2);
    assertEquals(r.code, 0, r.stderr);
    assertMatch(r.stdout, /^\{"version":3,"term":\{"cols":80,"rows":24\}/);
    assertStringIncludes(r.stdout, '[0.500, "o", "hi\\r\\n"]');
  });

  await Deno.remove(work, { recursive: true });
  await Deno.remove(empty, { recursive: true });
  await Deno.remove(denoDir, { recursive: true });
});
