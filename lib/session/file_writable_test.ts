import assert from "node:assert/strict";
import { fileWritable } from "./file_writable.ts";

for (const sync of [true, false]) {
  Deno.test(`fileWritable (sync: ${sync}) puts every chunk in the file before the write resolves`, async () => {
    const path = await Deno.makeTempFile();
    try {
      const writer = fileWritable(await Deno.open(path, { write: true }), { sync }).getWriter();
      let expected = "";
      for (const chunk of ["a\n", "bc\n", "x".repeat(100_000) + "\n"]) {
        await writer.write(new TextEncoder().encode(chunk));
        expected += chunk;
        assert.equal(await Deno.readTextFile(path), expected);
      }
      await writer.close();
      assert.equal(await Deno.readTextFile(path), expected);
    } finally {
      await Deno.remove(path);
    }
  });
}

Deno.test("fileWritable closes the file on abort", async () => {
  const path = await Deno.makeTempFile();
  try {
    const file = await Deno.open(path, { write: true });
    await fileWritable(file).abort(new Error("stop"));
    assert.throws(() => file.writeSync(new Uint8Array([1])), Deno.errors.BadResource);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("fileWritable writes to a pipe, where it defaults to asynchronous writes", async () => {
  const child = new Deno.Command("cat", { stdin: "piped", stdout: "piped" }).spawn();
  const fd = `/proc/${child.pid}/fd/0`;
  const file = await Deno.open(fd, { write: true });
  const writer = fileWritable(file).getWriter();
  await writer.write(new TextEncoder().encode("through a pipe\n"));
  await writer.close();
  await child.stdin.close();
  const out = await child.output();
  assert.equal(new TextDecoder().decode(out.stdout), "through a pipe\n");
});
