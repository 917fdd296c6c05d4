import { assertEquals } from "../../tests/_assert.ts";

/** What `code` prints under `ulimit ULIMIT` (e.g. `-n 200`, `-S -n 200`). */
async function under(ulimit: string, code: string, permissions = ["-A"]): Promise<string> {
  const file = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    const module = JSON.stringify(new URL("./fd_limit.ts", import.meta.url).href);
    await Deno.writeTextFile(file, `import * as fd from ${module};\n${code}`);
    const out = await new Deno.Command("sh", {
      args: [
        "-c",
        `ulimit ${ulimit} && exec "$@"`,
        "sh",
        Deno.execPath(),
        "run",
        "--quiet",
        ...permissions,
        file,
      ],
    }).output();
    return new TextDecoder().decode(out.stdout).trim();
  } finally {
    await Deno.remove(file);
  }
}

/** This process's hard limit on open files. */
function hardLimit(): number {
  const line = Deno.readTextFileSync("/proc/self/limits").split("\n").find((l) =>
    l.startsWith("Max open files")
  )!;
  return Number(line.split(/\s+/)[4]);
}

Deno.test("openFileLimit reads the soft limit ulimit -n set", async () => {
  for (const limit of [200, 4096]) {
    assertEquals(await under(`-n ${limit}`, "console.log(fd.openFileLimit());"), String(limit));
  }
  // Without --allow-ffi the limit is unknown (and nothing is asked or printed).
  assertEquals(
    await under("-n 200", "console.log(fd.openFileLimit());", ["--allow-read"]),
    "undefined",
  );
});

Deno.test("raiseOpenFileLimit lifts the soft limit to the hard one, and no further", async () => {
  const code = "console.log(fd.raiseOpenFileLimit(), fd.openFileLimit());";
  const hard = Math.min(hardLimit(), 1 << 20);
  assertEquals(await under("-S -n 200", code), `${hard} ${hard}`);
  // Soft and hard both 200: nothing to raise.
  assertEquals(await under("-n 200", code), "200 200");
});
