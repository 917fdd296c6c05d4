/**
 * Writing a whole buffer to something whose `write` may take only part of it (a socket, a
 * file).
 *
 * @module
 */

/** What bytes are written to, a part at a time (`Deno.Conn`, `Deno.FsFile`). */
export interface PartialWriter {
  /** Writes some of `bytes`; how many. */
  write(bytes: Uint8Array): Promise<number>;
}

/**
 * Writes all of `bytes`, calling `write` again for what a call left.
 *
 * @example
 * ```ts
 * import { writeAll } from "./write_all.ts";
 * const file = await Deno.open(await Deno.makeTempFile(), { write: true });
 * await writeAll(file, new TextEncoder().encode("whole\n"));
 * file.close();
 * ```
 */
export async function writeAll(writer: PartialWriter, bytes: Uint8Array): Promise<void> {
  for (let done = 0; done < bytes.length;) done += await writer.write(bytes.subarray(done));
}
