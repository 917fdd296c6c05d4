/**
 * Appending to a recording: what an existing file holds (format, header, last time,
 * compression, a line cut off by a crash), read before the writer continues it. Apart from
 * the writer, so that recording a new file loads no reader.
 *
 * @module
 */
import { _openFileSource, type ByteSource, openRecordingSource } from "./reader.ts";
import { openDecompressed, sniffCompression } from "./decompress.ts";
import type { AppendInfo } from "./writer.ts";

/**
 * Inspects an existing recording before appending to it: its format, header, last event
 * time and compression. A name ending in `.txt` (or `.txt.gz`, `.txt.zst`) is taken as txt,
 * a file starting with `ESC[8;` as raw; anything else must be asciicast v2 or v3 (v1 is
 * refused). A compressed file must end cleanly: one cut off by a crash is refused (it can
 * still be read and converted), since data appended after a broken member would be lost.
 *
 * @example
 * ```ts
 * import { createCastWriter } from "./writer.ts";
 * import { inspectForAppend } from "./append.ts";
 * const path = await Deno.makeTempFile({ suffix: ".cast" });
 * await Deno.writeTextFile(path, '{"version":3,"term":{"cols":80,"rows":24}}\n[0.5, "o", "hi"]\n');
 * const info = await inspectForAppend(path);
 * const file = await Deno.open(path, { append: true });
 * const writer = createCastWriter(file.writable, { ...info.header, cols: 100, rows: 30 }, {
 *   format: info.format,
 *   append: info,
 * });
 * await writer.close();
 * ```
 */
export async function inspectForAppend(path: string): Promise<AppendInfo> {
  const rawHead = await _head(path, await _openFileSource(path));
  const compression = sniffCompression(rawHead);
  if (/\.txt(\.gz|\.zst)?$/i.test(path)) {
    return { format: "txt", header: { version: 3, cols: 80, rows: 24 }, lastTime: 0, compression };
  }
  const head = compression ? await _head(path, await _decompressed(path)) : rawHead;
  const start = new TextDecoder().decode(head);
  const raw = start.startsWith("\x1b[8;") ? /^.\[8;(\d+);(\d+)t/.exec(start) : null;
  if (raw) {
    const header = { version: 3, cols: Number(raw[2]), rows: Number(raw[1]) } as const;
    return { format: "raw", header, lastTime: 0, compression };
  }
  if (head.length === 0) throw new SyntaxError(`${path}: empty file`);
  let cutOff = false;
  const onWarning = (message: string) =>
    cutOff ||= message.endsWith("cut off; ignored") || message.endsWith("read up to there");
  // The plain bytes are watched on their way to the reader, for the file's last byte.
  let last = 10;
  let source = await _openFileSource(path);
  if (compression) source = (await openDecompressed(source, { name: path, onWarning })).source;
  const inner = source;
  const watched: ByteSource = {
    prefetch: inner.prefetch,
    read: async (into) => {
      const n = await inner.read(into);
      if (n !== null && n > 0) last = into[n - 1]!;
      return n;
    },
    close: () => inner.close(),
  };
  const recording = await openRecordingSource(path, watched, { onWarning });
  if (recording.header.version === 1) {
    await recording.close();
    throw new RangeError(`${path}: appending to asciicast v1 files is not supported`);
  }
  let lastTime = 0;
  for await (const event of recording.events) lastTime = event.time;
  const format = recording.header.version === 3 ? "asciicast-v3" : "asciicast-v2";
  const info: AppendInfo = { format, header: recording.header, lastTime, compression };
  if (compression) {
    if (cutOff) {
      throw new SyntaxError(
        `${path}: the compressed recording is cut off, so nothing can be appended to it ` +
          `(it can still be played or converted)`,
      );
    }
    if (last !== 10) info.missingNewline = true;
    return info;
  }
  const end = await _lastNewlineEnd(path);
  if (end.size > end.validBytes) {
    // Only a cut-off last line triggers the reader's warning once the header is fine.
    if (cutOff) info.validBytes = end.validBytes;
    else info.missingNewline = true;
  }
  return info;
}

/** The first 32 bytes of a source (fewer if it is shorter); closes it. */
async function _head(path: string, source: ByteSource): Promise<Uint8Array> {
  const head = new Uint8Array(32);
  let n = 0;
  try {
    while (n < head.length) {
      const got = await source.read(head.subarray(n));
      if (got === null) break;
      n += got;
    }
  } catch (error) {
    throw new SyntaxError(`${path}: ${(error as Error).message}`);
  } finally {
    source.close();
  }
  return head.subarray(0, n);
}

async function _decompressed(path: string): Promise<ByteSource> {
  return (await openDecompressed(await _openFileSource(path), { name: path })).source;
}

/** The file size and the offset just past its last newline. */
async function _lastNewlineEnd(path: string): Promise<{ size: number; validBytes: number }> {
  using file = await Deno.open(path, { read: true });
  const size = (await file.stat()).size;
  const chunk = new Uint8Array(64 * 1024);
  let pos = size;
  while (pos > 0) {
    const from = Math.max(0, pos - chunk.length);
    await file.seek(from, Deno.SeekMode.Start);
    let got = 0;
    while (got < pos - from) {
      const n = await file.read(chunk.subarray(got, pos - from));
      if (n === null) break;
      got += n;
    }
    const nl = chunk.subarray(0, got).lastIndexOf(10);
    if (nl !== -1) return { size, validBytes: from + nl + 1 };
    pos = from;
  }
  return { size, validBytes: 0 };
}
