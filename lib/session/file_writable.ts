/**
 * A byte stream into an open file that hands every chunk to the kernel when it is written.
 *
 * Why not `Deno.FsFile.writable`: in Deno 2.9 it keeps written chunks in a user-space buffer
 * and passes them on only in 65,000-byte units or at `close()` — a recording whose writer has
 * "flushed" would still lose up to 64 KB (or everything, for a short session) on `kill -9`.
 *
 * @module
 */
import { writeAll } from "../base/write_all.ts";

/** Options for {@linkcode fileWritable}. */
export interface FileWritableOptions {
  /**
   * Write synchronously: cheapest, and independent of the event loop being free. Default:
   * true for regular files (the page cache takes data at once), false for pipes, terminals
   * and sockets, where a synchronous write could block the whole process.
   */
  sync?: boolean;
}

/**
 * Wraps an open file as a `WritableStream` whose writes reach the file (the OS page cache)
 * before they resolve. Closing or aborting the stream closes the file.
 *
 * @example
 * ```ts
 * import { fileWritable } from "./file_writable.ts";
 * const path = await Deno.makeTempFile();
 * const writer = fileWritable(await Deno.open(path, { write: true })).getWriter();
 * await writer.write(new TextEncoder().encode("line\n"));
 * console.log(await Deno.readTextFile(path)); // "line\n", already
 * await writer.close();
 * ```
 */
export function fileWritable(
  file: Deno.FsFile,
  options: FileWritableOptions = {},
): WritableStream<Uint8Array> {
  const sync = options.sync ?? file.statSync().isFile;
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    file.close();
  };
  return new WritableStream<Uint8Array>({
    async write(chunk) {
      if (!sync) return await writeAll(file, chunk);
      for (let off = 0; off < chunk.length;) off += file.writeSync(chunk.subarray(off));
    },
    close,
    abort: close,
  });
}
