import { assert, assertEquals } from "../../tests/_assert.ts";
import { openDecompressed } from "../asciicast/decompress.ts";
import { compressWritable } from "./compress_writable.ts";
import { compressionForPath, withoutCompressionExtension } from "./compression_for_path.ts";

const encoder = new TextEncoder();

/** Writes `chunks` through a compressing stream; returns each write's output and the whole. */
async function compress(kind: "gzip" | "zstd", chunks: string[]) {
  const written: Uint8Array[] = [];
  const sink = new WritableStream<Uint8Array>({
    write: (chunk) => void written.push(chunk.slice()),
  });
  const writer = compressWritable(sink, kind).getWriter();
  for (const chunk of chunks) await writer.write(encoder.encode(chunk));
  await writer.close();
  return written;
}

function join(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

for (const kind of ["gzip", "zstd"] as const) {
  // (node:zlib's own zstdDecompressSync stops after the first frame in Deno; the reader's
  // decoder reads them all, and Debian's gzip and zstd judge it in tests/.)
  const unpack = async (bytes: Uint8Array) => {
    let sent = false;
    const { source } = await openDecompressed({
      read(into) {
        if (sent) return Promise.resolve(null);
        sent = true;
        into.set(bytes);
        return Promise.resolve(bytes.length);
      },
      close() {},
    });
    let text = "";
    const buffer = new Uint8Array(1 << 16);
    for (let n; (n = await source.read(buffer)) !== null;) {
      text += new TextDecoder().decode(buffer.subarray(0, n));
    }
    return text;
  };

  Deno.test(`compressWritable (${kind}): each write is a whole member, so every prefix of writes is valid`, async () => {
    const chunks = ['{"version":3}\n', '[0.1, "o", "a"]\n', "", '[0.2, "o", "é🎉"]\n'];
    const written = await compress(kind, chunks);
    // The empty write wrote nothing; each other write is one member or frame on its own.
    assertEquals(written.length, 3);
    for (let n = 1; n <= written.length; n++) {
      assertEquals(
        await unpack(join(written.slice(0, n))),
        chunks.filter((c) => c).slice(0, n).join(""),
      );
    }
  });
}

Deno.test("compressWritable closes and aborts the stream it writes to", async () => {
  let closed = false;
  let aborted: unknown;
  const make = () =>
    new WritableStream<Uint8Array>({
      close: () => void (closed = true),
      abort: (reason) => void (aborted = reason),
    });
  await compressWritable(make(), "gzip").close();
  assert(closed);
  await compressWritable(make(), "zstd").abort("stop");
  assertEquals(aborted, "stop");
});

Deno.test("compressionForPath and withoutCompressionExtension read the name's ending", () => {
  assertEquals(compressionForPath("a/demo.cast.gz"), "gzip");
  assertEquals(compressionForPath("DEMO.TXT.ZST"), "zstd");
  assertEquals(compressionForPath("demo.cast"), undefined);
  assertEquals(compressionForPath("demo.gzip"), undefined);
  assertEquals(withoutCompressionExtension("demo.txt.gz"), "demo.txt");
  assertEquals(withoutCompressionExtension("demo.CAST.ZST"), "demo.CAST");
  assertEquals(withoutCompressionExtension("demo.cast"), "demo.cast");
});
