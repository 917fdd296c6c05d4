/**
 * Compressed recordings on the way out: a byte stream that compresses every chunk written
 * to it as one complete gzip member or zstd frame.
 *
 * Concatenated members (frames) are themselves a valid gzip (zstd) stream, so a file that is
 * cut off between two writes is still a valid compressed file holding everything written up
 * to there: a recording that is written as it goes stays crash-safe, exactly as far as its
 * writer has flushed. The writer's chunk size sets the trade-off: a few bytes per member are
 * lost to framing, and each member starts without the previous one's history, which costs
 * about 1% at 1 MiB members and little more at 64 KiB (gzip only looks 32 KiB back anyway).
 *
 * Compression uses `node:zlib`, built into Deno (gzip and zstd; the web
 * `CompressionStream` has no zstd).
 *
 * @module
 */
import type { Compression } from "../asciicast/decompress.ts";

/**
 * Wraps `dest` so that each chunk written is compressed as one gzip member or zstd frame
 * before it is passed on. Closing or aborting the result closes or aborts `dest`.
 *
 * @example
 * ```ts
 * import { compressWritable } from "./compress_writable.ts";
 * import { gunzipSync } from "node:zlib";
 * const parts: Uint8Array[] = [];
 * const sink = new WritableStream<Uint8Array>({ write: (chunk) => void parts.push(chunk) });
 * const writer = compressWritable(sink, "gzip").getWriter();
 * await writer.write(new TextEncoder().encode("one\n"));
 * await writer.write(new TextEncoder().encode("two\n"));
 * await writer.close();
 * const whole = new Uint8Array(await new Blob(parts).arrayBuffer());
 * new TextDecoder().decode(gunzipSync(whole)); // "one\ntwo\n"
 * ```
 */
export function compressWritable(
  dest: WritableStream<Uint8Array>,
  compression: Compression,
): WritableStream<Uint8Array> {
  const writer = dest.getWriter();
  let pack: ((chunk: Uint8Array) => Uint8Array) | undefined;
  return new WritableStream<Uint8Array>({
    async write(chunk) {
      if (chunk.length === 0) return;
      // node:zlib is loaded on first use: starting `rec` must not pay for Node's layer.
      if (pack === undefined) {
        const z = await import("node:zlib");
        pack = compression === "gzip" ? z.gzipSync : z.zstdCompressSync;
      }
      const packed = pack(chunk);
      await writer.write(new Uint8Array(packed.buffer, packed.byteOffset, packed.length));
    },
    close: () => writer.close(),
    abort: (reason) => writer.abort(reason),
  });
}
