import { assert, assertEquals, assertRejects } from "../../tests/_assert.ts";
import { openOutputFile, outputWriterSettings, refuseSameFile } from "./_output_file.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "asciirec-output-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function write(writable: WritableStream<Uint8Array>, text: string): Promise<void> {
  const writer = writable.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
}

const names = async (dir: string) =>
  (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();

Deno.test("openOutputFile writes a finished output beside the target and renames it on commit", async () => {
  await withDir(async (dir) => {
    const out = await openOutputFile(`${dir}/demo.cast`);
    assertEquals(out.format.name, "asciicast-v3");
    await write(out.writable, "whole\n");
    // Not there before the commit: only the temporary file beside it.
    const before = await names(dir);
    assertEquals(before.length, 1);
    assert(before[0]!.startsWith(".demo.cast.") && before[0]!.endsWith(".asciirec-tmp"));
    await out.commit();
    assertEquals(await names(dir), ["demo.cast"]);
    assertEquals(await Deno.readTextFile(`${dir}/demo.cast`), "whole\n");
  });
});

Deno.test("openOutputFile's discard leaves the target as it was", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/keep.cast`, "old\n");
    await Deno.chmod(`${dir}/keep.cast`, 0o640);
    const out = await openOutputFile(`${dir}/keep.cast`, { overwrite: true });
    await out.discard();
    assertEquals(await names(dir), ["keep.cast"]);
    assertEquals(await Deno.readTextFile(`${dir}/keep.cast`), "old\n");
    // Replacing it keeps its permissions.
    const again = await openOutputFile(`${dir}/keep.cast`, { overwrite: true });
    await write(again.writable, "new\n");
    await again.commit();
    assertEquals((await Deno.stat(`${dir}/keep.cast`)).mode! & 0o777, 0o640);
  });
});

Deno.test("openOutputFile refuses a non-empty file without overwrite, and a directory", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/taken.cast`, "x");
    await assertRejects(() => openOutputFile(`${dir}/taken.cast`), Error, "file exists");
    await assertRejects(
      () => openOutputFile(`${dir}/taken.cast`, { existsMessage: "use --append" }),
      Error,
      "use --append",
    );
    await assertRejects(() => openOutputFile(dir), Error, "is a directory");
    await assertRejects(() => openOutputFile(`${dir}/no/such/dir.cast`), Error, "does not exist");
  });
});

Deno.test("openOutputFile sees the format through a compression ending and compresses", async () => {
  await withDir(async (dir) => {
    const out = await openOutputFile(`${dir}/notes.txt.zst`);
    assertEquals([out.format.name, out.compression], ["txt", "zstd"]);
    assertEquals(out.writer, outputWriterSettings("zstd", false));
    await write(out.writable, "text\n");
    await out.commit();
    const bytes = await Deno.readFile(`${dir}/notes.txt.zst`);
    assertEquals([...bytes.subarray(0, 4)], [0x28, 0xb5, 0x2f, 0xfd]);
  });
});

Deno.test("openOutputFile writes a live output in place, creating parent directories", async () => {
  await withDir(async (dir) => {
    const out = await openOutputFile(`${dir}/a/b/live.cast.gz`, {
      live: true,
      createParents: true,
    });
    assertEquals(out.writer, { flushBytes: 64 * 1024, flushIntervalMs: 1000 });
    const writer = out.writable.getWriter();
    await writer.write(new TextEncoder().encode("first flush\n"));
    // Already in the file, as a complete gzip member, before anything is closed.
    const bytes = await Deno.readFile(`${dir}/a/b/live.cast.gz`);
    assertEquals([...bytes.subarray(0, 2)], [0x1f, 0x8b]);
    await writer.close();
    await out.commit();
    assertEquals(await names(`${dir}/a/b`), ["live.cast.gz"]);
  });
});

Deno.test("refuseSameFile refuses the input by any path, and lets other outputs through", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/in.cast`, "{}\n");
    await Deno.symlink(`${dir}/in.cast`, `${dir}/link.cast`);
    for (const output of [`${dir}/in.cast`, `${dir}/./in.cast`, `${dir}/link.cast`]) {
      await assertRejects(
        () => refuseSameFile(`${dir}/in.cast`, output),
        Error,
        "is the input file",
      );
    }
    await refuseSameFile(`${dir}/in.cast`, `${dir}/new.cast`); // does not exist yet
    await refuseSameFile("-", `${dir}/in.cast`);
    await refuseSameFile(`${dir}/in.cast`, "-");
    await refuseSameFile("https://example.com/in.cast", `${dir}/in.cast`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
