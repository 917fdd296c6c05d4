/**
 * Self-containment of `asciirec tape`: the bundled program (what the single binary holds) runs
 * a tape from an empty directory with an empty Deno cache, loading the tape code it imports
 * lazily, and writes a recording and golden text.
 */
import { assertEquals, assertMatch, assertStringIncludes } from "./_assert.ts";
import { MAIN, PERMISSIONS } from "./_cli.ts";

Deno.test({
  name: "the bundled program runs a tape from an empty directory with an empty Deno cache",
  sanitizeResources: false,
  sanitizeOps: false,
}, async () => {
  const work = await Deno.makeTempDir({ prefix: "asciirec-tape-bundle-" });
  try {
    const built = await new Deno.Command(Deno.execPath(), {
      args: ["bundle", "--quiet", "--output", `${work}/asciirec.js`, MAIN],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(built.code, 0, new TextDecoder().decode(built.stderr));
    const empty = `${work}/empty`;
    await Deno.mkdir(empty);
    await Deno.rename(`${work}/asciirec.js`, `${empty}/asciirec.js`);
    await Deno.writeTextFile(
      `${empty}/demo.tape`,
      'Output demo.cast\nOutput demo.txt\nSet Shell sh\nType "echo bundled" Enter\nSleep 200ms\n',
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "--no-remote",
        "--no-npm",
        ...PERMISSIONS,
        "asciirec.js",
        "tape",
        "demo.tape",
      ],
      cwd: empty,
      env: { DENO_DIR: `${work}/denodir`, NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 0, stderr);
    assertStringIncludes(stderr, "::: Wrote demo.cast, demo.txt");
    const cast = await Deno.readTextFile(`${empty}/demo.cast`);
    assertMatch(cast, /^\{"version":3,"term":\{"cols":76,"rows":16,/);
    assertStringIncludes(cast, "bundled\\r\\n");
    assertStringIncludes(await Deno.readTextFile(`${empty}/demo.txt`), "> echo bundled\nbundled\n");
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});
