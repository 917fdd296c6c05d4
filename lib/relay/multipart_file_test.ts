import { assertEquals } from "../../tests/_assert.ts";
import { saveMultipartFile } from "./multipart_file.ts";

/** A multipart body as the platform serializes it, handed out `step` bytes at a time. */
async function formBody(form: FormData, step: number) {
  const request = new Request("http://localhost/", { method: "POST", body: form });
  const bytes = new Uint8Array(await request.arrayBuffer());
  let pos = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pos >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(pos, pos + step));
      pos += step;
    },
  });
  return { body, contentType: request.headers.get("content-type")!, size: bytes.length };
}

async function save(form: FormData, step: number, limits = { part: 1 << 20, body: 2 << 20 }) {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/part`;
  const { body, contentType } = await formBody(form, step);
  const saved = await saveMultipartFile(body, {
    contentType,
    partNames: ["file", "asciicast"],
    path,
    maxBytes: limits.part,
    maxBodyBytes: limits.body,
  });
  const content = await Deno.readFile(path).catch(() => undefined);
  await Deno.remove(dir, { recursive: true });
  return { saved, content };
}

Deno.test("saveMultipartFile writes the file part, byte for byte, however the body is split", async () => {
  // Content that contains CRLFs, dashes and a near-boundary, to trip a sloppy scanner.
  const content = new TextEncoder().encode("a\r\n--b\r\n\r\n--\r\n" + "é🎉".repeat(5000) + "\r\n");
  for (const step of [1, 2, 7, 64, 65536]) {
    const form = new FormData();
    form.append("title", "ignored");
    form.append("file", new Blob([content]), "demo.cast");
    form.append("after", "ignored too");
    const { saved, content: written } = await save(form, step);
    assertEquals(saved, { ok: true, fileName: "demo.cast", size: content.length }, `step ${step}`);
    assertEquals(written, content);
  }
});

Deno.test("saveMultipartFile refuses an oversized part, a missing part and a non-multipart body", async () => {
  const big = new FormData();
  big.append("file", new Blob([new Uint8Array(5000)]), "big.cast");
  const tooLarge = await save(big, 1000, { part: 4000, body: 1 << 20 });
  assertEquals([tooLarge.saved, tooLarge.content], [
    { ok: false, problem: "too_large" },
    undefined,
  ]);
  const bodyTooLarge = await save(big, 1000, { part: 1 << 20, body: 3000 });
  assertEquals(bodyTooLarge.saved, { ok: false, problem: "too_large" });

  const other = new FormData();
  other.append("file", "not a file part");
  other.append("picture", new Blob(["x"]), "x.png");
  assertEquals((await save(other, 100)).saved, { ok: false, problem: "no_part" });

  const saved = await saveMultipartFile(new Blob(["{}"]).stream(), {
    contentType: "application/json",
    partNames: ["file"],
    path: "/nonexistent/never-written",
    maxBytes: 10,
    maxBodyBytes: 10,
  });
  assertEquals(saved, { ok: false, problem: "not_multipart" });
});
