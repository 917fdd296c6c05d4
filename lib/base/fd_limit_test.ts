import { assertEquals } from "../../tests/_assert.ts";

Deno.test("openFileLimit reads the soft limit ulimit -n set", async () => {
  const probe = `import { openFileLimit } from ${
    JSON.stringify(new URL("./fd_limit.ts", import.meta.url).href)
  };
console.log(openFileLimit());`;
  for (const limit of [200, 4096]) {
    const out = await new Deno.Command("sh", {
      args: ["-c", `ulimit -n ${limit} && exec "$0" eval "$1"`, Deno.execPath(), probe],
    }).output();
    assertEquals(new TextDecoder().decode(out.stdout).trim(), String(limit));
  }
  // Without --allow-ffi the limit is unknown (and nothing is asked or printed).
  const file = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    await Deno.writeTextFile(file, probe);
    const out = await new Deno.Command(Deno.execPath(), { args: ["run", "--quiet", file] })
      .output();
    assertEquals(new TextDecoder().decode(out.stdout).trim(), "undefined");
  } finally {
    await Deno.remove(file);
  }
});
